#include <asyncscrape/server.hpp>

#include "api/api_keys.hpp"
#include "server/listen_address.hpp"
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
    if (!config.api_keys_file.empty()) {
        reload_api_keys();
    }
    if (server::wants_tls(config)) {
        state_->tls.emplace(server::make_tls_server_context(config));
    }
    const tcp::endpoint endpoint = server::listen_endpoint(state_->executor, config);
    server::check_open_server(config, endpoint);
    boost::system::error_code ec;
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

std::size_t Server::reload_api_keys() {
    if (state_->config.api_keys_file.empty()) {
        return 0;  // an open server has no keys to reload
    }
    auto keys = api::load_api_keys(state_->config.api_keys_file);
    state_->api.runtime.set_webhook_secrets(keys->webhook_secrets());
    state_->api.keys = std::move(keys);
    return state_->api.keys->size();
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
