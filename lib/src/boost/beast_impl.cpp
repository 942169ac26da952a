// Beast's compiled part (BOOST_BEAST_SEPARATE_COMPILATION).
#include <boost/beast/src.hpp>
