// The rules of a collection, as the API enforces them (docs/api.md documents them for clients).
//
// Everywhere
// - Unknown fields are refused at every level: "<path>: unknown field" (the JSON parser).
// - null means "not given" for a field that has a default; a required field must hold a value.
//   In a PUT, `callback_url: null` removes the callback; `name`/`requests` cannot be null.
// - Integers are JSON integers, or doubles with an integral value (5000.0); 1.5, strings and
//   booleans are refused with the field's range: "must be an integer between A and B".
//   Booleans are JSON true/false only.
// - Every string is valid UTF-8 (the JSON parser guarantees it; validate() checks it).
// A collection
// - name: required string of 1..256 characters (Unicode code points).
// - requests: required array of 1..max_requests request objects.
// - callback_url: optional http(s) URL, normalised like a request's url.
// - PUT: at least one of name, requests, callback_url; each follows the rules above.
// A request
// - url: required string, normalised by normalize_url (model/url.hpp): https:// added when no
//   scheme is given; http or https only; a host is required (a domain name, IPv4, or an IPv6
//   literal in brackets); no credentials (user:password@); no spaces or control characters;
//   other characters browsers would escape are percent-encoded; at most 8192 bytes; scheme and
//   host lower-cased, default port dropped, empty path made "/", query and fragment kept.
// - browser, screenshot: booleans, default false; screenshot: true needs browser: true.
// - method: case-insensitive, stored upper-case, default GET. Plain requests: GET HEAD POST PUT
//   PATCH DELETE OPTIONS; browser requests: GET only.
// - headers: object of string -> string. Names are HTTP tokens (RFC 9110), unique regardless of
//   case; values have no CR, LF or NUL. Refused because the fetcher owns them: hop-by-hop
//   headers (Connection, Keep-Alive, Proxy-Connection, Transfer-Encoding, TE, Trailer,
//   Upgrade), Host (from the URL) and Content-Length (from the body).
// - body: string, plain requests only.
// - timeout_ms: integer 1000..300000, default the server's request timeout (30000).
// - custom_id: string of at most 255 characters, or null.
// - actions: array of action objects; plain requests accept only wait-for-timeout.
// An action
// - type: required, one of the twelve types of the contract; each type takes only its own fields
//   (model/action_fields.cpp), and those marked required there are required.
// - on_error: "fail" (default) or "skip". timeout: integer 1..300000, default 10000.
// - time (wait-for-timeout): 0..60000. delay (type, scroll-to-bottom): 0..60000.
//   max_scrolls: 1..1000. x, y (scroll): -1000000..1000000 pixels.
// - selector, key, script: non-empty strings. value, text: strings, may be empty.
// - state (wait-for-selector): attached | visible | hidden, default visible.
#include "model/validation.hpp"

#include "model/action_fields.hpp"
#include "model/field_path.hpp"
#include "model/url.hpp"
#include "model/utf8.hpp"
#include "util/ascii.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <unordered_set>

