// Response header fields as job results show them.
#pragma once

#include <asyncscrape/model.hpp>

#include <boost/beast/http/fields.hpp>

namespace asyncscrape::fetch {

// Lower-case names in the order they first appear; a repeated field is joined into one value
// with ", " (RFC 9110 §5.3), except set-cookie, whose values may contain commas, with "\n".
HeaderList collect_response_headers(const boost::beast::http::fields& fields);

}  // namespace asyncscrape::fetch
