// Boost.URL 1.81 ships no compiled library in Debian: compile it here, once.
#include <boost/url/src.hpp>
