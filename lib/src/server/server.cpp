#include <asyncscrape/server.hpp>

#include "server/listener.hpp"
#include "server/log_failure.hpp"
#include "server/server_state.hpp"
#include "server/tls_server_context.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <stdexcept>
#include <string>

namespace asyncscrape {
namespace {

namespace net = boost::asio;
using net::ip::tcp;

[[noreturn]] void fail_to_listen(const ServerConfig& config, const boost::system::error_code& ec) {
    throw std::runtime_error("cannot listen on " + config.host + ":" + std::to_string(config.port) +
                             ": " + ec.message());
}

// Closes the acceptor and the connections that wait for a request; the others close themselves
// after their answer.
void begin_stop(server::ServerState& state) {
    if (state.stopping) {
        return;
    }
    state.stopping = true;
    boost::system::error_code ignored;
    state.acceptor.close(ignored);
    for (server::Connection& connection : state.connections) {
        if (connection.awaiting_request) {
            connection.stream.cancel();
        }
    }
    state.changed.notify_all();
}

}  // namespace

Server::Server(net::any_io_executor executor, ServerConfig config, Runtime& runtime)
    : state_(std::make_shared<server::ServerState>(executor, config, runtime)) {}

Server::~Server() {
    begin_stop(*state_);
}

void Server::start() {
    const ServerConfig& config = state_->config;
    if (server::wants_tls(config)) {
        state_->tls.emplace(server::make_tls_server_context(config));
    }
    boost::system::error_code ec;
    tcp::resolver resolver(state_->executor);
    const auto endpoints =
        resolver.resolve(config.host, std::to_string(config.port),
                         tcp::resolver::passive | tcp::resolver::numeric_service, ec);
    if (ec) {
        fail_to_listen(config, ec);
    }
    const tcp::endpoint endpoint = *endpoints.begin();
    tcp::acceptor& acceptor = state_->acceptor;
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) {
        acceptor.set_option(net::socket_base::reuse_address(true), ec);
    }
    if (!ec) {
        acceptor.bind(endpoint, ec);
    }
    if (!ec) {
        acceptor.listen(net::socket_base::max_listen_connections, ec);
    }
    if (ec) {
        boost::system::error_code ignored;
        acceptor.close(ignored);
        fail_to_listen(config, ec);
    }
    state_->accepting = true;
    net::co_spawn(state_->executor, server::accept_connections(state_),
                  server::LogFailure{"listener"});
}

std::uint16_t Server::port() const {
    boost::system::error_code ec;
    return state_->acceptor.local_endpoint(ec).port();
}

net::awaitable<void> Server::stop() {
    const std::shared_ptr<server::ServerState> state = state_;
    begin_stop(*state);
    while (state->accepting || !state->connections.empty()) {
        co_await state->changed.wait();
    }
}

}  // namespace asyncscrape
