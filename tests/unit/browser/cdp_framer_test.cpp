#include "browser/cdp_framer.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using asyncscrape::browser::CdpFramer;
using namespace std::string_literals;

namespace {

std::vector<std::string> drain(CdpFramer& framer) {
    std::vector<std::string> messages;
    while (auto message = framer.next_message()) {
        messages.push_back(*message);
    }
    return messages;
}

}  // namespace

TEST_CASE("a message is framed with a NUL and read back", "[cdp][framer]") {
    const std::string framed = CdpFramer::frame(R"({"id":1})");
    CHECK(framed == "{\"id\":1}\0"s);
    CdpFramer framer(1024);
    REQUIRE(framer.feed(framed));
    CHECK(drain(framer) == std::vector<std::string>{R"({"id":1})"});
}

TEST_CASE("a message split over many reads is whole once its NUL arrives", "[cdp][framer]") {
    CdpFramer framer(1024);
    const std::string framed = CdpFramer::frame(R"({"method":"Page.loadEventFired"})");
    for (std::size_t i = 0; i + 1 < framed.size(); ++i) {
        REQUIRE(framer.feed(framed.substr(i, 1)));
        CHECK_FALSE(framer.next_message());
    }
    REQUIRE(framer.feed(framed.substr(framed.size() - 1)));
    CHECK(drain(framer) == std::vector<std::string>{R"({"method":"Page.loadEventFired"})"});
}

TEST_CASE("several messages in one read come out in order, a partial one waits", "[cdp][framer]") {
    CdpFramer framer(1024);
    REQUIRE(framer.feed("{\"id\":1}\0{\"id\":2}\0{\"id\":3}\0{\"id\""s));
    CHECK(drain(framer) == std::vector<std::string>{"{\"id\":1}", "{\"id\":2}", "{\"id\":3}"});
    REQUIRE(framer.feed(":4}\0"s));
    CHECK(drain(framer) == std::vector<std::string>{"{\"id\":4}"});
}

TEST_CASE("messages not yet taken survive further reads", "[cdp][framer]") {
    CdpFramer framer(1024);
    REQUIRE(framer.feed("a\0b"s));
    REQUIRE(framer.feed("c\0d\0"s));
    CHECK(drain(framer) == std::vector<std::string>{"a", "bc", "d"});
    CHECK_FALSE(framer.next_message());
}

TEST_CASE("an empty message is a message", "[cdp][framer]") {
    CdpFramer framer(16);
    REQUIRE(framer.feed("\0x\0"s));
    CHECK(drain(framer) == std::vector<std::string>{"", "x"});
}

TEST_CASE("a message over the limit breaks the stream", "[cdp][framer]") {
    SECTION("complete in one read") {
        CdpFramer framer(8);
        CHECK(framer.feed("12345678\0"s));  // exactly the limit is fine
        CHECK_FALSE(framer.feed("123456789\0"s));
    }
    SECTION("still unfinished, before its NUL arrives") {
        CdpFramer framer(8);
        CHECK(framer.feed("1234"));
        CHECK_FALSE(framer.feed("56789"));
    }
    SECTION("and stays broken") {
        CdpFramer framer(4);
        CHECK_FALSE(framer.feed("123456"));
        CHECK_FALSE(framer.feed("\0{}\0"s));
    }
}
