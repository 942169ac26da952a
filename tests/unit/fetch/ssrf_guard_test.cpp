#include "fetch/ssrf_guard.hpp"

#include <catch2/catch.hpp>

#include <boost/asio/ip/address.hpp>

#include <string>

using asyncscrape::fetch::AddressGuard;
using asyncscrape::fetch::is_public_address;
using boost::asio::ip::make_address;

namespace {

bool is_public(const std::string& text) {
    return is_public_address(make_address(text));
}

}  // namespace

TEST_CASE("public IPv4 and IPv6 addresses are allowed", "[ssrf]") {
    for (const char* address :
         {"8.8.8.8", "1.1.1.1", "93.184.216.34", "2606:4700::1111", "2a00:1450:4001:80b::200e",
          "100.63.255.255", "172.32.0.1", "192.169.0.1", "223.255.255.255"}) {
        INFO(address);
        CHECK(is_public(address));
    }
}

TEST_CASE("non-public IPv4 ranges are refused", "[ssrf]") {
    for (const char* address :
         {"127.0.0.1",       "127.255.255.254",                 // loopback
          "10.0.0.1",        "10.255.255.255",                  // private
          "172.16.0.1",      "172.31.255.255",                  // private
          "192.168.0.1",     "192.168.255.255",                 // private
          "169.254.169.254", "169.254.0.1",                     // link-local, cloud metadata
          "100.64.0.1",      "100.127.255.255",                 // carrier-grade NAT
          "0.0.0.0",         "0.1.2.3",                         // unspecified, "this network"
          "255.255.255.255", "240.0.0.1",                       // broadcast, reserved
          "224.0.0.1",       "239.255.255.250",                 // multicast
          "192.0.2.1",       "198.51.100.1",    "203.0.113.1",  // documentation
          "198.18.0.1",      "192.0.0.8",       "192.88.99.1"}) {
        INFO(address);
        CHECK_FALSE(is_public(address));
    }
}

TEST_CASE("non-public IPv6 ranges are refused", "[ssrf]") {
    for (const char* address : {"::1", "::",                  // loopback, unspecified
                                "fe80::1", "febf::1",         // link-local
                                "fc00::1", "fd12:3456::1",    // unique-local
                                "ff02::1", "ff05::2",         // multicast
                                "fec0::1",                    // site-local (deprecated)
                                "2001:db8::1", "3fff::1",     // documentation
                                "2001::1", "2001:2::1",       // Teredo, benchmarking
                                "100::1", "64:ff9b:1::1"}) {  // discard, local-use NAT64
        INFO(address);
        CHECK_FALSE(is_public(address));
    }
}

TEST_CASE("IPv6 forms embedding a refused IPv4 address are refused like it", "[ssrf]") {
    for (const char* address :
         {"::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "::127.0.0.1",
          "64:ff9b::127.0.0.1", "64:ff9b::a00:1", "2002:7f00:1::1", "2002:c0a8:101::1"}) {
        INFO(address);
        CHECK_FALSE(is_public(address));
    }
    // ... and the same forms around a public address are public.
    for (const char* address : {"::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1"}) {
        INFO(address);
        CHECK(is_public(address));
    }
}

TEST_CASE("the guard refuses non-public addresses unless private targets are allowed", "[ssrf]") {
    const AddressGuard strict(false);
    CHECK(strict.permits(make_address("8.8.8.8")));
    CHECK_FALSE(strict.permits(make_address("127.0.0.1")));
    CHECK_FALSE(strict.permits(make_address("::ffff:127.0.0.1")));

    const AddressGuard open(true);
    CHECK(open.permits(make_address("127.0.0.1")));
    CHECK(open.permits(make_address("10.1.2.3")));
}

TEST_CASE("an admitted address is the only non-public one permitted", "[ssrf]") {
    AddressGuard guard(false);
    guard.admit(make_address("127.0.0.1"));
    CHECK(guard.permits(make_address("127.0.0.1")));
    CHECK(guard.permits(make_address("8.8.8.8")));
    CHECK_FALSE(guard.permits(make_address("127.0.0.2")));
    CHECK_FALSE(guard.permits(make_address("::1")));
    CHECK_FALSE(guard.permits(make_address("10.0.0.1")));
}
