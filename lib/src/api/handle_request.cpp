#include "api/handle_request.hpp"

#include "api/collections.hpp"
#include "api/health.hpp"
#include "api/jobs.hpp"
#include "api/results.hpp"
#include "api/runs.hpp"

#include <boost/beast/http/field.hpp>

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

}  // namespace

Task<server::Reply> handle_request(const server::HttpRequest& request, const Context& context) {
    const server::RouteResult routed = server::route(request.method(), request.target());
    if (const auto* miss = std::get_if<server::RouteMiss>(&routed)) {
        co_return route_miss_reply(*miss);
    }
    const Call call{request, std::get<server::RouteMatch>(routed), context};
    try {
        co_return co_await call_operation(call);
    } catch (const StoreUnavailable& e) {
        // The store could not write (disk full, read-only): nothing was acknowledged, and the
        // client may try again later.
        co_return server::error_reply(http::status::service_unavailable,
                                      std::string("store unavailable: ") + e.what());
    }
}

}  // namespace asyncscrape::api
