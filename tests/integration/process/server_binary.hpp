// The asyncscrape-server binary as the process tests start it.
#pragma once

#include "integration/process/child_process.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <regex>
#include <string>

namespace asyncscrape::test {

inline const std::string server_binary = ASYNCSCRAPE_SERVER_BINARY;

// The port from the "listening on http://127.0.0.1:<port>" line.
inline std::uint16_t listening_port(ChildProcess& server) {
    using namespace std::chrono_literals;
    server.read_until("listening on http://127.0.0.1:", 10s);
    const std::string line = server.read_until("\n", 1s);
    std::smatch match;
    const std::regex listening(R"(listening on http://127\.0\.0\.1:(\d+)\n)");
    REQUIRE(std::regex_search(line, match, listening));
    return static_cast<std::uint16_t>(std::stoi(match[1]));
}

}  // namespace asyncscrape::test
