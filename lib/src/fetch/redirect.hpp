// Following a redirect: where it leads and what the next request carries (RFC 9110 §15.4, with
// the method rewriting browsers do).
#pragma once

#include "fetch/http_client.hpp"

#include <asyncscrape/error.hpp>

#include <string_view>

namespace asyncscrape::fetch {

// 301, 302, 303, 307 and 308: the statuses whose Location the client follows.
bool is_redirect_status(int status);

// The request that follows `current` after a redirect `status` with this Location: the Location
// resolved against the current URL; 303 (and 301/302 after a POST) turn into a GET without body,
// 307/308 keep method and body; credentials are not sent to another origin. Fails
// (invalid_argument) for a Location that is no URL or leads to a scheme other than http(s).
Outcome<FetchRequest> follow_redirect(const FetchRequest& current, int status,
                                      std::string_view location);

}  // namespace asyncscrape::fetch
