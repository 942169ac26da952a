// The guard's rule for one request a page makes, apart from the browser: which URLs are let
// through at once, which are refused at once, and which wait for their host's addresses.
#pragma once

#include "fetch/ssrf_guard.hpp"

#include <boost/asio/ip/address.hpp>

#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace asyncscrape::browser {

enum class RequestVerdict {
    proceed,
    block,
};

// The verdict on `url` when the URL alone decides it: schemes other than http and https (data:,
// blob:, about:, ...) proceed, an http(s) URL that cannot be taken apart is blocked, and so is an
// address literal the guard refuses. Otherwise the lower-case host name whose addresses decide.
std::variant<RequestVerdict, std::string> verdict_for_url(const fetch::AddressGuard& guard,
                                                          std::string_view url);

// The verdict on a host that resolved to `addresses`: blocked when the guard refuses any of them,
// as the browser may connect to whichever it likes.
RequestVerdict verdict_for_addresses(const fetch::AddressGuard& guard,
                                     const std::vector<boost::asio::ip::address>& addresses);

}  // namespace asyncscrape::browser
