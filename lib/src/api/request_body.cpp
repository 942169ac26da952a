#include "api/request_body.hpp"

#include "model/json_mapping.hpp"
#include "server/content_type.hpp"

#include <boost/beast/http/field.hpp>

#include <string>

namespace asyncscrape::api {

namespace http = boost::beast::http;

std::optional<server::Reply> refuse_non_json(const server::HttpRequest& request) {
    const auto content_type = request.find(http::field::content_type);
    if (content_type == request.end() || server::is_json_media_type(content_type->value())) {
        return std::nullopt;
    }
    return server::error_reply(http::status::unsupported_media_type,
                               "Content-Type: must be application/json");
}

std::optional<server::Reply> refuse_non_empty(const server::HttpRequest& request) {
    if (request.body().empty()) {
        return std::nullopt;
    }
    if (auto refused = refuse_non_json(request)) {
        return refused;
    }
    const auto body = parse_json_body(request.body());
    if (!body) {
        return server::error_reply(body.error());
    }
    if (!body->is_object()) {
        return server::error_reply(http::status::bad_request, "body: must be a JSON object");
    }
    if (!body->get_object().empty()) {
        const std::string field(body->get_object().begin()->key());
        return server::error_reply(http::status::bad_request, field + ": unknown field");
    }
    return std::nullopt;
}

}  // namespace asyncscrape::api
