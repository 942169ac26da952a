#include "model/url.hpp"

#include "util/ascii.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include <cctype>
#include <cstdint>
#include <optional>

namespace asyncscrape {
namespace {

constexpr std::size_t max_url_bytes = 8192;
constexpr std::string_view bad_host = "host must be a domain name or an IP address";

bool is_scheme_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
}

// Whether `text` starts with "scheme:". "localhost:8080/a" does not: a colon followed by a digit
// begins a port, so a bare host with a port still gets the default https://.
bool has_scheme(std::string_view text) {
    const auto colon = text.find(':');
    if (colon == std::string_view::npos || colon == 0 ||
        !std::isalpha(static_cast<unsigned char>(text[0]))) {
        return false;
    }
    for (std::size_t i = 1; i < colon; ++i) {
        if (!is_scheme_char(text[i])) {
            return false;
        }
    }
    return colon + 1 == text.size() || !std::isdigit(static_cast<unsigned char>(text[colon + 1]));
}

bool is_http_or_https(std::string_view scheme) {
    return equals_ascii_lower(scheme, "http") || equals_ascii_lower(scheme, "https");
}

bool is_space_or_control(char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte <= 0x20 || byte == 0x7F;
}

// Printable characters RFC 3986 does not allow in a path, query or fragment, but that people
// paste from browsers (which send them percent-encoded): non-ASCII, quotes, brackets, braces.
bool needs_encoding(char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte >= 0x80 || std::string_view("\"<>\\^`{|}[]").find(c) != std::string_view::npos;
}

// Percent-encodes what needs it after the authority; the authority itself is left to the parser,
// which refuses such characters in a host.
std::string encode_after_authority(std::string_view url) {
    const auto authority = url.find("//");
    const auto tail =
        url.find_first_of("/?#", authority == std::string_view::npos ? 0 : authority + 2);
    if (tail == std::string_view::npos) {
        return std::string(url);
    }
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out(url.substr(0, tail));
    for (const char c : url.substr(tail)) {
        if (needs_encoding(c)) {
            const auto byte = static_cast<unsigned char>(c);
            out += '%';
            out += hex[byte >> 4];
            out += hex[byte & 0x0F];
        } else {
            out += c;
        }
    }
    return out;
}

// A registered name that DNS can resolve: letters, digits, '-', '.' and '_' (lower-cased already).
bool is_dns_name(std::string_view host) {
    if (host.empty()) {
        return false;
    }
    for (const char c : host) {
        if (!(std::islower(static_cast<unsigned char>(c)) ||
              std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_')) {
            return false;
        }
    }
    return true;
}

std::uint16_t default_port(std::string_view scheme) {
    return scheme == "http" ? 80 : 443;
}

// The number of a non-empty port, nullopt outside 1..65535 (url::port_number() wraps around
// instead in Boost 1.81).
std::optional<std::uint16_t> parse_port(std::string_view digits) {
    std::uint32_t port = 0;
    for (const char c : digits) {
        port = port * 10 + static_cast<std::uint32_t>(c - '0');  // the parser allows only digits
        if (port > 65535) {
            return std::nullopt;
        }
    }
    return port == 0 ? std::nullopt : std::optional<std::uint16_t>(port);
}

}  // namespace

Outcome<std::string> normalize_url(std::string_view text) {
    if (text.size() > max_url_bytes) {
        return invalid("must be at most 8192 bytes");
    }
    for (const char c : text) {
        if (is_space_or_control(c)) {
            return invalid("must not contain spaces or control characters");
        }
    }
    std::string absolute;
    if (text.starts_with("//")) {
        absolute = "https:" + std::string(text);
    } else if (!has_scheme(text)) {
        absolute = "https://" + std::string(text);
    } else {
        absolute = std::string(text);
    }
    // Without "//" after "scheme:" there is no authority, so no host. Said here, not by the
    // parser: Boost 1.81's asserts on some of these ("http:?", "a:[", an empty path and more).
    const std::size_t colon = absolute.find(':');
    if (absolute.compare(colon + 1, 2, "//") != 0) {
        return invalid(is_http_or_https(std::string_view(absolute).substr(0, colon))
                           ? "must have a host"
                           : "scheme must be http or https");
    }
    const std::string encoded = encode_after_authority(absolute);
    const auto parsed = boost::urls::parse_uri(encoded);
    // After an authority a path is empty or starts with '/' (RFC 3986 §3.3), but Boost 1.81 reads
    // "host:80page" as port 80 and the path "page": dropping the default port would then glue
    // the path to the host, a request to "https://hostpage/".
    if (parsed.has_error() || (parsed->has_authority() && !parsed->encoded_path().empty() &&
                               !parsed->encoded_path().starts_with('/'))) {
        return invalid("is not a valid URL");
    }
    boost::urls::url url = *parsed;
    url.normalize_scheme();
    if (url.scheme() != "http" && url.scheme() != "https") {
        return invalid("scheme must be http or https");
    }
    if (!url.has_authority() || url.encoded_host().empty()) {
        return invalid("must have a host");
    }
    if (url.has_userinfo()) {
        return invalid("must not contain credentials");
    }
    url.normalize_authority();
    switch (url.host_type()) {
        case boost::urls::host_type::ipv4:
        case boost::urls::host_type::ipv6:
            break;
        case boost::urls::host_type::name:
            if (!is_dns_name(url.encoded_host())) {
                return invalid(std::string(bad_host));
            }
            break;
        default:
            return invalid(std::string(bad_host));
    }
    if (url.has_port() && url.port().empty()) {  // "http://host:/"
        url.remove_port();
    }
    if (url.has_port()) {
        const auto port = parse_port(url.port());
        if (!port) {
            return invalid("port must be between 1 and 65535");
        }
        if (*port == default_port(url.scheme())) {
            url.remove_port();
        } else {
            url.set_port_number(*port);  // drops leading zeros
        }
    }
    std::string normalized(url.buffer());
    if (url.encoded_path().empty()) {
        // Spliced in by hand: url::set_encoded_path("/") writes "/./" in Boost 1.81.
        normalized.insert(url.scheme().size() + 3 + url.encoded_authority().size(), 1, '/');
    }
    if (normalized.size() > max_url_bytes) {
        return invalid("must be at most 8192 bytes");
    }
    return normalized;
}

namespace {

// origin_of for what normalize_url writes: "http" or "https", "://", an authority without
// credentials, a port only when not the default, then a path that starts with '/'. Read by hand:
// a run's start takes the origin of every request, and a URL parser costs a microsecond each.
std::optional<std::string> origin_of_normalized(std::string_view url) {
    std::string_view scheme;
    if (url.starts_with("https://")) {
        scheme = "https";
    } else if (url.starts_with("http://")) {
        scheme = "http";
    } else {
        return std::nullopt;
    }
    const std::size_t authority_begin = scheme.size() + 3;
    const std::size_t path_begin = url.find('/', authority_begin);
    if (path_begin == std::string_view::npos || path_begin == authority_begin) {
        return std::nullopt;
    }
    const std::string_view authority = url.substr(authority_begin, path_begin - authority_begin);
    if (authority.find_first_of("@?#") != std::string_view::npos) {
        return std::nullopt;
    }
    // A colon after the host (after the ']' of an IPv6 literal) starts the port.
    std::size_t host_end = 0;
    if (authority.starts_with('[')) {
        host_end = authority.find(']');
        if (host_end == std::string_view::npos) {
            return std::nullopt;
        }
    }
    const std::size_t colon = authority.find(':', host_end);
    std::string origin;
    origin.reserve(path_begin + 6);
    origin.append(scheme).append("://");
    if (colon == std::string_view::npos) {
        origin.append(authority).append(":").append(std::to_string(default_port(scheme)));
    } else {
        origin.append(authority);
    }
    return origin;
}

}  // namespace

std::string origin_of(std::string_view normalized_url) {
    if (auto origin = origin_of_normalized(normalized_url)) {
        return std::move(*origin);
    }
    const auto parsed = boost::urls::parse_uri(normalized_url);
    if (parsed.has_error()) {
        return std::string(normalized_url);  // not normalised: at worst its own key
    }
    const auto& url = *parsed;
    std::string origin(url.scheme());
    origin += "://";
    origin += url.encoded_host();
    origin += ':';
    origin += std::to_string(url.has_port() && !url.port().empty() ? url.port_number()
                                                                   : default_port(url.scheme()));
    return origin;
}

}  // namespace asyncscrape
