// The keys file and the Authorization header, without sockets.
#include "api/api_keys.hpp"
#include "api/authenticate.hpp"

#include <asyncscrape/server.hpp>

#include <boost/beast/http/field.hpp>
#include <boost/json/parse.hpp>

#include <catch2/catch.hpp>

#include <string>
#include <variant>

using namespace asyncscrape;
using namespace asyncscrape::api;
namespace http = boost::beast::http;

namespace {

constexpr std::string_view acme_key = "acme-key-0123456789abcdef";
constexpr std::string_view globex_key = "globex-key-fedcba9876543210";

std::string keys_file() {
    // globex is listed by the SHA-256 of its key only.
    return "# tenants of the test\n"
           "\n"
           "acme:" +
           std::string(acme_key) +
           "\n"
           "  globex:sha256:" +
           to_hex(sha256(globex_key)) +
           "  \r\n"
           "acme:webhook_secret:acme-signs-with-this\n";
}

ApiKeys parsed(std::string_view text) {
    auto keys = ApiKeys::parse(text);
    REQUIRE(keys);
    return std::move(keys).value();
}

std::string parse_error(std::string_view text) {
    const auto keys = ApiKeys::parse(text);
    REQUIRE_FALSE(keys);
    CHECK(keys.error().code == Errc::invalid_argument);
    return keys.error().detail;
}

server::HttpRequest get_with(std::optional<std::string> authorization) {
    server::HttpRequest request(http::verb::get, "/v1/async/collections", 11);
    if (authorization) {
        request.set(http::field::authorization, *authorization);
    }
    return request;
}

std::string detail_of(const server::Reply& reply) {
    return std::string(boost::json::parse(reply.response.body()).at("detail").as_string());
}

}  // namespace

TEST_CASE("a keys file lists keys as given or as their SHA-256, and tenants' webhook secrets") {
    const ApiKeys keys = parsed(keys_file());
    CHECK(keys.size() == 2);

    const ApiKey* acme = keys.find(acme_key);
    REQUIRE(acme != nullptr);
    CHECK(acme->tenant == "acme");
    const ApiKey* globex = keys.find(globex_key);
    REQUIRE(globex != nullptr);
    CHECK(globex->tenant == "globex");
    // The id names the tenant and a digest prefix, never the key.
    CHECK(acme->id.starts_with("acme/"));
    CHECK(acme->id.find(acme_key) == std::string::npos);
    CHECK(acme->id != globex->id);

    CHECK(keys.find("acme-key-0123456789abcdeF") == nullptr);
    CHECK(keys.find(std::string(acme_key) + " ") == nullptr);
    CHECK(keys.find("") == nullptr);
    CHECK(keys.find(to_hex(sha256(globex_key))) == nullptr);  // the digest is not the key

    REQUIRE(keys.webhook_secrets().size() == 1);
    CHECK(keys.webhook_secrets().at("acme") == "acme-signs-with-this");
}

TEST_CASE("a keys file line that is not a key is refused with its line number") {
    CHECK(parse_error("acme:" + std::string(acme_key) + "\nno colon here\n") ==
          "line 2: expected tenant:key, tenant:sha256:<hex> or tenant:webhook_secret:<secret>");
    CHECK(parse_error("acme:short") ==
          "line 1: a key must be at least 16 visible ASCII characters without spaces");
    CHECK(parse_error("acme:with a space in the key") ==
          "line 1: a key must be at least 16 visible ASCII characters without spaces");
    CHECK(parse_error("acme:sha256:abcd") == "line 1: a sha256: key needs 64 hex digits");
    CHECK(parse_error("acme:sha256:" + std::string(64, 'g')) ==
          "line 1: a sha256: key needs 64 hex digits");
    CHECK(parse_error("ac me:" + std::string(acme_key)) ==
          "line 1: the tenant must be 1 to 64 letters, digits, '.', '_' or '-'");
    CHECK(parse_error(":" + std::string(acme_key)) ==
          "line 1: the tenant must be 1 to 64 letters, digits, '.', '_' or '-'");
    CHECK(parse_error("acme:webhook_secret:") == "line 1: the webhook secret is empty");
    // One key for two tenants would make a caller's tenant depend on the file's order.
    CHECK(parse_error("acme:" + std::string(acme_key) + "\nglobex:sha256:" +
                      to_hex(sha256(acme_key))) == "line 2: this key is listed already");
    CHECK(parse_error("# only a comment\n\n") == "no keys in it");
}

TEST_CASE("a missing keys file is refused naming the file") {
    try {
        load_api_keys("/nonexistent/keys");
        FAIL("no error");
    } catch (const ApiKeysError& e) {
        CHECK(e.file() == "/nonexistent/keys");
        CHECK(e.problem() == "cannot be read: No such file or directory");
    }
}

TEST_CASE("a server without keys takes every caller as the one tenant") {
    const auto caller = authenticate(get_with(std::nullopt), nullptr);
    REQUIRE(std::holds_alternative<Caller>(caller));
    CHECK(std::get<Caller>(caller).tenant.empty());
    CHECK(std::get<Caller>(caller).key_id.empty());
}

TEST_CASE("a Bearer key names its tenant") {
    const ApiKeys keys = parsed(keys_file());
    const auto caller = authenticate(get_with("Bearer " + std::string(globex_key)), &keys);
    REQUIRE(std::holds_alternative<Caller>(caller));
    CHECK(std::get<Caller>(caller).tenant == "globex");
    CHECK(std::get<Caller>(caller).key_id == keys.find(globex_key)->id);
    // The scheme is case-insensitive.
    const auto lower = authenticate(get_with("bearer " + std::string(acme_key)), &keys);
    REQUIRE(std::holds_alternative<Caller>(lower));
    CHECK(std::get<Caller>(lower).tenant == "acme");
}

TEST_CASE("a request without a valid key answers 401 with a challenge") {
    const ApiKeys keys = parsed(keys_file());
    struct Case {
        std::optional<std::string> authorization;
        std::string detail;
        std::string challenge;
    };
    const std::string plain = R"(Bearer realm="asyncscrape")";
    const std::string invalid = R"(Bearer realm="asyncscrape", error="invalid_token")";
    const Case cases[] = {
        {std::nullopt, "Authorization: missing; send Authorization: Bearer <api key>", plain},
        {"Basic YWNtZTprZXk=", "Authorization: must be Bearer <api key>", plain},
        {"Bearer ", "Authorization: the API key after Bearer is missing", plain},
        {"Bearer not-a-key-of-anyone-here", "Authorization: unknown API key", invalid},
        {std::string(acme_key), "Authorization: must be Bearer <api key>", plain},
    };
    for (const Case& c : cases) {
        INFO(c.authorization.value_or("(none)"));
        const auto answer = authenticate(get_with(c.authorization), &keys);
        REQUIRE(std::holds_alternative<server::Reply>(answer));
        const auto& reply = std::get<server::Reply>(answer);
        CHECK(reply.response.result() == http::status::unauthorized);
        CHECK(detail_of(reply) == c.detail);
        CHECK(reply.response[http::field::www_authenticate] == c.challenge);
    }
}
