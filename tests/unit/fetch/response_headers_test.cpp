#include "fetch/response_headers.hpp"

#include <catch2/catch.hpp>

#include <boost/beast/http/fields.hpp>

#include <array>
#include <cstddef>
#include <memory_resource>

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

TEST_CASE("fields parsed into an arena are collected as the usual ones are", "[headers]") {
    std::array<std::byte, 512> arena;
    std::pmr::monotonic_buffer_resource memory(arena.data(), arena.size());
    const std::pmr::polymorphic_allocator<char> allocator(&memory);
    boost::beast::http::basic_fields<std::pmr::polymorphic_allocator<char>> fields(allocator);
    fields.insert("Content-Type", "text/html");
    fields.insert("Set-Cookie", "a=1");
    fields.insert("set-cookie", "b=2");
    fields.insert("ETag", std::string(600, 'e'));  // beyond the arena: from the heap
    const HeaderList expected{
        {"content-type", "text/html"}, {"set-cookie", "a=1\nb=2"}, {"etag", std::string(600, 'e')}};
    CHECK(collect_response_headers(fields) == expected);
}
