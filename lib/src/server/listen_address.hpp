// Where the server listens, and whether it may listen there: checked by Server::start() and, before
// anything else is opened, by the server binary.
#pragma once

#include <asyncscrape/config.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace asyncscrape::server {

// The endpoint of config.host:config.port; std::runtime_error naming both when it has none.
boost::asio::ip::tcp::endpoint listen_endpoint(const boost::asio::any_io_executor& executor,
                                               const ServerConfig& config);

// Throws OpenServerRefused when the server would serve `endpoint`, beyond loopback, to anyone:
// no API keys and no insecure_open.
void check_open_server(const ServerConfig& config, const boost::asio::ip::tcp::endpoint& endpoint);

}  // namespace asyncscrape::server
