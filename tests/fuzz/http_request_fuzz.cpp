// Fuzz target: the bytes a client sends to the API server, in, and the server's answer (or a
// clean close), out. The bytes reach the real session (server/session.cpp: Beast's request parser
// with the server's limits, pipelining, 100-continue, refusals, keep-alive) over one end of a
// socket pair, and the session routes and handles them against a Runtime with the memory store,
// on an io_context the target runs until the connection is done. No network: a socket pair, and
// no run can start (ids are random, so an input can only name collections, runs and jobs that do
// not exist: the handlers past a successful lookup are the unit and integration tests' business).
//
// Checked besides crashes, leaks and undefined behaviour: the server's bytes parse as a sequence of
// complete HTTP responses, none with a body after a HEAD request and none a 500 (an exception
// escaped a handler), and the session ends.
#include "invariant.hpp"
#include "server/session.hpp"
#include "socket_pair.hpp"
#include "util/log.hpp"

#include <asyncscrape/config.hpp>
#include <asyncscrape/runtime.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace asyncscrape::fuzz {
namespace {

namespace net = boost::asio;
namespace http = boost::beast::http;
using ClientSocket = net::local::stream_protocol::socket;

constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

// The server's defaults, except limits small enough for the fuzzer's inputs to cross them.
ServerConfig server_config() {
    ServerConfig config;
    config.max_header_bytes = 2 * 1024;
    config.max_body_bytes = 8 * 1024;
    return config;
}

void rethrow(const std::exception_ptr& failure) {
    if (failure) {
        std::rethrow_exception(failure);
    }
}

// The client: sends the bytes, says it has nothing more to send, and reads until the server
// closes.
net::awaitable<void> send(ClientSocket& client, std::string_view request) {
    co_await net::async_write(client, net::buffer(request), use_tuple);
    boost::system::error_code ignored;
    client.shutdown(ClientSocket::shutdown_send, ignored);
}

net::awaitable<void> receive(ClientSocket& client, std::string& received) {
    std::array<char, 16 * 1024> chunk;
    for (;;) {
        auto [ec, n] = co_await client.async_read_some(net::buffer(chunk), use_tuple);
        received.append(chunk.data(), n);
        if (ec) {
            break;
        }
    }
    boost::system::error_code ignored;
    client.close(ignored);
}

// The methods of the requests whose heads the server reads from `bytes`, in order: a parser with
// the session's limits reads them as the session does, so the i-th answer is to the i-th of them.
std::vector<http::verb> request_methods(std::string_view bytes, const ServerConfig& config) {
    std::vector<http::verb> methods;
    while (!bytes.empty()) {
        http::request_parser<http::string_body> parser;
        parser.eager(true);
        parser.header_limit(static_cast<std::uint32_t>(config.max_header_bytes));
        parser.body_limit(config.max_body_bytes);
        boost::system::error_code ec;
        std::size_t used = 0;
        do {
            used = parser.put(net::buffer(bytes.data(), bytes.size()), ec);
            bytes.remove_prefix(used);
        } while (!ec && used > 0 && !parser.is_done());
        if (parser.is_header_done()) {
            methods.push_back(parser.get().method());
        }
        if (!parser.is_done()) {
            break;
        }
    }
    return methods;
}

// "HEAD GET": the requests, for a finding's message.
std::string describe(const std::vector<http::verb>& methods) {
    std::string text;
    for (const http::verb method : methods) {
        text += text.empty() ? "" : " ";
        text += http::to_string(method);
    }
    return text;
}

// Reads the server's bytes as a client would: one complete response after the other (interim
// 100 Continue answers included), each body framed by its length, its chunks or the close, and
// none after a HEAD request (RFC 9110 §9.3.2).
void check_responses(std::string_view bytes, const std::vector<http::verb>& methods) {
    for (std::size_t answered = 0; !bytes.empty();) {
        http::response_parser<http::string_body> parser;
        parser.eager(true);
        parser.body_limit(boost::none);
        parser.skip(answered < methods.size() && methods[answered] == http::verb::head);
        boost::system::error_code ec;
        while (!parser.is_done()) {
            const std::size_t used = parser.put(net::buffer(bytes.data(), bytes.size()), ec);
            bytes.remove_prefix(used);
            if (ec == http::error::need_more || (!ec && used == 0)) {
                // Everything the server sent is there: only the end of the connection is left.
                parser.put_eof(ec);
                expect(!ec, "the server's last response is complete", ec.message());
                break;
            }
            expect(!ec, "the server's bytes are HTTP responses",
                   ec.message() + " after " + std::to_string(answered) + " answers to " +
                       describe(methods));
        }
        const int status = parser.get().result_int();
        expect(status != 500, "no request makes a handler fail", parser.get().body());
        if (status >= 200) {
            ++answered;
        }
    }
}

// One runtime for the whole process: making one per input (its fetcher's OpenSSL context above
// all) costs a hundred times what the input does. Each input meets it empty: what an input stored
// is deleted through the runtime's own API before the next one.
struct Server {
    net::io_context io;
    Runtime runtime{io.get_executor()};
};

Server& server_instance() {
    static Server* const instance = new Server;  // never destroyed: coroutines may hold it
    return *instance;
}

net::awaitable<void> delete_every_collection(Runtime& runtime) {
    for (;;) {
        const Page<Collection> page = co_await runtime.list_collections(PageQuery{0, 1000});
        if (page.items.empty()) {
            co_return;
        }
        for (const Collection& collection : page.items) {
            const auto deleted = co_await runtime.delete_collection(collection.id);
            expect(deleted.has_value(), "a stored collection can be deleted");
        }
    }
}

void serve(std::string_view request) {
    Server& server = server_instance();
    net::io_context& io = server.io;
    const auto state =
        std::make_shared<server::ServerState>(io.get_executor(), server_config(), server.runtime);

    const auto [server_end, client_end] = make_socket_pair();
    net::ip::tcp::socket server_socket(io);
    server_socket.assign(net::ip::tcp::v4(), server_end);
    state->connections.emplace_front(std::move(server_socket));
    ClientSocket client(io, net::local::stream_protocol(), client_end);

    // The session, the client's sending and the client's receiving (then the cleaning up).
    int running = 3;
    const auto finished = [&running](const std::exception_ptr& failure) {
        --running;
        rethrow(failure);
    };
    std::string received;
    net::co_spawn(io, server::serve_connection(state, state->connections.begin()), finished);
    net::co_spawn(io, send(client, request), finished);
    net::co_spawn(
        io,
        [&]() -> net::awaitable<void> {
            co_await receive(client, received);
            co_await delete_every_collection(server.runtime);
        },
        finished);
    io.restart();
    while (running > 0) {
        expect(io.run_one() > 0, "the connection's coroutines do not stall");
    }

    expect(state->connections.empty(), "the session ends once the client has gone");
    check_responses(received, request_methods(request, state->config));
}

}  // namespace
}  // namespace asyncscrape::fuzz

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    // Errors only: a failing handler logs its exception, which is what a finding needs.
    asyncscrape::set_log_level(asyncscrape::LogLevel::error);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    asyncscrape::fuzz::serve({reinterpret_cast<const char*>(data), size});
    return 0;
}
