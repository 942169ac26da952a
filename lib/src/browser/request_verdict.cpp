#include "browser/request_verdict.hpp"

#include "fetch/target_url.hpp"
#include "util/ascii.hpp"

#include <algorithm>
#include <utility>

namespace asyncscrape::browser {

namespace {

// The scheme read from the text itself: data: and javascript: URLs are not always valid URIs.
bool has_http_scheme(std::string_view url) {
    const auto colon = url.find(':');
    if (colon == std::string_view::npos) {
        return false;
    }
    const std::string_view scheme = url.substr(0, colon);
    return equals_ascii_lower(scheme, "http") || equals_ascii_lower(scheme, "https");
}

}  // namespace

std::variant<RequestVerdict, std::string> verdict_for_url(const fetch::AddressGuard& guard,
                                                          std::string_view url) {
    if (!has_http_scheme(url)) {
        return RequestVerdict::proceed;
    }
    Outcome<fetch::TargetUrl> target = fetch::parse_target_url(url);
    if (!target) {
        return RequestVerdict::block;
    }
    if (target.value().literal) {
        return verdict_for_addresses(guard, {*target.value().literal});
    }
    return std::move(target.value().host);
}

RequestVerdict verdict_for_addresses(const fetch::AddressGuard& guard,
                                     const std::vector<boost::asio::ip::address>& addresses) {
    const bool all_permitted = std::all_of(
        addresses.begin(), addresses.end(),
        [&guard](const boost::asio::ip::address& address) { return guard.permits(address); });
    return all_permitted ? RequestVerdict::proceed : RequestVerdict::block;
}

}  // namespace asyncscrape::browser
