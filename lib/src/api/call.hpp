// What an API handler gets: the request, its route, and the runtime it works on.
#pragma once

#include "api/api_keys.hpp"
#include "api/idempotency.hpp"
#include "api/rate_limiter.hpp"
#include "server/reply.hpp"
#include "server/router.hpp"

#include <asyncscrape/json.hpp>
#include <asyncscrape/runtime.hpp>

#include <memory>
#include <string>

namespace asyncscrape::api {

// Shared by every request of one server.
struct Context {
    Runtime& runtime;
    ValidationLimits limits;  // from the runtime's config, so the edge and the runtime agree
    // What the server's calls keep between them. Mutable: handlers see the context as const,
    // and these change with every call (on the one io_context thread, so without locks).
    mutable RateLimiter rate_limiter{0};  // ServerConfig::rate_limit; off when zero
    mutable IdempotencyKeysInFlight idempotency_keys_in_flight;
    // The keys requests are checked against (Server::reload_api_keys replaces them); null on a
    // server without keys, where every client is the one tenant "".
    std::shared_ptr<const ApiKeys> keys;
};

struct Call {
    const server::HttpRequest& request;
    const server::RouteMatch& route;
    const Context& context;
    TenantId tenant;     // whose collections, runs and jobs the call may see
    std::string key_id;  // the API key that made the call (its tenant when the server is open)

    Runtime& runtime() const { return context.runtime; }
    std::string collection_id() const { return std::string(route.collection_id); }
    std::string run_id() const { return std::string(route.run_id); }
    std::string job_id() const { return std::string(route.job_id); }
};

}  // namespace asyncscrape::api
