#include "api/collections.hpp"

#include "api/list_value.hpp"
#include "api/request_body.hpp"
#include "model/json_mapping.hpp"
#include "server/query.hpp"

#include <boost/json/object.hpp>

namespace asyncscrape::api {
namespace {

namespace http = boost::beast::http;

// The answer to a create or an update, as the seed shows it (plus total_requests).
boost::json::object saved_value(const Collection& collection, std::string_view message) {
    return {{"id", collection.id},
            {"name", collection.name},
            {"message", message},
            {"total_requests", collection.total_requests()}};
}

}  // namespace

Task<server::Reply> create_collection(const Call& call) {
    if (auto refused = refuse_non_json(call.request)) {
        co_return std::move(*refused);
    }
    // The body's shape only: Runtime applies the contract's rules, once for every request.
    auto spec = read_collection_spec(std::string_view(call.request.body()), call.context.limits);
    if (!spec) {
        co_return server::error_reply(spec.error());
    }
    const auto collection =
        co_await call.runtime().create_collection(std::move(spec).value(), call.tenant);
    if (!collection) {
        co_return server::error_reply(collection.error());
    }
    co_return server::json_reply(http::status::created,
                                 saved_value(*collection, "Collection created successfully."));
}

Task<server::Reply> list_collections(const Call& call) {
    const auto params = server::parse_list_params(call.route.query);
    if (!params) {
        co_return server::error_reply(params.error());
    }
    const auto page = co_await call.runtime().list_collections(params->page, call.tenant);
    co_return server::json_reply(http::status::ok, list_value(page, to_summary_value));
}

Task<server::Reply> get_collection(const Call& call) {
    const auto collection =
        co_await call.runtime().get_collection(call.collection_id(), call.tenant);
    if (!collection) {
        co_return server::error_reply(collection.error());
    }
    co_return server::json_reply(http::status::ok, to_value(*collection));
}

Task<server::Reply> update_collection(const Call& call) {
    if (auto refused = refuse_non_json(call.request)) {
        co_return std::move(*refused);
    }
    // The body's shape only: Runtime checks the fields it gives.
    auto patch = read_collection_patch(std::string_view(call.request.body()), call.context.limits);
    if (!patch) {
        co_return server::error_reply(patch.error());
    }
    const auto collection = co_await call.runtime().update_collection(
        call.collection_id(), std::move(patch).value(), call.tenant);
    if (!collection) {
        co_return server::error_reply(collection.error());
    }
    co_return server::json_reply(http::status::ok,
                                 saved_value(*collection, "Collection updated successfully."));
}

Task<server::Reply> delete_collection(const Call& call) {
    const auto id = co_await call.runtime().delete_collection(call.collection_id(), call.tenant);
    if (!id) {
        co_return server::error_reply(id.error());
    }
    co_return server::json_reply(
        http::status::ok,
        boost::json::object{{"id", *id}, {"message", "Collection deleted successfully."}});
}

}  // namespace asyncscrape::api
