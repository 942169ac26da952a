// Fuzz target: what a server sends back to the fetcher. The bytes are the response to one request
// on a plain connection: the real exchange (fetch/exchange.cpp: Beast's response parser with the
// fetcher's limits, interim responses, the headers as a job shows them, the body decoded from
// gzip or deflate as it arrives) reads them from one end of a socket pair. Then what the fetcher
// does with a response (fetch/fetcher.cpp): a redirect's Location resolved into the next request
// and its target, or the Retry-After header read.
//
// The first byte picks the request's method, so that the seeds read as text: 'H' HEAD (whose
// response has no body), 'P' POST and 'U' PUT (which redirects rewrite differently), anything else
// GET. The rest is the response.
//
// Checked besides crashes, leaks and undefined behaviour: a decoded body never exceeds the limit,
// and Retry-After never asks for a negative delay.
#include "fetch/exchange.hpp"
#include "fetch/outgoing_request.hpp"
#include "fetch/redirect.hpp"
#include "fetch/retry_after.hpp"
#include "fetch/target_url.hpp"
#include "invariant.hpp"
#include "socket_pair.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <ctime>
#include <exception>
#include <string>
#include <string_view>

namespace asyncscrape::fuzz {
namespace {

namespace net = boost::asio;
using PeerSocket = net::local::stream_protocol::socket;

constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

// Small enough that a short compressed input can inflate past it (the fetcher's default is 10 MB).
constexpr std::size_t max_body_bytes = 64 * 1024;
// A fixed "now" for Retry-After dates, so that an input behaves the same on every run.
const TimePoint now = Clock::from_time_t(std::time_t{1700000000});

void rethrow(const std::exception_ptr& failure) {
    if (failure) {
        std::rethrow_exception(failure);
    }
}

// The server: sends the response, ends its side, and reads the request until the client closes.
net::awaitable<void> respond(PeerSocket& server, std::string_view response) {
    co_await net::async_write(server, net::buffer(response), use_tuple);
    boost::system::error_code ignored;
    server.shutdown(PeerSocket::shutdown_send, ignored);
    std::array<char, 4096> request;
    for (;;) {
        auto [ec, n] = co_await server.async_read_some(net::buffer(request), use_tuple);
        if (ec) {
            co_return;
        }
    }
}

net::awaitable<void> exchange_once(fetch::Connection& connection,
                                   const fetch::FetchRequest& request,
                                   const fetch::TargetUrl& target) {
    const fetch::OutgoingRequest message =
        fetch::make_outgoing_request(request, target, "asyncscrape-fuzz");
    // As the fetcher sets it; an input that makes the exchange wait is a finding (-timeout).
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    connection.transport().expires_at(deadline);
    const fetch::Exchange exchanged =
        co_await fetch::exchange(connection, message, max_body_bytes, deadline);
    connection.close();
    if (exchanged.failure) {
        co_return;
    }
    expect(exchanged.body.size() <= max_body_bytes, "a decoded body stays within the limit");

    // What follow_redirects does with a response that arrived.
    const auto header = [&](std::string_view name) -> const std::string* {
        for (const auto& [field, value] : exchanged.headers) {
            if (field == name) {
                return &value;
            }
        }
        return nullptr;
    };
    const std::string* location = header("location");
    if (fetch::is_redirect_status(exchanged.status) && location) {
        const Outcome<fetch::FetchRequest> next =
            fetch::follow_redirect(request, exchanged.status, *location);
        if (next) {
            if (const auto next_target = fetch::parse_target_url(next->url)) {
                fetch::make_outgoing_request(*next, *next_target, "asyncscrape-fuzz");
            }
        }
    } else if (const std::string* retry_after = header("retry-after")) {
        const auto delay = fetch::parse_retry_after(*retry_after, now);
        expect(!delay || delay->count() >= 0, "Retry-After asks for no negative delay",
               *retry_after);
    }
}

void fetch_once(std::string_view method, std::string_view response) {
    fetch::FetchRequest request;
    request.method = std::string(method);
    request.url = "http://example.com/a/b?c=d";
    request.headers = {{"Authorization", "Bearer secret"}, {"Content-Type", "text/plain"}};
    if (method == "POST" || method == "PUT") {
        request.body = "body";
    }
    const auto target = fetch::parse_target_url(request.url);
    expect(target.has_value(), "the request's own URL parses");

    net::io_context io;
    const auto [client_end, server_end] = make_socket_pair();
    fetch::Connection connection(io.get_executor(), nullptr);
    connection.transport().socket().assign(net::ip::tcp::v4(), client_end);
    PeerSocket server(io, net::local::stream_protocol(), server_end);

    net::co_spawn(io, respond(server, response), rethrow);
    net::co_spawn(io, exchange_once(connection, request, *target), rethrow);
    io.run();
}

std::string_view method_named_by(char selector) {
    switch (selector) {
        case 'H':
            return "HEAD";
        case 'P':
            return "POST";
        case 'U':
            return "PUT";
        default:
            return "GET";
    }
}

}  // namespace
}  // namespace asyncscrape::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    const std::string_view method = asyncscrape::fuzz::method_named_by(static_cast<char>(data[0]));
    asyncscrape::fuzz::fetch_once(method, {reinterpret_cast<const char*>(data) + 1, size - 1});
    return 0;
}
