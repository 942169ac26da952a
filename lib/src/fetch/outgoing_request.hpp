// The HTTP/1.1 request message sent for one hop of a fetch.
#pragma once

#include "fetch/http_client.hpp"
#include "fetch/target_url.hpp"

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <string_view>

namespace asyncscrape::fetch {

// The user's headers as given, then what they left out: Host (always the URL's, since the
// connection is chosen by it), User-Agent (`default_user_agent`) and Accept-Encoding (the codings
// we decode). A body is sent with its Content-Length.
boost::beast::http::request<boost::beast::http::string_body> make_outgoing_request(
    const FetchRequest& request, const TargetUrl& target, std::string_view default_user_agent);

}  // namespace asyncscrape::fetch
