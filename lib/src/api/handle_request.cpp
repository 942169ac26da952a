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
#include <utility>
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

// A reply known at once, as the coroutine call_operation hands over.
Task<server::Reply> ready(server::Reply reply) {
    co_return reply;
}

// Not a coroutine itself: it hands over the operation's coroutine, a frame fewer per request.
Task<server::Reply> call_operation(const Call& call) {
    switch (call.route.operation) {
        case Operation::health: {
            server::Reply reply = health();
            return ready(std::move(reply));
        }
        case Operation::create_collection:
            return create_collection(call);
        case Operation::list_collections:
            return list_collections(call);
        case Operation::get_collection:
            return get_collection(call);
        case Operation::update_collection:
            return update_collection(call);
        case Operation::delete_collection:
            return delete_collection(call);
        case Operation::start_run:
            return start_run(call);
        case Operation::list_runs:
            return list_runs(call);
        case Operation::get_run:
            return get_run(call);
        case Operation::cancel_run:
            return cancel_run(call);
        case Operation::list_jobs:
            return list_jobs(call);
        case Operation::get_job:
            return get_job(call);
        case Operation::get_result:
            return get_result(call);
        case Operation::get_screenshot:
            return get_screenshot(call);
        case Operation::export_results:
            return export_results(call);
    }
    server::Reply reply =
        server::error_reply(http::status::internal_server_error, "unhandled operation");
    return ready(std::move(reply));
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
