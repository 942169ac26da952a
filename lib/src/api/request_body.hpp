// Checks on request bodies shared by the handlers that take one.
#pragma once

#include "server/reply.hpp"

#include <optional>

namespace asyncscrape::api {

// A 415 when the request says its body is something other than JSON. A missing Content-Type is
// taken as JSON, as curl and most clients send bodies without one.
std::optional<server::Reply> refuse_non_json(const server::HttpRequest& request);

// The body of the POSTs that take no input (run, cancel): empty, with or without a Content-Type,
// or an empty JSON object. Anything else is refused with the reason.
std::optional<server::Reply> refuse_non_empty(const server::HttpRequest& request);

}  // namespace asyncscrape::api
