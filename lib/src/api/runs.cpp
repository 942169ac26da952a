#include "api/runs.hpp"

#include "api/list_value.hpp"
#include "api/request_body.hpp"
#include "model/json_mapping.hpp"
#include "server/query.hpp"

#include <asyncscrape/json.hpp>

namespace asyncscrape::api {
namespace {

namespace http = boost::beast::http;

boost::json::object run_value(const Run& run) {
    return to_value(run);
}

// One run, as its own answer: the text written directly (to_json), the hottest path of the API.
server::Reply run_reply(http::status status, const Run& run) {
    return server::content_reply(status, "application/json", to_json(run));
}

}  // namespace

Task<server::Reply> start_run(const Call& call) {
    // An empty body is no input, whatever its Content-Type says.
    if (!call.request.body().empty()) {
        if (auto refused = refuse_non_json(call.request)) {
            co_return std::move(*refused);
        }
    }
    auto options = read_run_options(call.request.body());
    if (!options) {
        co_return server::error_reply(options.error());
    }
    const auto run = co_await call.runtime().start_run(call.collection_id(),
                                                       std::move(options).value(), call.tenant);
    if (!run) {
        co_return server::error_reply(run.error());
    }
    co_return run_reply(http::status::created, *run);
}

Task<server::Reply> list_runs(const Call& call) {
    const auto params = server::parse_list_params(call.route.query);
    if (!params) {
        co_return server::error_reply(params.error());
    }
    const auto filter = server::run_status_filter(*params);
    if (!filter) {
        co_return server::error_reply(filter.error());
    }
    const auto page =
        co_await call.runtime().list_runs(call.collection_id(), *filter, params->page, call.tenant);
    if (!page) {
        co_return server::error_reply(page.error());
    }
    co_return server::json_reply(http::status::ok, list_value(*page, run_value));
}

Task<server::Reply> get_run(const Call& call) {
    const auto run =
        co_await call.runtime().get_run(call.collection_id(), call.run_id(), call.tenant);
    if (!run) {
        co_return server::error_reply(run.error());
    }
    co_return run_reply(http::status::ok, *run);
}

Task<server::Reply> cancel_run(const Call& call) {
    if (auto refused = refuse_non_empty(call.request)) {
        co_return std::move(*refused);
    }
    const auto run =
        co_await call.runtime().cancel_run(call.collection_id(), call.run_id(), call.tenant);
    if (!run) {
        co_return server::error_reply(run.error());
    }
    co_return run_reply(http::status::ok, *run);
}

}  // namespace asyncscrape::api
