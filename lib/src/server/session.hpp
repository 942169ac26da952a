// One connection: read a request, answer it, and again while the client keeps it alive.
// Pipelined requests are answered in order, since the read buffer carries over between them.
// Over HTTPS (ServerState::tls set) the same, after a TLS handshake and with TLS closes.
#pragma once

#include "server/server_state.hpp"

#include <boost/asio/awaitable.hpp>

#include <memory>

namespace asyncscrape::server {

// Serves the connection until it closes, then removes it from `state`.
boost::asio::awaitable<void> serve_connection(std::shared_ptr<ServerState> state,
                                              ConnectionHandle connection);

}  // namespace asyncscrape::server
