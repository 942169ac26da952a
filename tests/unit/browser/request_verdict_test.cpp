// The guard's rule for the requests of a page, apart from the browser. No address here is
// contacted: names are only taken apart, and "resolved" addresses are given by the test.
#include "browser/request_verdict.hpp"

#include <catch2/catch.hpp>

#include <boost/asio/ip/address.hpp>

#include <string>
#include <variant>
#include <vector>

using asyncscrape::browser::RequestVerdict;
using asyncscrape::browser::verdict_for_addresses;
using asyncscrape::browser::verdict_for_url;
using asyncscrape::fetch::AddressGuard;
using boost::asio::ip::make_address;

namespace {

// The verdict the URL alone gives; fails the test when the URL needs its host resolved.
RequestVerdict immediate_verdict(const AddressGuard& guard, const std::string& url) {
    const auto verdict = verdict_for_url(guard, url);
    INFO(url);
    REQUIRE(std::holds_alternative<RequestVerdict>(verdict));
    return std::get<RequestVerdict>(verdict);
}

// The host name the URL's verdict waits for; fails the test when the URL alone decides.
std::string host_to_resolve(const AddressGuard& guard, const std::string& url) {
    const auto verdict = verdict_for_url(guard, url);
    INFO(url);
    REQUIRE(std::holds_alternative<std::string>(verdict));
    return std::get<std::string>(verdict);
}

std::vector<boost::asio::ip::address> addresses(std::initializer_list<const char*> texts) {
    std::vector<boost::asio::ip::address> parsed;
    for (const char* text : texts) {
        parsed.push_back(make_address(text));
    }
    return parsed;
}

}  // namespace

TEST_CASE("URLs without a network host proceed untouched", "[request-verdict]") {
    const AddressGuard guard(false);
    for (const std::string url :
         {"data:text/html,<h1>hi there</h1>", "blob:http://127.0.0.1/4f6c-11", "about:blank",
          "chrome-error://chromewebdata/", "javascript:alert(1)"}) {
        CHECK(immediate_verdict(guard, url) == RequestVerdict::proceed);
    }
}

TEST_CASE("an address literal is judged by the URL alone", "[request-verdict]") {
    const AddressGuard guard(false);
    CHECK(immediate_verdict(guard, "http://127.0.0.1:8080/page") == RequestVerdict::block);
    CHECK(immediate_verdict(guard, "HTTPS://10.1.2.3/") == RequestVerdict::block);
    CHECK(immediate_verdict(guard, "http://169.254.169.254/latest/meta-data/") ==
          RequestVerdict::block);
    CHECK(immediate_verdict(guard, "http://[::1]:3000/x.js") == RequestVerdict::block);
    CHECK(immediate_verdict(guard, "http://[::ffff:192.168.0.1]/") == RequestVerdict::block);
    CHECK(immediate_verdict(guard, "http://93.184.216.34/image.png") == RequestVerdict::proceed);
    CHECK(immediate_verdict(guard, "https://[2606:4700:4700::1111]/") == RequestVerdict::proceed);
}

TEST_CASE("an http URL that cannot be taken apart is blocked", "[request-verdict]") {
    const AddressGuard guard(false);
    CHECK(immediate_verdict(guard, "http://exa mple.com/") == RequestVerdict::block);
    CHECK(immediate_verdict(guard, "http:///no-host") == RequestVerdict::block);
}

TEST_CASE("a host name waits for its addresses, lower-cased", "[request-verdict]") {
    const AddressGuard guard(false);
    CHECK(host_to_resolve(guard, "https://Example.COM:8443/a?b=c") == "example.com");
    CHECK(host_to_resolve(guard, "http://localhost:8080/page") == "localhost");
}

TEST_CASE("a resolved host is blocked when any of its addresses is refused", "[request-verdict]") {
    const AddressGuard guard(false);
    CHECK(verdict_for_addresses(guard, addresses({"93.184.216.34", "2606:2800:220:1::248"})) ==
          RequestVerdict::proceed);
    CHECK(verdict_for_addresses(guard, addresses({"93.184.216.34", "192.168.1.10"})) ==
          RequestVerdict::block);
    CHECK(verdict_for_addresses(guard, addresses({"127.0.0.1", "::1"})) == RequestVerdict::block);
    CHECK(verdict_for_addresses(guard, addresses({"fd00::1"})) == RequestVerdict::block);
}

TEST_CASE("what the guard permits, the verdict lets through", "[request-verdict]") {
    const AddressGuard open_guard(true);
    CHECK(immediate_verdict(open_guard, "http://127.0.0.1/") == RequestVerdict::proceed);
    CHECK(verdict_for_addresses(open_guard, addresses({"10.0.0.1"})) == RequestVerdict::proceed);

    AddressGuard admitting(false);
    admitting.admit(make_address("127.0.0.1"));
    CHECK(immediate_verdict(admitting, "http://127.0.0.1:9000/") == RequestVerdict::proceed);
    CHECK(verdict_for_addresses(admitting, addresses({"127.0.0.1", "::1"})) ==
          RequestVerdict::block);
}
