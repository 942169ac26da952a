#include "server/reply.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace asyncscrape::server {
namespace {

namespace http = boost::beast::http;

http::status status_of(Errc code) {
    switch (code) {
        case Errc::invalid_argument:
            return http::status::bad_request;
        case Errc::not_found:
            return http::status::not_found;
        case Errc::conflict:
            return http::status::conflict;
        case Errc::unavailable:
            return http::status::service_unavailable;
        case Errc::over_limit:
            return http::status::too_many_requests;
    }
    return http::status::internal_server_error;
}

}  // namespace

Reply content_reply(http::status status, std::string_view content_type, std::string body) {
    Reply reply;
    reply.response.result(status);
    reply.response.set(http::field::content_type, content_type);
    reply.response.body() = std::move(body);
    return reply;
}

Reply json_reply(http::status status, const boost::json::value& body) {
    return content_reply(status, "application/json", boost::json::serialize(body));
}

Reply json_reply(http::status status, const boost::json::object& body) {
    return content_reply(status, "application/json", boost::json::serialize(body));
}

Reply error_reply(http::status status, std::string_view detail) {
    return json_reply(status, boost::json::object{{"detail", detail}});
}

Reply error_reply(const Error& error) {
    Reply reply = error_reply(status_of(error.code), error.detail);
    if (error.code == Errc::over_limit) {
        // A tenant's queue drains at the speed of its jobs: a second is a fair first wait.
        reply.response.set(http::field::retry_after, "1");
    }
    return reply;
}

}  // namespace asyncscrape::server
