// ASCII case for protocol text: only A-Z change, whatever the bytes around them.
#include "util/ascii.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace asyncscrape;

TEST_CASE("ascii_lower changes A-Z and nothing else") {
    for (int c = 0; c < 256; ++c) {
        const char in = static_cast<char>(c);
        const char expected = c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : in;
        INFO(c);
        CHECK(ascii_lower(in) == expected);
    }
}

TEST_CASE("ascii_upper changes a-z and nothing else") {
    for (int c = 0; c < 256; ++c) {
        const char in = static_cast<char>(c);
        const char expected = c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : in;
        INFO(c);
        CHECK(ascii_upper(in) == expected);
    }
    std::string method = "pAtch";
    make_ascii_upper_case(method);
    CHECK(method == "PATCH");
}

TEST_CASE("a header name or a host is lower-cased in ASCII, UTF-8 bytes left alone") {
    CHECK(ascii_lower_case("Content-Type") == "content-type");
    CHECK(ascii_lower_case("WWW.Example.COM") == "www.example.com");
    CHECK(ascii_lower_case("\xC3\x84rger") == "\xC3\x84rger");  // "Ärger": not ASCII
    CHECK(ascii_lower_case("") == "");
    std::string host = "API.Example.Test";
    make_ascii_lower_case(host);
    CHECK(host == "api.example.test");
}

TEST_CASE("equals_ascii_lower compares with a lower-case word") {
    CHECK(equals_ascii_lower("HTTPS", "https"));
    CHECK(equals_ascii_lower("hTtP", "http"));
    CHECK_FALSE(equals_ascii_lower("http", "https"));
    CHECK_FALSE(equals_ascii_lower("https", "http"));
    CHECK_FALSE(equals_ascii_lower("htt\xD0", "http"));
    static_assert(equals_ascii_lower("Data", "data"));
}
