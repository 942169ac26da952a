// What an API handler gets: the request, its route, and the runtime it works on.
#pragma once

#include "server/reply.hpp"
#include "server/router.hpp"

#include <asyncscrape/json.hpp>
#include <asyncscrape/runtime.hpp>

#include <string>

namespace asyncscrape::api {

// Shared by every request of one server.
struct Context {
    Runtime& runtime;
    ValidationLimits limits;  // from the runtime's config, so the edge and the runtime agree
};

struct Call {
    const server::HttpRequest& request;
    const server::RouteMatch& route;
    const Context& context;

    Runtime& runtime() const { return context.runtime; }
    std::string collection_id() const { return std::string(route.collection_id); }
    std::string run_id() const { return std::string(route.run_id); }
    std::string job_id() const { return std::string(route.job_id); }
};

}  // namespace asyncscrape::api