namespace asyncscrape {
namespace {

constexpr std::size_t max_name_chars = 256;
constexpr std::size_t max_custom_id_chars = 255;

constexpr std::array<std::string_view, 7> plain_methods{"GET",   "HEAD",   "POST",   "PUT",
                                                        "PATCH", "DELETE", "OPTIONS"};
constexpr std::array<std::string_view, 7> hop_by_hop_headers{
    "connection", "keep-alive", "proxy-connection", "transfer-encoding",
    "te",         "trailer",    "upgrade"};

Problem problem_at(std::string_view path, std::string_view what) {
    return invalid(std::string(path) + ": " + std::string(what));
}

Problem problem_at(const FieldPath& path, std::string_view what) {
    return problem_at(path.str(), what);
}

Problem check_text(const FieldPath& path, std::string_view text) {
    return is_valid_utf8(text) ? Problem{} : problem_at(path, "must be valid UTF-8");
}

Problem check_integer(const FieldPath& path, std::int64_t n, IntRange range) {
    return range.contains(n) ? Problem{} : problem_at(path, must_be_integer_between(range));
}

Problem check_non_empty(const FieldPath& path, const std::string& text) {
    return text.empty() ? problem_at(path, "must not be empty") : check_text(path, text);
}

bool is_token(std::string_view name) {
    constexpr std::string_view token_symbols = "!#$%&'*+-.^_`|~";
    return !name.empty() && std::all_of(name.begin(), name.end(), [&](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) ||
               token_symbols.find(c) != std::string_view::npos;
    });
}

Problem check_headers(const HeaderList& headers, const FieldPath& request_path) {
    const FieldPath path = request_path.field("headers");
    std::unordered_set<std::string> seen;
    for (const auto& [name, value] : headers) {
        if (!is_token(name)) {
            return problem_at(path, "\"" + name + "\" is not a valid header name");
        }
        const FieldPath header_path = path.field(name);
        const std::string lower = ascii_lower_case(name);
        if (std::find(hop_by_hop_headers.begin(), hop_by_hop_headers.end(), lower) !=
            hop_by_hop_headers.end()) {
            return problem_at(header_path, "hop-by-hop header not allowed");
        }
        if (lower == "host") {
            return problem_at(header_path, "set from the url, not allowed");
        }
        if (lower == "content-length") {
            return problem_at(header_path, "set from the body, not allowed");
        }
        if (!seen.insert(lower).second) {
            return problem_at(header_path, "given twice (header names ignore case)");
        }
        if (value.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
            return problem_at(header_path, "must not contain CR, LF or NUL");
        }
        if (auto problem = check_text(header_path, value)) {
            return problem;
        }
    }
    return {};
}

Problem check_method(std::string& method, bool browser, const FieldPath& path) {
    make_ascii_upper_case(method);
    if (std::find(plain_methods.begin(), plain_methods.end(), method) == plain_methods.end()) {
        return problem_at(path, "must be one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");
    }
    if (browser && method != "GET") {
        return problem_at(path, "browser requests support only GET");
    }
    return {};
}

Problem check_action_field(const Action& action, ActionField field, const FieldPath& path) {
    switch (field) {
        case ActionField::time:
            return check_integer(path, action.time_ms, wait_time_range);
        case ActionField::selector:
            return check_non_empty(path, action.selector);
        case ActionField::state:
            return {};  // every value of the enumeration is valid
        case ActionField::value:
            return check_text(path, action.value);
        case ActionField::text:
            return check_text(path, action.text);
        case ActionField::delay:
            return action.delay_ms ? check_integer(path, *action.delay_ms, delay_range) : Problem{};
        case ActionField::key:
            return check_non_empty(path, action.key);
        case ActionField::x:
            return action.x ? check_integer(path, *action.x, scroll_offset_range) : Problem{};
        case ActionField::y:
            return action.y ? check_integer(path, *action.y, scroll_offset_range) : Problem{};
        case ActionField::max_scrolls:
            return action.max_scrolls ? check_integer(path, *action.max_scrolls, max_scrolls_range)
                                      : Problem{};
        case ActionField::script:
            return check_non_empty(path, action.script);
    }
    return {};
}

Problem check_action(const Action& action, bool browser, const FieldPath& path) {
    if (!browser && action.type != ActionType::wait_for_timeout) {
        std::string what = "\"";
        what += to_string(action.type);
        what += "\" needs browser: true";
        return problem_at(path.field("type"), what);
    }
    if (auto problem =
            check_integer(path.field("timeout"), action.timeout_ms, action_timeout_range)) {
        return problem;
    }
    for (const auto& use : fields_of(action.type)) {
        if (auto problem =
                check_action_field(action, use.field, path.field(to_string(use.field)))) {
            return problem;
        }
    }
    return {};
}

}  // namespace

std::string must_be_integer_between(IntRange range) {
    return "must be an integer between " + std::to_string(range.min) + " and " +
           std::to_string(range.max);
}

std::string must_be_name() {
    return "must be a string of 1 to " + std::to_string(max_name_chars) + " characters";
}

