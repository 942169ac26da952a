#include "fetch/redirect.hpp"

#include "fetch/target_url.hpp"

#include <boost/beast/core/string.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include <algorithm>
#include <cctype>
#include <initializer_list>
#include <string>

namespace asyncscrape::fetch {

namespace urls = boost::urls;

namespace {

bool is_one_of(std::string_view name, std::initializer_list<std::string_view> names) {
    return std::any_of(names.begin(), names.end(), [&](std::string_view candidate) {
        return boost::beast::iequals(name, candidate);
    });
}

// Servers send raw spaces and UTF-8 in Location; browsers percent-encode them, and so do we.
std::string escape_unsafe_bytes(std::string_view location) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string escaped;
    for (const char c : location) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte <= 0x20 || byte >= 0x7f) {
            escaped += '%';
            escaped += hex[byte >> 4];
            escaped += hex[byte & 0x0f];
        } else {
            escaped += c;
        }
    }
    return escaped;
}

// The scheme a reference starts with ("HTTP" of "HTTP:x"), empty for a relative one.
std::string_view scheme_of(std::string_view reference) {
    const auto colon = reference.find(':');
    if (colon == std::string_view::npos || colon == 0 ||
        !std::isalpha(static_cast<unsigned char>(reference.front()))) {
        return {};
    }
    const bool scheme_chars =
        std::all_of(reference.begin() + 1, reference.begin() + colon, [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
        });
    return scheme_chars ? reference.substr(0, colon) : std::string_view{};
}

void erase_headers(HeaderList& headers, std::initializer_list<std::string_view> names) {
    std::erase_if(headers, [&](const auto& header) { return is_one_of(header.first, names); });
}

}  // namespace

bool is_redirect_status(int status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

Outcome<FetchRequest> follow_redirect(const FetchRequest& current, int status,
                                      std::string_view location) {
    const auto base = urls::parse_uri(current.url);
    const std::string escaped = escape_unsafe_bytes(location);
    // A reference with a scheme but without "//" after it has no host. Said here, not by the
    // parser: Boost 1.81's asserts on some of these ("http:?", "x:[", an empty path and more).
    if (const std::string_view scheme = scheme_of(escaped);
        !scheme.empty() && escaped.compare(scheme.size() + 1, 2, "//") != 0) {
        return invalid(is_one_of(scheme, {"http", "https"})
                           ? "redirect: invalid Location '" + std::string(location) + "'"
                           : "redirect to unsupported scheme '" + std::string(scheme) + "'");
    }
    const auto reference = urls::parse_uri_reference(escaped);
    if (!base || !reference) {
        return invalid("redirect: invalid Location '" + std::string(location) + "'");
    }
    urls::url resolved;
    if (!urls::resolve(*base, *reference, resolved)) {
        return invalid("redirect: invalid Location '" + std::string(location) + "'");
    }
    resolved.remove_fragment();
    resolved.normalize_scheme();
    const auto scheme = resolved.scheme_id();
    if (scheme != urls::scheme::http && scheme != urls::scheme::https) {
        return invalid("redirect to unsupported scheme '" + std::string(resolved.scheme()) + "'");
    }

    FetchRequest next = current;
    next.url = std::string(resolved.buffer());
    const bool becomes_get = (status == 303 && current.method != "HEAD") ||
                             ((status == 301 || status == 302) && current.method == "POST");
    if (becomes_get) {
        next.method = "GET";
        next.body.reset();
        erase_headers(next.headers, {"content-type", "content-length", "content-encoding",
                                     "content-language", "content-location"});
    }
    const auto from = parse_target_url(current.url);
    const auto to = parse_target_url(next.url);
    if (!from || !to || !from->same_origin(*to)) {
        erase_headers(next.headers, {"authorization", "proxy-authorization", "cookie"});
    }
    return next;
}

}  // namespace asyncscrape::fetch
