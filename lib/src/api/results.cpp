#include "api/results.hpp"

#include "model/json_mapping.hpp"
#include "server/query.hpp"
#include "util/log.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/json/serialize.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace asyncscrape::api {
namespace {

namespace http = boost::beast::http;

// Results fetched from the store at once: each page becomes one chunk of the body.
constexpr std::size_t page_size = 256;

class ResultsStream final : public server::BodyStream {
  public:
    ResultsStream(Runtime& runtime, TenantId tenant, std::string collection_id, std::string run_id,
                  std::optional<JobStatus> filter, std::vector<JobResult> first_page)
        : runtime_(runtime),
          tenant_(std::move(tenant)),
          collection_id_(std::move(collection_id)),
          run_id_(std::move(run_id)),
          filter_(filter),
          page_(std::move(first_page)) {}

    Task<std::string> next() override {
        if (page_.empty() && !last_page_seen_) {
            auto page = co_await runtime_.results_after(collection_id_, run_id_, filter_,
                                                        after_index_, page_size, tenant_);
            if (!page) {
                // The head went out already: all that is left is to end the body early.
                log(LogLevel::warn, "results of run ", run_id_,
                    " ended early: ", page.error().detail);
                co_return std::string();
            }
            page_ = std::move(page).value();
        }
        co_return take_page();
    }

  private:
    // The current page as NDJSON lines, advancing the cursor past it.
    std::string take_page() {
        last_page_seen_ = page_.size() < page_size;
        std::string lines;
        for (const JobResult& result : page_) {
            lines += boost::json::serialize(to_value(result));
            lines += '\n';
            after_index_ = result.index;
        }
        page_.clear();
        return lines;
    }

    Runtime& runtime_;
    TenantId tenant_;
    std::string collection_id_;
    std::string run_id_;
    std::optional<JobStatus> filter_;
    std::vector<JobResult> page_;
    std::int64_t after_index_ = -1;
    bool last_page_seen_ = false;
};

}  // namespace

Task<server::Reply> export_results(const Call& call) {
    const auto params = server::parse_list_params(call.route.query);
    if (!params) {
        co_return server::error_reply(params.error());
    }
    const auto filter = server::job_status_filter(*params);
    if (!filter) {
        co_return server::error_reply(filter.error());
    }
    // The first page is fetched before answering, so that an unknown run is still a 404.
    auto first_page = co_await call.runtime().results_after(call.collection_id(), call.run_id(),
                                                            *filter, -1, page_size, call.tenant);
    if (!first_page) {
        co_return server::error_reply(first_page.error());
    }
    server::Reply reply;
    reply.response.result(http::status::ok);
    reply.response.set(http::field::content_type, "application/x-ndjson");
    reply.stream =
        std::make_unique<ResultsStream>(call.runtime(), call.tenant, call.collection_id(),
                                        call.run_id(), *filter, std::move(first_page).value());
    co_return std::move(reply);
}

}  // namespace asyncscrape::api
