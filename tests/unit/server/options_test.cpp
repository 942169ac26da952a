#include "options.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <string_view>
#include <vector>

using namespace asyncscrape;
using namespace asyncscrape::app;

namespace {

Outcome<Options> parse(std::vector<std::string_view> args, const Environment& env = {}) {
    return parse_options(args, env);
}

std::string error_of(std::vector<std::string_view> args, const Environment& env = {}) {
    const auto options = parse(std::move(args), env);
    REQUIRE_FALSE(options);
    CHECK(options.error().code == Errc::invalid_argument);
    return options.error().detail;
}

}  // namespace

TEST_CASE("no flags give the documented defaults") {
    const auto options = parse({});
    REQUIRE(options);
    CHECK(options->server.host == "127.0.0.1");
    CHECK(options->server.port == 8080);
    CHECK(options->server.max_body_bytes == 64 * 1024 * 1024);
    CHECK(options->store == "sqlite");
    CHECK(options->data_dir == "data");
    CHECK(options->runtime.retention == std::chrono::hours(24));
    CHECK(options->grace == std::chrono::seconds(10));
    CHECK(options->runtime.max_concurrency == 256);
    CHECK(options->runtime.per_host == 8);
    CHECK(options->runtime.request_timeout == std::chrono::milliseconds(30000));
    CHECK(options->runtime.retries == 2);
    CHECK(options->runtime.max_requests == 100000);
    CHECK_FALSE(options->runtime.allow_private_targets);
    CHECK(options->runtime.browser_tabs == 4);
    CHECK(options->runtime.chromium_path.empty());  // the runtime's choice
    CHECK(options->log_level == LogLevel::info);
    CHECK(options->server.tls_certificate_file.empty());
    CHECK(options->server.tls_private_key_file.empty());
    CHECK(options->server.api_keys_file.empty());
    CHECK_FALSE(options->server.insecure_open);
    CHECK(options->server.rate_limit == 0);
    CHECK(options->runtime.tenant_concurrency == 0);
    CHECK(options->runtime.tenant_queue == 0);
    CHECK(options->runtime.webhook_secret.empty());
    CHECK_FALSE(options->help);
}

TEST_CASE("every flag sets its field, as `--flag value` or `--flag=value`") {
    const auto options = parse({"--listen",
                                "0.0.0.0:9000",
                                "--store=memory",
                                "--data",
                                "/var/lib/scrape",
                                "--max-concurrency",
                                "64",
                                "--per-host=2",
                                "--request-timeout-ms",
                                "5000",
                                "--retries",
                                "0",
                                "--max-requests=10",
                                "--max-body-bytes",
                                "1024",
                                "--allow-private-targets",
                                "--browser-tabs=2",
                                "--chromium",
                                "/opt/chromium/chrome",
                                "--tls-cert",
                                "/etc/scrape/server.crt",
                                "--tls-key=/etc/scrape/server.key",
                                "--log-level",
                                "debug",
                                "--api-keys",
                                "/etc/scrape/keys",
                                "--insecure-open",
                                "--rate-limit=20",
                                "--tenant-concurrency",
                                "32",
                                "--tenant-queue",
                                "50000",
                                "--webhook-secret",
                                "whsec-1"});
    REQUIRE(options);
    CHECK(options->server.host == "0.0.0.0");
    CHECK(options->server.port == 9000);
    CHECK(options->store == "memory");
    CHECK(options->data_dir == "/var/lib/scrape");
    CHECK(options->runtime.max_concurrency == 64);
    CHECK(options->runtime.per_host == 2);
    CHECK(options->runtime.request_timeout == std::chrono::milliseconds(5000));
    CHECK(options->runtime.retries == 0);
    CHECK(options->runtime.max_requests == 10);
    CHECK(options->server.max_body_bytes == 1024);
    CHECK(options->runtime.allow_private_targets);
    CHECK(options->runtime.browser_tabs == 2);
    CHECK(options->runtime.chromium_path == "/opt/chromium/chrome");
    CHECK(options->server.tls_certificate_file == "/etc/scrape/server.crt");
    CHECK(options->server.tls_private_key_file == "/etc/scrape/server.key");
    CHECK(options->log_level == LogLevel::debug);
    CHECK(options->server.api_keys_file == "/etc/scrape/keys");
    CHECK(options->server.insecure_open);
    CHECK(options->server.rate_limit == 20);
    CHECK(options->runtime.tenant_concurrency == 32);
    CHECK(options->runtime.tenant_queue == 50000);
    CHECK(options->runtime.webhook_secret == "whsec-1");
}

