#include "fetch/target_url.hpp"

#include "util/ascii.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

namespace asyncscrape::fetch {

namespace urls = boost::urls;

Outcome<TargetUrl> parse_target_url(std::string_view text) {
    // Without "//" after "scheme:" there is no host. Said here, not by the parser: Boost 1.81's
    // asserts on some of these ("http:?", "x:[", an empty path and more).
    if (const auto colon = text.find(':');
        colon != std::string_view::npos && text.compare(colon + 1, 2, "//") != 0) {
        return invalid("invalid URL: no host");
    }
    const auto parsed = urls::parse_uri(text);
    if (!parsed) {
        return invalid("invalid URL: " + parsed.error().message());
    }
    const urls::url_view& url = *parsed;
    TargetUrl target;
    switch (url.scheme_id()) {
        case urls::scheme::http:
            target.tls = false;
            break;
        case urls::scheme::https:
            target.tls = true;
            break;
        default:
            return invalid("unsupported URL scheme '" + std::string(url.scheme()) + "'");
    }
    const std::uint16_t default_port = target.tls ? 443 : 80;
    switch (url.host_type()) {
        case urls::host_type::ipv4:
            target.literal = boost::asio::ip::make_address_v4(url.host_ipv4_address().to_bytes());
            break;
        case urls::host_type::ipv6:
            target.literal = boost::asio::ip::make_address_v6(url.host_ipv6_address().to_bytes());
            break;
        case urls::host_type::name:
            break;
        default:
            return invalid("invalid URL: no usable host");
    }
    target.host = url.host_address();
    make_ascii_lower_case(target.host);
    if (target.host.empty()) {
        return invalid("invalid URL: no host");
    }
    target.port = url.has_port() && !url.port().empty() ? url.port_number() : default_port;
    if (url.has_port() && !url.port().empty() && target.port == 0) {
        return invalid("invalid URL: bad port '" + std::string(url.port()) + "'");
    }
    target.host_header =
        target.literal && target.literal->is_v6() ? "[" + target.host + "]" : target.host;
    if (target.port != default_port) {
        target.host_header += ":" + std::to_string(target.port);
    }
    target.target = url.encoded_target();
    if (target.target.empty() || target.target.front() != '/') {
        target.target.insert(0, "/");
    }
    return target;
}

}  // namespace asyncscrape::fetch
