#include "util/base64.hpp"

#include <catch2/catch.hpp>

#include <string>

using asyncscrape::decode_base64;
using namespace std::string_literals;

TEST_CASE("base64 decodes the RFC 4648 test vectors", "[base64]") {
    CHECK(decode_base64("") == ""s);
    CHECK(decode_base64("Zg==") == "f"s);
    CHECK(decode_base64("Zm8=") == "fo"s);
    CHECK(decode_base64("Zm9v") == "foo"s);
    CHECK(decode_base64("Zm9vYg==") == "foob"s);
    CHECK(decode_base64("Zm9vYmE=") == "fooba"s);
    CHECK(decode_base64("Zm9vYmFy") == "foobar"s);
    CHECK(decode_base64("Zm9vYmE") == "fooba"s);  // padding is optional
}

TEST_CASE("base64 keeps binary bytes", "[base64]") {
    CHECK(decode_base64("iVBORw0KGgo=") == "\x89PNG\r\n\x1a\n"s);
    CHECK(decode_base64("AP8=") == "\x00\xff"s);
}

TEST_CASE("text that is not base64 is refused", "[base64]") {
    CHECK_FALSE(decode_base64("Zm9v!"));
    CHECK_FALSE(decode_base64("Z"));
    CHECK_FALSE(decode_base64("Zm 9v"));
}