TEST_CASE("the listen address takes IPv6 hosts in brackets and port 0") {
    const auto v6 = parse({"--listen", "[::1]:0"});
    REQUIRE(v6);
    CHECK(v6->server.host == "::1");
    CHECK(v6->server.port == 0);
    CHECK(format_host_port(v6->server.host, 8080) == "[::1]:8080");
    CHECK(format_host_port("127.0.0.1", 80) == "127.0.0.1:80");

    for (const std::string_view bad : {"8080", "::1:8080", "[::1]8080", "[::1]", ":8080",
                                       "localhost:", "host:65536", "host:-1", "host:http"}) {
        INFO(bad);
        CHECK(error_of({"--listen", bad}).starts_with("--listen: must be HOST:PORT"));
    }
}

TEST_CASE("environment variables set the same fields") {
    const Environment env{
        {"ASYNCSCRAPE_LISTEN", "127.0.0.1:0"},      {"ASYNCSCRAPE_MAX_CONCURRENCY", "3"},
        {"ASYNCSCRAPE_REQUEST_TIMEOUT_MS", "1000"}, {"ASYNCSCRAPE_ALLOW_PRIVATE_TARGETS", "yes"},
        {"ASYNCSCRAPE_LOG_LEVEL", "warn"},          {"ASYNCSCRAPE_UNRELATED", "ignored"}};
    const auto options = parse({}, env);
    REQUIRE(options);
    CHECK(options->server.port == 0);
    CHECK(options->runtime.max_concurrency == 3);
    CHECK(options->runtime.request_timeout == std::chrono::milliseconds(1000));
    CHECK(options->runtime.allow_private_targets);
    CHECK(options->log_level == LogLevel::warn);
}

TEST_CASE("the TLS certificate and key go together, from flags or variables") {
    CHECK(error_of({"--tls-cert", "server.crt"}) == "--tls-cert needs --tls-key (both or neither)");
    CHECK(error_of({"--tls-key", "server.key"}) == "--tls-key needs --tls-cert (both or neither)");
    CHECK(error_of({"--tls-cert="}) == "--tls-cert: needs a file");
    CHECK(error_of({"--tls-key="}) == "--tls-key: needs a file");
    const auto mixed = parse({"--tls-key", "flag.key"}, {{"ASYNCSCRAPE_TLS_CERT", "env.crt"}});
    REQUIRE(mixed);
    CHECK(mixed->server.tls_certificate_file == "env.crt");
    CHECK(mixed->server.tls_private_key_file == "flag.key");
}

TEST_CASE("a TLS setup failure is told in terms of the flag") {
    using Setting = TlsSetupError::Setting;
    CHECK(describe_tls_setup_error({Setting::certificate_file, "/etc/x.crt",
                                    "cannot open: No such file or directory"}) ==
          "--tls-cert /etc/x.crt: cannot open: No such file or directory");
    CHECK(describe_tls_setup_error({Setting::private_key_file, "x.key",
                                    "does not match the certificate in \"x.crt\""}) ==
          "--tls-key x.key: does not match the certificate in \"x.crt\"");
    CHECK(describe_tls_setup_error({Setting::private_key_file, "", "not set"}) ==
          "--tls-key: not set");
}

TEST_CASE("a flag wins over its environment variable") {
    const Environment env{{"ASYNCSCRAPE_PER_HOST", "5"},
                          {"ASYNCSCRAPE_ALLOW_PRIVATE_TARGETS", "true"}};
    const auto options = parse({"--per-host", "7", "--allow-private-targets=false"}, env);
    REQUIRE(options);
    CHECK(options->runtime.per_host == 7);
    CHECK_FALSE(options->runtime.allow_private_targets);
}

TEST_CASE("bad values name the flag or the variable") {
    CHECK(error_of({"--max-concurrency", "0"}) ==
          "--max-concurrency: must be an integer between 1 and 1000000, not \"0\"");
    CHECK(error_of({"--per-host", "-3"}).starts_with("--per-host: must be an integer"));
    CHECK(error_of({"--retries", "eleven"}).starts_with("--retries: must be an integer"));
    CHECK(error_of({"--request-timeout-ms", "999"})
              .starts_with("--request-timeout-ms: must be an integer between 1000 and 300000"));
    CHECK(error_of({"--store", "postgres"}).starts_with("--store: must be sqlite or memory"));
    CHECK(error_of({"--data="}) == "--data: needs a directory");
    CHECK(error_of({"--retention", "1w"}).starts_with("--retention: must be a duration"));
    CHECK(error_of({"--grace", "3601"}).starts_with("--grace: must be an integer"));
    CHECK(error_of({"--browser-tabs", "0"}).starts_with("--browser-tabs: must be an integer"));
    CHECK(error_of({"--chromium="}) == "--chromium: needs a path");
    CHECK(error_of({"--log-level", "verbose"}) ==
          "--log-level: must be one of debug, info, warn, error, not \"verbose\"");
    CHECK(error_of({"--allow-private-targets=maybe"})
              .starts_with("--allow-private-targets: must be one of 1, true, yes"));
    CHECK(error_of({}, {{"ASYNCSCRAPE_MAX_REQUESTS", "lots"}})
              .starts_with("ASYNCSCRAPE_MAX_REQUESTS: must be an integer"));
    CHECK(error_of({}, {{"ASYNCSCRAPE_ALLOW_PRIVATE_TARGETS", "2"}})
              .starts_with("ASYNCSCRAPE_ALLOW_PRIVATE_TARGETS:"));
}

