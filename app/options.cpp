#include "options.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>

namespace asyncscrape::app {
namespace {

// What is wrong with a value, without the flag's name (the caller adds it); nullopt when fine.
using Problem = std::optional<std::string>;

std::optional<std::uint64_t> parse_unsigned(std::string_view text) {
    std::uint64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) {
        return std::nullopt;
    }
    return value;
}

template <class Integer>
Problem set_integer(Integer& target, std::string_view text, std::uint64_t min, std::uint64_t max) {
    const auto value = parse_unsigned(text);
    if (!value || *value < min || *value > max) {
        return "must be an integer between " + std::to_string(min) + " and " + std::to_string(max) +
               ", not \"" + std::string(text) + "\"";
    }
    target = static_cast<Integer>(*value);
    return std::nullopt;
}

// "24h", "90m", "45s", "2d", or a bare number of seconds; "0" is zero.
Problem set_duration(std::chrono::seconds& target, std::string_view text) {
    constexpr std::pair<char, std::uint64_t> units[] = {
        {'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}};
    std::uint64_t unit = 1;
    std::string_view number = text;
    for (const auto& [suffix, seconds] : units) {
        if (!text.empty() && text.back() == suffix) {
            unit = seconds;
            number.remove_suffix(1);
        }
    }
    const auto value = parse_unsigned(number);
    constexpr std::uint64_t max_seconds = 10ull * 365 * 86400;
    if (!value || *value > max_seconds / unit) {
        return "must be a duration such as 24h, 90m, 45s or 0, not \"" + std::string(text) + "\"";
    }
    target = std::chrono::seconds(*value * unit);
    return std::nullopt;
}

Problem set_listen(ServerConfig& server, std::string_view text) {
    const std::string problem =
        "must be HOST:PORT, with an IPv6 host in brackets ([::1]:8080), not \"" +
        std::string(text) + "\"";
    std::string_view host;
    std::string_view port;
    if (text.starts_with('[')) {
        const auto close = text.find("]:");
        if (close == std::string_view::npos) {
            return problem;
        }
        host = text.substr(1, close - 1);
        port = text.substr(close + 2);
    } else {
        const auto colon = text.rfind(':');
        if (colon == std::string_view::npos) {
            return problem;
        }
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
        if (host.find(':') != std::string_view::npos) {
            return problem;
        }
    }
    const auto number = parse_unsigned(port);
    if (host.empty() || !number || *number > 65535) {
        return problem;
    }
    server.host = host;
    server.port = static_cast<std::uint16_t>(*number);
    return std::nullopt;
}

Problem set_switch(bool& target, std::string_view text) {
    std::string lower(text);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (lower == "1" || lower == "true" || lower == "yes") {
        target = true;
    } else if (lower == "0" || lower == "false" || lower == "no") {
        target = false;
    } else {
        return "must be one of 1, true, yes, 0, false, no, not \"" + std::string(text) + "\"";
    }
    return std::nullopt;
}

Problem set_log_level(LogLevel& target, std::string_view text) {
    const auto level = parse_log_level(text);
    if (!level || *level == LogLevel::off) {
        return "must be one of debug, info, warn, error, not \"" + std::string(text) + "\"";
    }
    target = *level;
    return std::nullopt;
}

std::string none_if_empty(const std::string& value) {
    return value.empty() ? "none" : value;
}

// HTTPS needs both files; one alone is a mistake, not HTTP.
Problem check_tls_pair(const ServerConfig& server) {
    if (server.tls_certificate_file.empty() && !server.tls_private_key_file.empty()) {
        return "--tls-key needs --tls-cert (both or neither)";
    }
    if (!server.tls_certificate_file.empty() && server.tls_private_key_file.empty()) {
        return "--tls-cert needs --tls-key (both or neither)";
    }
    return std::nullopt;
}

struct Flag {
    std::string_view name;        // without the leading dashes
    std::string_view value_name;  // empty for a switch, which takes no value on the command line
    std::string_view help;
    Problem (*apply)(Options&, std::string_view value);
    std::string (*show_default)(const Options&);
};

constexpr std::uint64_t max_size = std::uint64_t{1} << 40;

const Flag flags[] = {
    {"listen", "HOST:PORT", "address to listen on; port 0 picks a free port",
     [](Options& o, std::string_view v) { return set_listen(o.server, v); },
     [](const Options& o) { return format_host_port(o.server.host, o.server.port); }},
    {"store", "KIND",
     "where collections, runs and results live: sqlite (durable, under --data) or memory (lost "
     "at exit)",
     [](Options& o, std::string_view v) -> Problem {
         if (v != "sqlite" && v != "memory") {
             return "must be sqlite or memory, not \"" + std::string(v) + "\"";
         }
         o.store = v;
         return std::nullopt;
     },
     [](const Options& o) { return o.store; }},
    {"data", "DIR", "the SQLite store's directory, created if missing; one server at a time",
     [](Options& o, std::string_view v) -> Problem {
         if (v.empty()) {
             return "needs a directory";
         }
         o.data_dir = v;
         return std::nullopt;
     },
     [](const Options& o) { return o.data_dir; }},
    {"max-concurrency", "N", "jobs in flight across all runs",
     [](Options& o, std::string_view v) {
         return set_integer(o.runtime.max_concurrency, v, 1, 1'000'000);
     },
     [](const Options& o) { return std::to_string(o.runtime.max_concurrency); }},
    {"per-host", "N", "connections (and jobs in flight) per target host",
     [](Options& o, std::string_view v) { return set_integer(o.runtime.per_host, v, 1, 100'000); },
     [](const Options& o) { return std::to_string(o.runtime.per_host); }},
    {"request-timeout-ms", "N", "deadline of a job whose request sets no timeout_ms",
     [](Options& o, std::string_view v) {
         std::int64_t millis = 0;
         Problem problem = set_integer(millis, v, 1000, 300'000);
         o.runtime.request_timeout = std::chrono::milliseconds(millis);
         return problem;
     },
     [](const Options& o) { return std::to_string(o.runtime.request_timeout.count()); }},
    {"retries", "N", "retries after the first attempt (connection errors, 429, 502, 503, 504)",
     [](Options& o, std::string_view v) { return set_integer(o.runtime.retries, v, 0, 10); },
     [](const Options& o) { return std::to_string(o.runtime.retries); }},
    {"max-requests", "N", "most requests in one collection",
     [](Options& o, std::string_view v) {
         return set_integer(o.runtime.max_requests, v, 1, 10'000'000);
     },
     [](const Options& o) { return std::to_string(o.runtime.max_requests); }},
    {"max-body-bytes", "N", "largest request body accepted (413 beyond)",
     [](Options& o, std::string_view v) {
         return set_integer(o.server.max_body_bytes, v, 1, max_size);
     },
     [](const Options& o) { return std::to_string(o.server.max_body_bytes); }},
    {"allow-private-targets", "",
     "let jobs reach loopback and private addresses (local use and tests only)",
     [](Options& o, std::string_view v) { return set_switch(o.runtime.allow_private_targets, v); },
     [](const Options& o) { return std::string(o.runtime.allow_private_targets ? "on" : "off"); }},
    {"browser-tabs", "N", "pages open in Chromium at once; more browser jobs queue for a tab",
     [](Options& o, std::string_view v) { return set_integer(o.runtime.browser_tabs, v, 1, 256); },
     [](const Options& o) { return std::to_string(o.runtime.browser_tabs); }},
    {"chromium", "PATH", "the Chromium binary for browser requests",
     [](Options& o, std::string_view v) -> Problem {
         if (v.empty()) {
             return "needs a path";
         }
         o.runtime.chromium_path = v;
         return std::nullopt;
     },
     [](const Options& o) {
         return o.runtime.chromium_path.empty()
                    ? std::string(
                          "/usr/bin/chromium; with --allow-private-targets, "
                          "Debian's chromium-headless-shell when installed")
                    : o.runtime.chromium_path;
     }},
    {"retention", "DURATION",
     "finished runs older than this are removed with their results (24h, 90m, 45s; 0 keeps all)",
     [](Options& o, std::string_view v) { return set_duration(o.runtime.retention, v); },
     [](const Options& o) { return std::to_string(o.runtime.retention.count()) + "s"; }},
    {"grace", "SECONDS", "on SIGTERM, how long jobs in flight may finish before they are stopped",
     [](Options& o, std::string_view v) {
         std::int64_t seconds = 0;
         Problem problem = set_integer(seconds, v, 0, 3600);
         o.grace = std::chrono::seconds(seconds);
         return problem;
     },
     [](const Options& o) { return std::to_string(o.grace.count()); }},
    {"tls-cert", "FILE",
     "serve HTTPS with this PEM certificate chain (server certificate first); needs --tls-key",
     [](Options& o, std::string_view v) -> Problem {
         if (v.empty()) {
             return "needs a file";
         }
         o.server.tls_certificate_file = v;
         return std::nullopt;
     },
     [](const Options& o) { return none_if_empty(o.server.tls_certificate_file); }},
    {"tls-key", "FILE", "the PEM private key of --tls-cert, unencrypted; needs --tls-cert",
     [](Options& o, std::string_view v) -> Problem {
         if (v.empty()) {
             return "needs a file";
         }
         o.server.tls_private_key_file = v;
         return std::nullopt;
     },
     [](const Options& o) { return none_if_empty(o.server.tls_private_key_file); }},
    {"api-keys", "FILE",
     "API keys, one tenant:key or tenant:sha256:<hex> a line; every route but /v1/health then "
     "needs Authorization: Bearer <key>; reloaded on SIGHUP",
     [](Options& o, std::string_view v) -> Problem {
         if (v.empty()) {
             return "needs a file";
         }
         o.server.api_keys_file = v;
         return std::nullopt;
     },
     [](const Options& o) { return none_if_empty(o.server.api_keys_file); }},
    {"insecure-open", "",
     "without --api-keys, serve an address beyond loopback anyway: anyone who reaches it is the "
     "one tenant",
     [](Options& o, std::string_view v) { return set_switch(o.server.insecure_open, v); },
     [](const Options& o) { return std::string(o.server.insecure_open ? "on" : "off"); }},
    {"rate-limit", "N", "API calls a second per key, in bursts of up to 2N (429 beyond); 0: none",
     [](Options& o, std::string_view v) {
         return set_integer(o.server.rate_limit, v, 0, 1'000'000);
     },
     [](const Options& o) { return std::to_string(o.server.rate_limit); }},
    {"tenant-concurrency", "N", "jobs in flight per tenant; 0: no limit but --max-concurrency",
     [](Options& o, std::string_view v) {
         return set_integer(o.runtime.tenant_concurrency, v, 0, 1'000'000);
     },
     [](const Options& o) { return std::to_string(o.runtime.tenant_concurrency); }},
    {"tenant-queue", "N", "jobs queued per tenant; a run that would pass it answers 429; 0: none",
     [](Options& o, std::string_view v) {
         return set_integer(o.runtime.tenant_queue, v, 0, 1'000'000'000);
     },
     [](const Options& o) { return std::to_string(o.runtime.tenant_queue); }},
    {"webhook-secret", "SECRET",
     "key of the webhooks' X-Asyncscrape-Signature for tenants without their own (better set "
     "through the environment than on the command line)",
     [](Options& o, std::string_view v) -> Problem {
         o.runtime.webhook_secret = v;
         return std::nullopt;
     },
     [](const Options& o) {
         return std::string(o.runtime.webhook_secret.empty() ? "none (unsigned)" : "set");
     }},
    {"log-level", "LEVEL", "debug, info, warn or error",
     [](Options& o, std::string_view v) { return set_log_level(o.log_level, v); },
     [](const Options& o) { return std::string(to_string(o.log_level)); }},
};

std::string variable_name(std::string_view flag) {
    std::string name = "ASYNCSCRAPE_";
    for (const char c : flag) {
        name += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return name;
}

const Flag* find_flag(std::string_view name) {
    const auto found = std::find_if(std::begin(flags), std::end(flags),
                                    [name](const Flag& flag) { return flag.name == name; });
    return found == std::end(flags) ? nullptr : found;
}

}  // namespace

Environment environment_from(const char* const* variables) {
    Environment env;
    for (; variables != nullptr && *variables != nullptr; ++variables) {
        const std::string_view entry = *variables;
        const auto equals = entry.find('=');
        if (entry.starts_with("ASYNCSCRAPE_") && equals != std::string_view::npos) {
            env.emplace(entry.substr(0, equals), entry.substr(equals + 1));
        }
    }
    return env;
}

Outcome<Options> parse_options(std::span<const std::string_view> args, const Environment& env) {
    Options options;
    if (std::find(args.begin(), args.end(), "--help") != args.end() ||
        std::find(args.begin(), args.end(), "-h") != args.end()) {
        options.help = true;
        return options;
    }
    for (const Flag& flag : flags) {
        const std::string variable = variable_name(flag.name);
        if (const auto value = env.find(variable); value != env.end()) {
            if (Problem problem = flag.apply(options, value->second)) {
                return invalid(variable + ": " + *problem);
            }
        }
    }
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view arg = args[i];
        if (!arg.starts_with("--")) {
            return invalid("unexpected argument \"" + std::string(arg) + "\"");
        }
        const auto equals = arg.find('=');
        const std::string_view name =
            arg.substr(2, equals == std::string_view::npos ? arg.npos : equals - 2);
        const Flag* flag = find_flag(name);
        if (flag == nullptr) {
            return invalid("unknown flag --" + std::string(name));
        }
        std::string_view value;
        if (equals != std::string_view::npos) {
            value = arg.substr(equals + 1);
        } else if (flag->value_name.empty()) {
            value = "true";
        } else if (i + 1 < args.size()) {
            value = args[++i];
        } else {
            return invalid("--" + std::string(name) + ": needs a value (" +
                           std::string(flag->value_name) + ")");
        }
        if (Problem problem = flag->apply(options, value)) {
            return invalid("--" + std::string(name) + ": " + *problem);
        }
    }
    if (Problem problem = check_tls_pair(options.server)) {
        return invalid(*problem);
    }
    return options;
}

std::string usage() {
    const Options defaults;
    std::string text =
        "usage: asyncscrape-server [flags]\n"
        "\n"
        "Serves the asyncscrape HTTP API. Every flag can also be set with an environment\n"
        "variable ASYNCSCRAPE_<FLAG> (upper case, dashes as underscores); the flag wins.\n"
        "\n";
    for (const Flag& flag : flags) {
        std::string left = "  --";
        left += flag.name;
        if (!flag.value_name.empty()) {
            left += ' ';
            left += flag.value_name;
        }
        left.resize(std::max<std::size_t>(left.size() + 2, 32), ' ');
        text += left + std::string(flag.help) + "\n";
        text += std::string(32, ' ') + "default " + flag.show_default(defaults) + "; env " +
                variable_name(flag.name) + "\n";
    }
    text += "  --help                        this text\n";
    return text;
}

std::string format_host_port(std::string_view host, std::uint16_t port) {
    const bool ipv6 = host.find(':') != std::string_view::npos;
    std::string text;
    text += ipv6 ? "[" : "";
    text += host;
    text += ipv6 ? "]:" : ":";
    text += std::to_string(port);
    return text;
}

std::string describe_startup_error(const std::exception& failure) {
    if (const auto* tls = dynamic_cast<const TlsSetupError*>(&failure)) {
        return describe_tls_setup_error(*tls);
    }
    if (const auto* keys = dynamic_cast<const ApiKeysError*>(&failure)) {
        return "--api-keys " + keys->file() + ": " + keys->problem();
    }
    if (dynamic_cast<const OpenServerRefused*>(&failure) != nullptr) {
        return std::string(failure.what()) +
               "; give --api-keys FILE, or --insecure-open to allow it";
    }
    return failure.what();
}

std::string describe_tls_setup_error(const TlsSetupError& error) {
    std::string text =
        error.setting() == TlsSetupError::Setting::certificate_file ? "--tls-cert" : "--tls-key";
    if (!error.file().empty()) {
        text += " " + error.file();
    }
    return text + ": " + error.problem();
}

}  // namespace asyncscrape::app