std::string must_be_request_array(const ValidationLimits& limits) {
    return "must be an array of 1 to " + std::to_string(limits.max_requests) + " requests";
}

namespace {

Problem check_name(const std::string& name) {
    if (!is_valid_utf8(name)) {
        return problem_at("name", "must be valid UTF-8");
    }
    const std::size_t chars = count_code_points(name);
    return chars >= 1 && chars <= max_name_chars ? Problem{} : problem_at("name", must_be_name());
}

Problem check_callback_url(std::optional<std::string>& callback_url) {
    if (!callback_url) {
        return {};
    }
    auto normalized = normalize_url(*callback_url);
    if (!normalized) {
        return problem_at("callback_url", normalized.error().detail);
    }
    *callback_url = std::move(normalized).value();
    return {};
}

Problem check_request(Request& request, const FieldPath& path) {
    auto url = normalize_url(request.url);
    if (!url) {
        return problem_at(path.field("url"), url.error().detail);
    }
    request.url = std::move(url).value();
    if (request.screenshot && !request.browser) {
        return problem_at(path.field("screenshot"), "needs browser: true");
    }
    if (auto problem = check_method(request.method, request.browser, path.field("method"))) {
        return problem;
    }
    if (auto problem = check_headers(request.headers, path)) {
        return problem;
    }
    if (request.body) {
        const FieldPath body_path = path.field("body");
        if (request.browser) {
            return problem_at(body_path, "not allowed with browser: true");
        }
        if (auto problem = check_text(body_path, *request.body)) {
            return problem;
        }
    }
    if (auto problem =
            check_integer(path.field("timeout_ms"), request.timeout_ms, request_timeout_range)) {
        return problem;
    }
    if (request.custom_id) {
        const FieldPath custom_id_path = path.field("custom_id");
        if (auto problem = check_text(custom_id_path, *request.custom_id)) {
            return problem;
        }
        if (count_code_points(*request.custom_id) > max_custom_id_chars) {
            return problem_at(custom_id_path, "must be at most 255 characters");
        }
    }
    const FieldPath actions_path = path.field("actions");
    for (std::size_t i = 0; i < request.actions.size(); ++i) {
        if (auto problem =
                check_action(request.actions[i], request.browser, actions_path.index(i))) {
            return problem;
        }
    }
    return {};
}

}  // namespace

Problem check_request_count(std::size_t count, const ValidationLimits& limits) {
    return count >= 1 && count <= limits.max_requests
               ? Problem{}
               : problem_at("requests", must_be_request_array(limits));
}

Problem check_requests(std::vector<Request>& requests, const ValidationLimits& limits) {
    if (auto problem = check_request_count(requests.size(), limits)) {
        return problem;
    }
    const FieldPath requests_path = FieldPath().field("requests");
    for (std::size_t i = 0; i < requests.size(); ++i) {
        if (auto problem = check_request(requests[i], requests_path.index(i))) {
            return problem;
        }
    }
    return {};
}

Outcome<CollectionSpec> validate(CollectionSpec spec, const ValidationLimits& limits) {
    if (auto problem = check_name(spec.name)) {
        return *problem;
    }
    if (auto problem = check_callback_url(spec.callback_url)) {
        return *problem;
    }
    if (auto problem = check_requests(spec.requests, limits)) {
        return *problem;
    }
    return spec;
}

Outcome<CollectionPatch> validate(CollectionPatch patch, const ValidationLimits& limits) {
    if (patch.name) {
        if (auto problem = check_name(*patch.name)) {
            return *problem;
        }
    }
    if (patch.callback_url) {
        if (auto problem = check_callback_url(*patch.callback_url)) {
            return *problem;
        }
    }
    if (patch.requests) {
        if (auto problem = check_requests(*patch.requests, limits)) {
            return *problem;
        }
    }
    return patch;
}

Outcome<RunOptions> validate(RunOptions options) {
    if (auto problem = check_callback_url(options.callback_url)) {
        return *problem;
    }
    return options;
}

}  // namespace asyncscrape
