// The HTTP API: one request in, its answer out. Knows nothing of sockets; the session feeds it.
#pragma once

#include "api/call.hpp"
#include "server/reply.hpp"

#include <asyncscrape/store.hpp>

namespace asyncscrape::api {

Task<server::Reply> handle_request(const server::HttpRequest& request, const Context& context);

}  // namespace asyncscrape::api
