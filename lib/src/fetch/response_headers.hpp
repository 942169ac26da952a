// Response header fields as job results show them.
#pragma once

#include <asyncscrape/model.hpp>

#include <boost/beast/http/fields.hpp>

#include <iterator>
#include <string_view>

namespace asyncscrape::fetch {

// Adds one field: a new lower-cased name at the end, or a repeated one joined to the value it
// already has with ", " (RFC 9110 §5.3), except set-cookie, whose values may contain commas,
// with "\n".
void add_response_header(HeaderList& headers, std::string_view name, std::string_view value);

// Lower-case names in the order they first appear, repeated fields joined (add_response_header).
// Any allocator of Beast's fields: the fetcher parses into an arena (exchange.cpp).
template <class Allocator>
HeaderList collect_response_headers(const boost::beast::http::basic_fields<Allocator>& fields) {
    HeaderList headers;
    headers.reserve(static_cast<std::size_t>(std::distance(fields.begin(), fields.end())));
    for (const auto& field : fields) {
        add_response_header(headers, field.name_string(), field.value());
    }
    return headers;
}

}  // namespace asyncscrape::fetch
