// An absolute http(s) URL taken apart into what one request to it needs.
#pragma once

#include <asyncscrape/error.hpp>

#include <boost/asio/ip/address.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace asyncscrape::fetch {

struct TargetUrl {
    bool tls = false;         // https
    std::string host;         // lower-case, IPv6 without brackets: what DNS and SNI take
    std::uint16_t port = 0;   // the default port of the scheme when the URL names none
    std::string host_header;  // host, with ":port" when it is not the default
    std::string target;       // origin-form request target: path and query, never empty
    std::optional<boost::asio::ip::address> literal;  // the address when the host is one

    // Same scheme, host and port: what a connection (and an origin) is for.
    bool same_origin(const TargetUrl& other) const {
        return tls == other.tls && host == other.host && port == other.port;
    }
};

// Fails (invalid_argument, with a sentence) for anything but an absolute http or https URL with
// a host.
Outcome<TargetUrl> parse_target_url(std::string_view url);

}  // namespace asyncscrape::fetch
