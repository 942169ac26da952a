// The HTTP/1.1 request sent for one hop of a fetch, serialised once into the bytes written.
#pragma once

#include "fetch/http_client.hpp"
#include "fetch/target_url.hpp"

#include <string>
#include <string_view>

namespace asyncscrape::fetch {

struct OutgoingRequest {
    std::string bytes;  // request line, header fields, blank line and body, as sent
    bool head = false;  // a HEAD: its response has no body whatever its headers say
};

// The user's headers as given, then what they left out: Host (always the URL's, since the
// connection is chosen by it), User-Agent (`default_user_agent`) and Accept-Encoding (the codings
// we decode). A body is sent with its Content-Length. The method, header names and values are
// the validated ones of a Request (tokens; no CR, LF or NUL in values), so they are written as
// they are.
OutgoingRequest make_outgoing_request(const FetchRequest& request, const TargetUrl& target,
                                      std::string_view default_user_agent);

}  // namespace asyncscrape::fetch
