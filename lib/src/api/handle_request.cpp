#include "api/handle_request.hpp"

#include "api/authenticate.hpp"
#include "api/collections.hpp"
#include "api/health.hpp"
#include "api/idempotency.hpp"
#include "api/jobs.hpp"
#include "api/results.hpp"
#include "api/runs.hpp"

#include <boost/beast/http/field.hpp>

#include <optional>
#include <string>
#include <variant>

namespace asyncscrape::api {
namespace {

namespace http = boost::beast::http;
using server::Operation;

server::Reply route_miss_reply(const server::RouteMiss& miss) {
    server::Reply reply = server::error_reply(miss.status, miss.detail);
    if (!miss.allow.empty()) {
        reply.response.set(http::field::allow, miss.allow);
    }
    return reply;
}

Task<server::Reply> call_operation(const Call& call) {
    switch (call.route.operation) {
        case Operation::health:
            co_return health();
        case Operation::create_collection:
            co_return co_await create_collection(call);
        case Operation::list_collections:
            co_return co_await list_collections(call);
        case Operation::get_collection:
            co_return co_await get_collection(call);
        case Operation::update_collection:
            co_return co_await update_collection(call);
        case Operation::delete_collection:
            co_return co_await delete_collection(call);
        case Operation::start_run:
            co_return co_await start_run(call);
        case Operation::list_runs:
            co_return co_await list_runs(call);
        case Operation::get_run:
            co_return co_await get_run(call);
        case Operation::cancel_run:
            co_return co_await cancel_run(call);
        case Operation::list_jobs:
            co_return co_await list_jobs(call);
        case Operation::get_job:
            co_return co_await get_job(call);
        case Operation::get_result:
            co_return co_await get_result(call);
        case Operation::get_screenshot:
            co_return co_await get_screenshot(call);
        case Operation::export_results:
            co_return co_await export_results(call);
    }
    co_return server::error_reply(http::status::internal_server_error, "unhandled operation");
}

// A 429 when the caller's key has spent its calls (--rate-limit). Health checks are never
// limited: a load balancer's probe must not be refused for a busy customer's key.
std::optional<server::Reply> refuse_over_rate_limit(const Call& call) {
    if (call.route.operation == Operation::health) {
        return std::nullopt;
    }
    RateLimiter& limiter = call.context.rate_limiter;
    const auto wait = limiter.admit(call.key_id, RateLimiter::Clock::now());
    if (!wait) {
        return std::nullopt;
    }
    server::Reply reply = server::error_reply(
        http::status::too_many_requests,
        "rate limit of " + std::to_string(limiter.per_second()) + " requests a second exceeded");
    reply.response.set(http::field::retry_after, std::to_string(wait->count()));
    return reply;
}

// The POSTs that create something, which a client may make safe to repeat.
bool takes_idempotency_key(Operation operation) {
    return operation == Operation::create_collection || operation == Operation::start_run;
}

}  // namespace

// In order: routing (404, 405), then the caller's key and tenant, then its rate limit, then the
// operation, once per Idempotency-Key where it takes one.
Task<server::Reply> handle_request(const server::HttpRequest& request, const Context& context) {
    const server::RouteResult routed = server::route(request.method(), request.target());
    if (const auto* miss = std::get_if<server::RouteMiss>(&routed)) {
        co_return route_miss_reply(*miss);
    }
    const auto& route = std::get<server::RouteMatch>(routed);
    // Health answers load balancers, which hold no key.
    Caller caller;
    if (route.operation != Operation::health) {
        auto authenticated = authenticate(request, context.keys.get());
        if (auto* refused = std::get_if<server::Reply>(&authenticated)) {
            co_return std::move(*refused);
        }
        caller = std::move(std::get<Caller>(authenticated));
    }
    const Call call{request, route, context, std::move(caller.tenant), std::move(caller.key_id)};
    if (auto refused = refuse_over_rate_limit(call)) {
        co_return std::move(*refused);
    }
    try {
        if (takes_idempotency_key(call.route.operation)) {
            co_return co_await answer_idempotently(call, call_operation);
        }
        co_return co_await call_operation(call);
    } catch (const StoreUnavailable& e) {
        // The store could not write (disk full, read-only): nothing was acknowledged, and the
        // client may try again later.
        co_return server::error_reply(http::status::service_unavailable,
                                      std::string("store unavailable: ") + e.what());
    }
}

}  // namespace asyncscrape::api
