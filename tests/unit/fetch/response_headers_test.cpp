#include "fetch/response_headers.hpp"

#include <catch2/catch.hpp>

#include <boost/beast/http/fields.hpp>

using asyncscrape::HeaderList;
using asyncscrape::fetch::collect_response_headers;

TEST_CASE("names are lower-cased and kept in first-seen order", "[headers]") {
    boost::beast::http::fields fields;
    fields.insert("Content-Type", "text/html");
    fields.insert("X-Custom-Header", "Value Kept As Is");
    fields.insert("server", "test");
    const HeaderList expected{
        {"content-type", "text/html"}, {"x-custom-header", "Value Kept As Is"}, {"server", "test"}};
    CHECK(collect_response_headers(fields) == expected);
}

TEST_CASE("repeated fields are joined, set-cookie with newlines", "[headers]") {
    boost::beast::http::fields fields;
    fields.insert("Vary", "Accept");
    fields.insert("Set-Cookie", "a=1; Expires=Wed, 21 Oct 2015 07:28:00 GMT");
    fields.insert("vary", "Accept-Encoding");
    fields.insert("Set-Cookie", "b=2");
    fields.insert("VARY", "Origin");
    const HeaderList expected{{"vary", "Accept, Accept-Encoding, Origin"},
                              {"set-cookie", "a=1; Expires=Wed, 21 Oct 2015 07:28:00 GMT\nb=2"}};
    CHECK(collect_response_headers(fields) == expected);
}
