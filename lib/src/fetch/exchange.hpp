// One request and its response on an open connection: the request written, the response read
// within the header and body limits, and its body decoded as it arrives.
#pragma once

#include "fetch/connection.hpp"
#include "fetch/fetch_failure.hpp"
#include "fetch/outgoing_request.hpp"

#include <asyncscrape/model.hpp>

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

namespace asyncscrape::fetch {

struct Exchange {
    std::optional<FetchFailure> failure;
    // The connection failed before any byte of a response arrived: on a reused connection, the
    // sign that the server had closed it while it sat idle.
    bool nothing_received = false;
    int status = 0;  // set once the response headers arrived
    HeaderList headers;
    std::string body;       // decoded
    bool reusable = false;  // the response was read completely and did not ask to close
    double ttfb_ms = 0;     // from the request written to the response headers read
};

// Runs on the connection's own deadline (its transport's expiry), which is also `deadline`.
// `max_body_bytes` bounds the body as received and as decoded.
boost::asio::awaitable<Exchange> exchange(Connection& connection, const OutgoingRequest& request,
                                          std::size_t max_body_bytes,
                                          std::chrono::steady_clock::time_point deadline);

}  // namespace asyncscrape::fetch
