// A response's status line and header fields, serialised by hand into one string: Beast's
// serializer walks a concatenation of buffer sequences per write, which profiling of the API's
// hottest call (GET of a run's status) put at about 7% of the server's time.
#pragma once

#include <boost/beast/http/message.hpp>

#include <string>

namespace asyncscrape::server {

// "HTTP/1.x <code> <reason>\r\n", then every field as "Name: value\r\n", then "\r\n": the bytes
// Beast's serializer writes before the body. The reason is the response's own, or the standard
// one of its status when it has none.
std::string serialize_head(const boost::beast::http::response_header<>& head);

}  // namespace asyncscrape::server
