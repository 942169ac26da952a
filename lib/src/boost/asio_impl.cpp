// Asio's compiled part (BOOST_ASIO_SEPARATE_COMPILATION), with its OpenSSL support.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
