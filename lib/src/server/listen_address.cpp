#include "server/listen_address.hpp"

#include <asyncscrape/server.hpp>

#include <stdexcept>
#include <string>

namespace asyncscrape::server {

namespace net = boost::asio;
using net::ip::tcp;

tcp::endpoint listen_endpoint(const net::any_io_executor& executor, const ServerConfig& config) {
    boost::system::error_code ec;
    tcp::resolver resolver(executor);
    const auto endpoints =
        resolver.resolve(config.host, std::to_string(config.port),
                         tcp::resolver::passive | tcp::resolver::numeric_service, ec);
    if (ec || endpoints.empty()) {
        throw std::runtime_error("cannot listen on " + config.host + ":" +
                                 std::to_string(config.port) + ": " +
                                 (ec ? ec.message() : "no address"));
    }
    return *endpoints.begin();
}

void check_open_server(const ServerConfig& config, const tcp::endpoint& endpoint) {
    if (config.api_keys_file.empty() && !config.insecure_open &&
        !endpoint.address().is_loopback()) {
        throw OpenServerRefused(config.host);
    }
}

}  // namespace asyncscrape::server
