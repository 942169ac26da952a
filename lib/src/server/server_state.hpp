// What the listener, the sessions and Server::stop() share: the configuration, the open
// connections and the shutdown flag. Owned jointly by the Server and its coroutines, so that a
// coroutine finishing after the Server is gone still finds it.
#pragma once

#include "api/call.hpp"
#include "server/wakeup.hpp"

#include <asyncscrape/config.hpp>
#include <asyncscrape/runtime.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include <list>
#include <optional>

namespace asyncscrape::server {

struct Connection {
    explicit Connection(boost::asio::ip::tcp::socket socket) : stream(std::move(socket)) {}

    // The TCP layer; over HTTPS the session's TLS stream runs on it. Its timeouts bound every
    // operation of the connection, TLS ones included.
    boost::beast::tcp_stream stream;
    // Waiting for or reading a request (as opposed to answering one): shutdown closes it at once.
    bool awaiting_request = true;
};

using ConnectionHandle = std::list<Connection>::iterator;

struct ServerState {
    ServerState(const boost::asio::any_io_executor& executor, const ServerConfig& config,
                Runtime& runtime)
        : executor(executor),
          config(config),
          api{.runtime = runtime,
              .limits = {runtime.config().max_requests, runtime.config().request_timeout.count()},
              .rate_limiter = asyncscrape::api::RateLimiter(config.rate_limit),
              .idempotency_keys_in_flight = {},
              .keys = nullptr},  // Server::start() loads them when the config names a file
          acceptor(executor),
          changed(executor) {}

    boost::asio::any_io_executor executor;
    ServerConfig config;
    api::Context api;
    // Set by Server::start() when the configuration asks for HTTPS: every connection speaks TLS.
    std::optional<boost::asio::ssl::context> tls;
    boost::asio::ip::tcp::acceptor acceptor;
    std::list<Connection> connections;
    bool accepting = false;  // the listener coroutine is running
    bool stopping = false;
    Wakeup changed;  // a connection closed, the listener ended, or stopping began
};

}  // namespace asyncscrape::server