TEST_CASE("unknown flags, stray arguments and missing values are errors") {
    CHECK(error_of({"--frobnicate"}) == "unknown flag --frobnicate");
    CHECK(error_of({"serve"}) == "unexpected argument \"serve\"");
    CHECK(error_of({"--max-requests"}) == "--max-requests: needs a value (N)");
}

TEST_CASE("durations take a unit, or are seconds") {
    for (const auto& [text, seconds] : std::vector<std::pair<std::string, std::int64_t>>{
             {"0", 0}, {"45", 45}, {"45s", 45}, {"90m", 5400}, {"24h", 86400}, {"2d", 172800}}) {
        const auto options = parse({"--retention", text});
        INFO(text);
        REQUIRE(options);
        CHECK(options->runtime.retention == std::chrono::seconds(seconds));
    }
    const auto graced = parse({"--grace=0"});
    REQUIRE(graced);
    CHECK(graced->grace == std::chrono::seconds(0));
}

TEST_CASE("start-up failures of the API keys and of an open server name their flags") {
    CHECK(describe_startup_error(ApiKeysError("keys.txt", "line 3: this key is listed already")) ==
          "--api-keys keys.txt: line 3: this key is listed already");
    CHECK(describe_startup_error(OpenServerRefused("0.0.0.0")) ==
          "refusing to serve 0.0.0.0 without API keys: anyone who reaches it could read and start "
          "every run; give --api-keys FILE, or --insecure-open to allow it");
    CHECK(describe_startup_error(TlsSetupError(TlsSetupError::Setting::certificate_file, "x.crt",
                                               "holds no PEM certificate")) ==
          "--tls-cert x.crt: holds no PEM certificate");
}

TEST_CASE("help wins over everything else and the usage lists every flag") {
    const auto options = parse({"--bogus", "--help"}, {{"ASYNCSCRAPE_RETRIES", "x"}});
    REQUIRE(options);
    CHECK(options->help);

    const std::string text = usage();
    for (const std::string_view flag : {"--listen HOST:PORT",
                                        "--store",
                                        "--data DIR",
                                        "--retention DURATION",
                                        "--grace SECONDS",
                                        "--max-concurrency N",
                                        "--per-host N",
                                        "--request-timeout-ms N",
                                        "--retries N",
                                        "--max-requests N",
                                        "--max-body-bytes N",
                                        "--allow-private-targets",
                                        "--browser-tabs N",
                                        "--chromium PATH",
                                        "--tls-cert FILE",
                                        "--tls-key FILE",
                                        "ASYNCSCRAPE_TLS_CERT",
                                        "--log-level LEVEL",
                                        "--api-keys FILE",
                                        "--insecure-open",
                                        "--rate-limit N",
                                        "--tenant-concurrency N",
                                        "--tenant-queue N",
                                        "--webhook-secret SECRET",
                                        "default none (unsigned)",
                                        "--help",
                                        "ASYNCSCRAPE_MAX_BODY_BYTES",
                                        "default 127.0.0.1:8080",
                                        "default 67108864"}) {
        INFO(flag);
        CHECK(text.find(flag) != std::string::npos);
    }
}

TEST_CASE("only ASYNCSCRAPE_ variables are taken from the process environment") {
    const char* const variables[] = {"PATH=/usr/bin", "ASYNCSCRAPE_RETRIES=4",
                                     "ASYNCSCRAPE_LISTEN=[::1]:1=2", nullptr};
    const Environment env = environment_from(variables);
    CHECK(env.size() == 2);
    CHECK(env.at("ASYNCSCRAPE_RETRIES") == "4");
    CHECK(env.at("ASYNCSCRAPE_LISTEN") == "[::1]:1=2");
}
