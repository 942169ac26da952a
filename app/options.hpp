// The command line of asyncscrape-server. Every flag can also come from an environment variable
// ASYNCSCRAPE_<FLAG> (upper case, dashes as underscores); a flag on the command line wins.
#pragma once

#include "util/log.hpp"

#include <asyncscrape/config.hpp>
#include <asyncscrape/error.hpp>
#include <asyncscrape/server.hpp>

#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <string_view>

namespace asyncscrape::app {

struct Options {
    ServerConfig server;
    RuntimeConfig runtime;
    std::string store = "sqlite";   // or "memory"
    std::string data_dir = "data";  // the SQLite store's directory
    // On SIGTERM, how long jobs in flight may go on finishing before they are stopped.
    std::chrono::seconds grace{10};
    LogLevel log_level = LogLevel::info;
    bool help = false;
};

using Environment = std::map<std::string, std::string, std::less<>>;

// The ASYNCSCRAPE_* variables of a process environment (`environ`).
Environment environment_from(const char* const* variables);

// `args` without the program name. A bad value is an error naming the flag or the variable and
// what it accepts; so is --tls-cert without --tls-key or the reverse.
Outcome<Options> parse_options(std::span<const std::string_view> args, const Environment& env);

// The --help text: every flag with its variable and its default.
std::string usage();

// Why the server could not start, in the words of the command line: failures of TLS, the API
// keys, or an open server beyond loopback name their flags.
std::string describe_startup_error(const std::exception& failure);

// A TLS setup failure in the words of the command line: "--tls-key server.key: does not match
// the certificate in \"server.crt\"".
std::string describe_tls_setup_error(const TlsSetupError& error);

// "127.0.0.1:8080", or "[::1]:8080" for an IPv6 host.
std::string format_host_port(std::string_view host, std::uint16_t port);

}  // namespace asyncscrape::app
