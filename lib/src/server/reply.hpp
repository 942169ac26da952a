// What a handler answers: a complete response, or the head of one whose body is streamed with
// chunked transfer encoding. The session fills in what depends on the connection (HTTP version,
// keep-alive, Content-Length, Server).
#pragma once

#include <asyncscrape/error.hpp>
#include <asyncscrape/store.hpp>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/json/fwd.hpp>

#include <memory>
#include <string>
#include <string_view>

namespace asyncscrape::server {

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;
using HttpResponse = boost::beast::http::response<boost::beast::http::string_body>;

// A body too large to hold at once, produced piece by piece.
class BodyStream {
  public:
    virtual ~BodyStream() = default;
    // The next piece of the body; an empty string ends it.
    virtual Task<std::string> next() = 0;
};

struct Reply {
    HttpResponse response;               // with `stream`, only its head is used
    std::unique_ptr<BodyStream> stream;  // null for a complete response
};

// A complete body of the given media type (an image, say).
Reply content_reply(boost::beast::http::status status, std::string_view content_type,
                    std::string body);

// A JSON answer, serialised straight into the body.
Reply json_reply(boost::beast::http::status status, const boost::json::value& body);
Reply json_reply(boost::beast::http::status status, const boost::json::object& body);

// {"detail": "..."} with the given status.
Reply error_reply(boost::beast::http::status status, std::string_view detail);
// An Outcome's error with the status its kind maps to (400, 404, 409, 503).
Reply error_reply(const Error& error);

}  // namespace asyncscrape::server
