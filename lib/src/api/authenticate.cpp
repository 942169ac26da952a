#include "api/authenticate.hpp"

#include <boost/beast/http/field.hpp>

#include <algorithm>

namespace asyncscrape::api {
namespace {

namespace http = boost::beast::http;

// RFC 6750: the challenge names the scheme, and for a key that was sent, what was wrong with it.
server::Reply unauthorized(std::string_view detail, bool key_was_sent) {
    server::Reply reply = server::error_reply(http::status::unauthorized, detail);
    reply.response.set(http::field::www_authenticate,
                       key_was_sent ? R"(Bearer realm="asyncscrape", error="invalid_token")"
                                    : R"(Bearer realm="asyncscrape")");
    return reply;
}

// The scheme is case-insensitive (RFC 9110, section 11.1).
bool is_bearer(std::string_view scheme) {
    constexpr std::string_view bearer = "bearer";
    return scheme.size() == bearer.size() &&
           std::equal(scheme.begin(), scheme.end(), bearer.begin(), [](char a, char b) {
               return (a >= 'A' && a <= 'Z' ? static_cast<char>(a - 'A' + 'a') : a) == b;
           });
}

}  // namespace

std::variant<Caller, server::Reply> authenticate(const server::HttpRequest& request,
                                                 const ApiKeys* keys) {
    if (keys == nullptr) {
        return Caller{};
    }
    const auto header = request.find(http::field::authorization);
    if (header == request.end()) {
        return unauthorized("Authorization: missing; send Authorization: Bearer <api key>", false);
    }
    // "<scheme> <key>"; Beast has trimmed the value's ends.
    const std::string_view value = header->value();
    const auto space = value.find(' ');
    if (!is_bearer(value.substr(0, space))) {
        return unauthorized("Authorization: must be Bearer <api key>", false);
    }
    std::string_view presented =
        space == std::string_view::npos ? std::string_view{} : value.substr(space + 1);
    while (!presented.empty() && presented.front() == ' ') {
        presented.remove_prefix(1);
    }
    if (presented.empty()) {
        return unauthorized("Authorization: the API key after Bearer is missing", false);
    }
    const ApiKey* key = keys->find(presented);
    if (key == nullptr) {
        return unauthorized("Authorization: unknown API key", true);
    }
    return Caller{key->tenant, key->id};
}

}  // namespace asyncscrape::api
