#include "api/jobs.hpp"

#include "api/list_value.hpp"
#include "model/json_mapping.hpp"
#include "server/query.hpp"

namespace asyncscrape::api {
namespace {

namespace http = boost::beast::http;

boost::json::object job_value(const Job& job) {
    return to_value(job);
}

}  // namespace

Task<server::Reply> list_jobs(const Call& call) {
    const auto params = server::parse_list_params(call.route.query);
    if (!params) {
        co_return server::error_reply(params.error());
    }
    const auto filter = server::job_status_filter(*params);
    if (!filter) {
        co_return server::error_reply(filter.error());
    }
    const auto page = co_await call.runtime().list_jobs(call.collection_id(), call.run_id(),
                                                        *filter, params->page, call.tenant);
    if (!page) {
        co_return server::error_reply(page.error());
    }
    co_return server::json_reply(http::status::ok, list_value(*page, job_value));
}

Task<server::Reply> get_job(const Call& call) {
    const auto job = co_await call.runtime().get_job(call.collection_id(), call.run_id(),
                                                     call.job_id(), call.tenant);
    if (!job) {
        co_return server::error_reply(job.error());
    }
    co_return server::json_reply(http::status::ok, to_value(*job));
}

Task<server::Reply> get_result(const Call& call) {
    const auto result = co_await call.runtime().get_result(call.collection_id(), call.run_id(),
                                                           call.job_id(), call.tenant);
    if (!result) {
        co_return server::error_reply(result.error());
    }
    co_return server::json_reply(http::status::ok, to_value(*result));
}

Task<server::Reply> get_screenshot(const Call& call) {
    auto png = co_await call.runtime().get_screenshot(call.collection_id(), call.run_id(),
                                                      call.job_id(), call.tenant);
    if (!png) {
        co_return server::error_reply(png.error());
    }
    co_return server::content_reply(http::status::ok, "image/png", std::move(*png));
}

}  // namespace asyncscrape::api
