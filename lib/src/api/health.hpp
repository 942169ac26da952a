// GET /v1/health: the process is up and serving.
#pragma once

#include "server/reply.hpp"

namespace asyncscrape::api {

server::Reply health();

}  // namespace asyncscrape::api
