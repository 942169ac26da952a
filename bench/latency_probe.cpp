// Latency probe: GETs of one URL sent on a fixed schedule (open loop) over a few keep-alive
// connections, for the "API under load" workload. Request i is due at start + i / rate; its
// latency is measured from that due time, not from when it was written, so a request that waited
// because every connection was still busy counts its wait (no coordinated omission, as wrk2).
// Prints one JSON line with the percentiles in milliseconds.
//
//     asyncscrape-probe --url http://127.0.0.1:8080/v1/health --rate 1000 --seconds 5
//     [--connections 4]
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
    std::string host;
    std::string port = "80";
    std::string target = "/";
    double rate = 1000;  // requests per second
    double seconds = 5;
    std::size_t connections = 4;
};

// Only what a loopback benchmark needs: http://host[:port][/path].
void parse_url(const std::string& url, Options& options) {
    const std::string scheme = "http://";
    if (url.rfind(scheme, 0) != 0) {
        throw std::invalid_argument("--url: only http:// URLs");
    }
    const std::string rest = url.substr(scheme.size());
    const auto slash = rest.find('/');
    const std::string authority = rest.substr(0, slash);
    options.target = slash == std::string::npos ? "/" : rest.substr(slash);
    const auto colon = authority.rfind(':');
    options.host = authority.substr(0, colon);
    if (colon != std::string::npos) {
        options.port = authority.substr(colon + 1);
    }
    if (options.host.empty()) {
        throw std::invalid_argument("--url: no host");
    }
}

// The schedule, shared by the connections: whichever is free takes the next due request.
struct Schedule {
    Clock::time_point start;
    std::chrono::duration<double> interval{};
    std::size_t total = 0;
    std::size_t next = 0;
    std::vector<double> latencies_ms;
    std::size_t errors = 0;
    std::string first_error;

    Clock::time_point due(std::size_t index) const {
        return start + std::chrono::duration_cast<Clock::duration>(interval * index);
    }
    void fail(const std::string& what) {
        ++errors;
        if (first_error.empty()) {
            first_error = what;
        }
    }
};

asio::awaitable<void> connect(beast::tcp_stream& stream, const Options& options) {
    tcp::resolver resolver(stream.get_executor());
    const auto endpoints =
        co_await resolver.async_resolve(options.host, options.port, asio::use_awaitable);
    co_await stream.async_connect(endpoints, asio::use_awaitable);
    stream.socket().set_option(tcp::no_delay(true));
}

asio::awaitable<void> connection(Schedule& schedule, const Options& options) {
    auto executor = co_await asio::this_coro::executor;
    beast::tcp_stream stream(executor);
    co_await connect(stream, options);
    http::request<http::empty_body> request(http::verb::get, options.target, 11);
    request.set(http::field::host, options.host);
    beast::flat_buffer buffer;
    asio::steady_timer timer(executor);
    while (schedule.next < schedule.total) {
        const auto due = schedule.due(schedule.next++);
        timer.expires_at(due);
        co_await timer.async_wait(asio::use_awaitable);
        auto [write_error, written] =
            co_await http::async_write(stream, request, asio::as_tuple(asio::use_awaitable));
        http::response<http::string_body> response;
        beast::error_code error = write_error;
        if (!error) {
            auto [read_error, read] = co_await http::async_read(
                stream, buffer, response, asio::as_tuple(asio::use_awaitable));
            error = read_error;
        }
        const std::chrono::duration<double, std::milli> latency = Clock::now() - due;
        if (error) {
            schedule.fail(error.message());
        } else if (response.result() != http::status::ok) {
            schedule.fail("status " + std::to_string(response.result_int()));
        } else {
            schedule.latencies_ms.push_back(latency.count());
        }
        if (error || !response.keep_alive()) {
            beast::error_code ignored;
            stream.socket().close(ignored);
            buffer.clear();
            co_await connect(stream, options);
        }
    }
}

double percentile(const std::vector<double>& sorted, double q) {
    if (sorted.empty()) {
        return 0;
    }
    const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size())));
    return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

Options parse(int argc, char** argv) {
    Options options;
    bool has_url = false;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string flag = argv[i];
        const char* value = argv[i + 1];
        if (flag == "--url") {
            parse_url(value, options);
            has_url = true;
        } else if (flag == "--rate") {
            options.rate = std::strtod(value, nullptr);
        } else if (flag == "--seconds") {
            options.seconds = std::strtod(value, nullptr);
        } else if (flag == "--connections") {
            options.connections = std::strtoull(value, nullptr, 10);
        } else {
            throw std::invalid_argument("unknown flag " + flag);
        }
    }
    if (argc % 2 == 0 || !has_url || options.rate <= 0 || options.seconds <= 0 ||
        options.connections == 0) {
        throw std::invalid_argument(
            "usage: asyncscrape-probe --url http://HOST:PORT/PATH [--rate PER_SECOND] "
            "[--seconds S] [--connections N]");
    }
    return options;
}

}  // namespace

int main(int argc, char** argv) try {
    const Options options = parse(argc, argv);
    asio::io_context io;
    Schedule schedule;
    schedule.interval = std::chrono::duration<double>(1.0 / options.rate);
    schedule.total = static_cast<std::size_t>(options.rate * options.seconds);
    schedule.latencies_ms.reserve(schedule.total);
    // The connections open before the schedule starts, so that connecting is not measured.
    schedule.start = Clock::now() + std::chrono::milliseconds(50);
    std::exception_ptr failure;
    for (std::size_t i = 0; i < options.connections; ++i) {
        asio::co_spawn(io, connection(schedule, options), [&](std::exception_ptr error) {
            if (error && !failure) {
                failure = error;
                io.stop();
            }
        });
    }
    io.run();
    if (failure) {
        std::rethrow_exception(failure);
    }
    const std::chrono::duration<double> elapsed = Clock::now() - schedule.start;
    auto sorted = schedule.latencies_ms;
    std::sort(sorted.begin(), sorted.end());
    if (!schedule.first_error.empty()) {
        std::cerr << "first error: " << schedule.first_error << '\n';
    }
    std::printf(
        "{\"requests\": %zu, \"ok\": %zu, \"errors\": %zu, \"rate\": %.1f, \"achieved_rate\": "
        "%.1f, \"p50_ms\": %.3f, \"p90_ms\": %.3f, \"p99_ms\": %.3f, \"p999_ms\": %.3f, "
        "\"max_ms\": %.3f}\n",
        schedule.total, sorted.size(), schedule.errors, options.rate,
        static_cast<double>(schedule.total) / elapsed.count(), percentile(sorted, 0.50),
        percentile(sorted, 0.90), percentile(sorted, 0.99), percentile(sorted, 0.999),
        sorted.empty() ? 0.0 : sorted.back());
    return schedule.errors == 0 ? 0 : 1;
} catch (const std::exception& e) {
    std::cerr << e.what() << '\n';
    return 2;
}
