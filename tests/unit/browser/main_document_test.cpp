#include "browser/main_document.hpp"

#include <catch2/catch.hpp>

#include <boost/json/parse.hpp>

#include <string>

using asyncscrape::HeaderList;
using asyncscrape::browser::main_document_response;
namespace json = boost::json;

namespace {

json::object response_received(const std::string& type, const std::string& frame_id) {
    return json::parse(R"({"requestId": "1", "loaderId": "L", "type": ")" + type +
                       R"(", "frameId": ")" + frame_id + R"(", "response": {
            "url": "http://127.0.0.1:8080/redirect/0", "status": 200, "statusText": "OK",
            "headers": {"Content-Type": "text/html", "Set-Cookie": "a=1\nb=2",
                        "X-Many": "one\ntwo"},
            "timing": {"requestTime": 100.5, "sendStart": 2.5, "receiveHeadersEnd": 12.0}}})")
        .as_object();
}

}  // namespace

TEST_CASE("the main frame's document response is taken with its status, URL and timing",
          "[main-document]") {
    const auto main = main_document_response(response_received("Document", "F1"), "F1");
    REQUIRE(main);
    CHECK(main->status == 200);
    CHECK(main->url == "http://127.0.0.1:8080/redirect/0");
    REQUIRE(main->ttfb_ms);
    CHECK(*main->ttfb_ms == Approx(9.5));
}

TEST_CASE("header names are lower-cased and repeated fields joined as the contract says",
          "[main-document]") {
    const auto main = main_document_response(response_received("Document", "F1"), "F1");
    REQUIRE(main);
    const HeaderList expected{
        {"content-type", "text/html"}, {"set-cookie", "a=1\nb=2"}, {"x-many", "one, two"}};
    CHECK(main->headers == expected);
}

TEST_CASE("subresources and documents of other frames are not the main document",
          "[main-document]") {
    CHECK_FALSE(main_document_response(response_received("Script", "F1"), "F1"));
    CHECK_FALSE(main_document_response(response_received("Document", "iframe"), "F1"));
    CHECK_FALSE(
        main_document_response(json::object{{"type", "Document"}, {"frameId", "F1"}}, "F1"));
}

TEST_CASE("a response without timing has no time to first byte", "[main-document]") {
    json::object event = response_received("Document", "F1");
    event["response"].as_object().erase("timing");
    const auto main = main_document_response(event, "F1");
    REQUIRE(main);
    CHECK_FALSE(main->ttfb_ms);
}
