#include "fetch/outgoing_request.hpp"

#include <boost/beast/core/string.hpp>

#include <algorithm>

namespace asyncscrape::fetch {

namespace {

bool has_header(const HeaderList& headers, std::string_view name) {
    return std::any_of(headers.begin(), headers.end(), [&](const auto& header) {
        return boost::beast::iequals(header.first, name);
    });
}

void append_field(std::string& out, std::string_view name, std::string_view value) {
    out.append(name).append(": ").append(value).append("\r\n");
}

}  // namespace

OutgoingRequest make_outgoing_request(const FetchRequest& request, const TargetUrl& target,
                                      std::string_view default_user_agent) {
    OutgoingRequest message;
    message.head = request.method == "HEAD";
    std::string& out = message.bytes;
    // Room for a typical request at once: a few appends, one allocation.
    out.reserve(256 + target.target.size() + (request.body ? request.body->size() : 0));
    out.append(request.method).append(" ").append(target.target).append(" HTTP/1.1\r\n");
    append_field(out, "Host", target.host_header);
    for (const auto& [name, value] : request.headers) {
        // Framing is ours to decide from the body we send.
        if (boost::beast::iequals(name, "host") || boost::beast::iequals(name, "content-length")) {
            continue;
        }
        append_field(out, name, value);
    }
    if (!has_header(request.headers, "user-agent")) {
        append_field(out, "User-Agent", default_user_agent);
    }
    if (!has_header(request.headers, "accept-encoding")) {
        append_field(out, "Accept-Encoding", "gzip, deflate");
    }
    if (request.body) {
        append_field(out, "Content-Length", std::to_string(request.body->size()));
    }
    out.append("\r\n");
    if (request.body) {
        out.append(*request.body);
    }
    return message;
}

}  // namespace asyncscrape::fetch
