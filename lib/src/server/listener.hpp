// The accept loop: one session coroutine per connection, at most max_connections at once.
#pragma once

#include "server/server_state.hpp"

#include <boost/asio/awaitable.hpp>

#include <memory>

namespace asyncscrape::server {

// Runs until the acceptor is closed. At the connection cap it stops accepting until a connection
// closes, so that new clients wait in the kernel's backlog instead of being refused.
boost::asio::awaitable<void> accept_connections(std::shared_ptr<ServerState> state);

}  // namespace asyncscrape::server
