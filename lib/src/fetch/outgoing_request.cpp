#include "fetch/outgoing_request.hpp"

#include <algorithm>
#include <cctype>

namespace asyncscrape::fetch {

namespace http = boost::beast::http;

namespace {

bool equals_ignoring_case(std::string_view a, std::string_view b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
        return std::tolower(static_cast<unsigned char>(x)) ==
               std::tolower(static_cast<unsigned char>(y));
    });
}

}  // namespace

http::request<http::string_body> make_outgoing_request(const FetchRequest& request,
                                                       const TargetUrl& target,
                                                       std::string_view default_user_agent) {
    http::request<http::string_body> message;
    message.version(11);
    message.method_string(request.method);
    message.target(target.target);
    message.set(http::field::host, target.host_header);
    for (const auto& [name, value] : request.headers) {
        // Framing is ours to decide from the body we send.
        if (equals_ignoring_case(name, "host") || equals_ignoring_case(name, "content-length")) {
            continue;
        }
        message.insert(name, value);
    }
    if (message.find(http::field::user_agent) == message.end()) {
        message.set(http::field::user_agent, default_user_agent);
    }
    if (message.find(http::field::accept_encoding) == message.end()) {
        message.set(http::field::accept_encoding, "gzip, deflate");
    }
    if (request.body) {
        message.body() = *request.body;
        message.content_length(message.body().size());
    }
    return message;
}

}  // namespace asyncscrape::fetch
