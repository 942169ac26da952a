// The signature against vectors computed outside this code base, with Python's hmac module:
//   /usr/bin/python3 -c 'import hmac, hashlib; print(hmac.new(KEY, MESSAGE,
//   hashlib.sha256).hexdigest())'
// with the KEY and MESSAGE (b"<t>." + body) given beside each expected value.
#include "webhook/signature.hpp"

#include <catch2/catch.hpp>

#include <string>

using asyncscrape::webhook::webhook_signature;

TEST_CASE("the signature is t=<time>,v1=<HMAC-SHA256 of \"<t>.\" + body> in lower-case hex",
          "[webhook]") {
    // KEY b"whsec_test_secret", MESSAGE b"1764349200." + the body below.
    const std::string body =
        R"({"event":"run.completed","run_id":"9b64941a-0000-4000-8000-000000000000"})";
    CHECK(webhook_signature("whsec_test_secret", 1764349200, body) ==
          "t=1764349200,v1=bf41a9756257a2f3181aa497f1846531c50b4558285296463dd2703b8744e157");
}

TEST_CASE("the signature covers UTF-8 bodies byte for byte and keys longer than a block",
          "[webhook]") {
    // KEY b"k" * 100 (longer than SHA-256's 64-byte block, so HMAC hashes it first),
    // MESSAGE b"1700000000." + '{"name":"café"}'.encode() (é as the two UTF-8 bytes C3 A9).
    const std::string key(100, 'k');
    CHECK(webhook_signature(key, 1700000000, "{\"name\":\"caf\xc3\xa9\"}") ==
          "t=1700000000,v1=cac127f4e3e47ce7a9b66029acd78cd2f0c679521075028b56b56ae836d97010");
}

TEST_CASE("an empty key and body still give the HMAC of \"<t>.\"", "[webhook]") {
    // KEY b"", MESSAGE b"0.".
    CHECK(webhook_signature("", 0, "") ==
          "t=0,v1=b849d5a581847b281957065739df36df2463d1977ea8d6e1e4e6cf33fadc68c3");
}

TEST_CASE("another secret, time or body gives another signature", "[webhook]") {
    const std::string reference = webhook_signature("secret", 1764349200, "{}");
    CHECK(webhook_signature("secret2", 1764349200, "{}") != reference);
    CHECK(webhook_signature("secret", 1764349201, "{}") != reference);
    CHECK(webhook_signature("secret", 1764349200, "{ }") != reference);
}
