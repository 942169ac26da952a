#include "support/target_server.hpp"

#include "support/open_connections.hpp"
#include "support/test_certificates.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <zlib.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <exception>
#include <list>
#include <map>
#include <optional>
#include <stdexcept>
#include <utility>
#include <vector>

namespace asyncscrape::test {

namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace ssl = boost::asio::ssl;
namespace urls = boost::urls;
using tcp = asio::ip::tcp;
using Headers = std::vector<std::pair<std::string, std::string>>;

namespace {

constexpr std::size_t max_request_body_bytes = 64 * 1024 * 1024;
constexpr std::size_t gzip_bomb_bytes = 32 * 1024 * 1024;
constexpr std::size_t default_huge_bytes = 32 * 1024 * 1024;

std::string make_page() {
    std::string page =
        "<!doctype html>\n<html><head><title>asyncscrape target page</title></head><body>\n"
        "<h1>Target page</h1>\n";
    for (int i = 1; i <= 36; ++i) {
        page += "<p>Paragraph " + std::to_string(i) + " of the loopback test page.</p>\n";
    }
    page += "</body></html>\n";
    return page;
}

const std::string& page() {
    static const std::string text = make_page();
    return text;
}

// zlib's deflate with the given window bits: 15 + 16 for gzip, 15 for zlib, -15 for raw.
// `repeat` copies of `data` are compressed, so a bomb never exists inflated.
std::string compress(std::string_view data, int window_bits, std::size_t repeat = 1) {
    z_stream stream{};
    if (deflateInit2(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY) !=
        Z_OK) {
        throw std::runtime_error("deflateInit2 failed");
    }
    std::string compressed;
    char out[64 * 1024];
    for (std::size_t i = 0; i < repeat; ++i) {
        const int flush = i + 1 == repeat ? Z_FINISH : Z_NO_FLUSH;
        stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
        stream.avail_in = static_cast<uInt>(data.size());
        int result = Z_OK;
        do {
            stream.next_out = reinterpret_cast<Bytef*>(out);
            stream.avail_out = sizeof out;
            result = deflate(&stream, flush);
            compressed.append(out, sizeof out - stream.avail_out);
        } while (stream.avail_out == 0 || (flush == Z_FINISH && result != Z_STREAM_END));
    }
    deflateEnd(&stream);
    return compressed;
}

const std::string& gzip_bomb() {
    static const std::string bomb =
        compress(std::string(1024 * 1024, '\0'), 15 + 16, gzip_bomb_bytes / (1024 * 1024));
    return bomb;
}

std::string lower_case(std::string_view text) {
    std::string lower(text);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return lower;
}

template <class Int>
Int to_number(std::string_view text, Int fallback) {
    Int value{};
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    return error == std::errc{} && end == text.data() + text.size() ? value : fallback;
}

std::string status_line(int status) {
    const std::string_view reason =
        http::obsolete_reason(http::int_to_status(static_cast<unsigned>(status)));
    return "HTTP/1.1 " + std::to_string(status) + " " +
           std::string(reason == "<unknown-status>" ? "Status" : reason) + "\r\n";
}

// A complete response, framed with Content-Length (no body for HEAD, 1xx, 204 and 304).
std::string serialize(int status, const Headers& headers, std::string_view body, bool head) {
    std::string text = status_line(status);
    for (const auto& [name, value] : headers) {
        text += name + ": " + value + "\r\n";
    }
    const bool bodiless = status < 200 || status == 204 || status == 304;
    if (!bodiless) {
        text += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    }
    text += "\r\n";
    if (!bodiless && !head) {
        text += body;
    }
    return text;
}

struct Reply {
    int status = 200;
    Headers headers;
    std::string body;
    bool close = false;
};

Reply html_page() {
    return {200, {{"Content-Type", "text/html; charset=utf-8"}}, page(), false};
}

Reply scripted_page(std::string_view delay_ms) {
    std::string body =
        "<!doctype html><html><head><title>scripted</title></head><body>"
        "<p id=\"status\">loading</p><script>setTimeout(function () {"
        "document.getElementById('status').textContent = 'written by script';}, ";
    body += std::to_string(to_number<int>(delay_ms, 300));
    body += ");</script></body></html>";
    return {200, {{"Content-Type", "text/html; charset=utf-8"}}, std::move(body), false};
}

std::string echo_json(const http::request<http::string_body>& request) {
    boost::json::object headers;
    for (const auto& field : request) {
        const std::string name = lower_case(field.name_string());
        if (auto* existing = headers.if_contains(name)) {
            std::string joined(existing->as_string());
            joined += ", ";
            joined += field.value();
            *existing = joined;
        } else {
            headers[name] = field.value();
        }
    }
    boost::json::object echo;
    echo["method"] = request.method_string();
    echo["target"] = request.target();
    echo["headers"] = std::move(headers);
    echo["body"] = request.body();
    return boost::json::serialize(echo);
}

}  // namespace

struct TargetServer::State {
    State(asio::io_context& io, TargetTransport transport)
        : executor(io.get_executor()), transport(transport), acceptor(io) {}

    asio::any_io_executor executor;
    TargetTransport transport;
    tcp::acceptor acceptor;
    std::optional<ssl::context> tls_context;
    std::map<std::string, std::size_t, std::less<>> requests;
    std::map<std::string, int> flaky_failures;  // by key
    std::size_t accepted = 0;
    OpenConnections connections;
};

namespace {

using State = TargetServer::State;

template <class Stream>
asio::awaitable<bool> write_text(Stream& stream, std::string_view text) {
    const auto [error, written] =
        co_await asio::async_write(stream, asio::buffer(text), asio::as_tuple(asio::use_awaitable));
    co_return !error;
}

// Reads and discards until the peer closes or stop() closes the socket.
template <class Stream>
asio::awaitable<void> wait_until_closed(Stream& stream) {
    char discard[1024];
    for (;;) {
        const auto [error, read] = co_await stream.async_read_some(
            asio::buffer(discard), asio::as_tuple(asio::use_awaitable));
        if (error) {
            co_return;
        }
    }
}

asio::awaitable<bool> sleep_for(std::chrono::milliseconds duration) {
    asio::steady_timer timer(co_await asio::this_coro::executor, duration);
    const auto [error] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    co_return !error;
}

std::string query_parameter(const urls::url_view& target, std::string_view key,
                            std::string fallback = {}) {
    const auto params = target.params();
    const auto found = params.find(key);
    if (found == params.end() || !(*found).has_value) {
        return fallback;
    }
    return (*found).value;
}

// The routes whose answer is one ordinary response; nullopt for the others.
std::optional<Reply> simple_reply(State& state, std::string_view path, const urls::url_view& target,
                                  const http::request<http::string_body>& request) {
    if (path == "/page") {
        Reply reply = html_page();
        reply.close = query_parameter(target, "close") == "1";
        return reply;
    }
    if (path == "/scripted") {
        return scripted_page(query_parameter(target, "delay_ms"));
    }
    if (path.starts_with("/status/")) {
        const int status = to_number<int>(path.substr(8), 500);
        Reply reply{
            status, {{"Content-Type", "text/plain"}}, "status " + std::to_string(status), false};
        if (const std::string retry_after = query_parameter(target, "retry_after");
            !retry_after.empty()) {
            reply.headers.emplace_back("Retry-After", retry_after);
        }
        return reply;
    }
    if (path.starts_with("/redirect/")) {
        const int hops = to_number<int>(path.substr(10), 0);
        if (hops <= 0) {
            return html_page();
        }
        return Reply{302, {{"Location", std::to_string(hops - 1)}}, "", false};
    }
    if (path == "/redirect-loop") {
        return Reply{302, {{"Location", "/redirect-loop"}}, "", false};
    }
    if (path == "/redirect-to") {
        const int status = to_number<int>(query_parameter(target, "status"), 302);
        return Reply{status, {{"Location", query_parameter(target, "url")}}, "", false};
    }
    if (path == "/gzip") {
        return Reply{200,
                     {{"Content-Type", "text/html; charset=utf-8"}, {"Content-Encoding", "gzip"}},
                     compress(page(), 15 + 16),
                     false};
    }
    if (path == "/deflate") {
        const int window_bits = query_parameter(target, "raw") == "1" ? -15 : 15;
        return Reply{
            200,
            {{"Content-Type", "text/html; charset=utf-8"}, {"Content-Encoding", "deflate"}},
            compress(page(), window_bits),
            false};
    }
    if (path == "/gzip-bomb") {
        return Reply{200,
                     {{"Content-Type", "text/plain"}, {"Content-Encoding", "gzip"}},
                     gzip_bomb(),
                     false};
    }
    if (path == "/echo") {
        return Reply{200, {{"Content-Type", "application/json"}}, echo_json(request), false};
    }
    if (path == "/binary") {
        std::string bytes(256, '\0');
        for (int i = 0; i < 256; ++i) {
            bytes[static_cast<std::size_t>(i)] = static_cast<char>(i);
        }
        return Reply{200, {{"Content-Type", "application/octet-stream"}}, bytes, false};
    }
    if (path.starts_with("/flaky/")) {
        const int failures = to_number<int>(path.substr(7), 0);
        int& failed = state.flaky_failures[query_parameter(target, "key")];
        if (failed < failures) {
            ++failed;
            return Reply{503, {{"Content-Type", "text/plain"}}, "try again", false};
        }
        return html_page();
    }
    if (path == "/set-cookie") {
        Reply reply = html_page();
        reply.headers.emplace_back("Set-Cookie", "first=1; Path=/");
        reply.headers.emplace_back("Set-Cookie", "second=2; Path=/; HttpOnly");
        return reply;
    }
    return std::nullopt;
}

// Answers one request; false when the connection is to be closed.
template <class Stream>
asio::awaitable<bool> respond(State& state, Stream& stream, tcp::socket& socket,
                              const http::request<http::string_body>& request,
                              std::size_t connection_number) {
    const auto parsed = urls::parse_origin_form(request.target());
    if (!parsed) {
        co_await write_text(stream, serialize(400, {}, "bad target", false));
        co_return false;
    }
    const urls::url_view& target = *parsed;
    const std::string path = target.path();
    ++state.requests[path];
    const Headers connection_header{{"X-Connection", std::to_string(connection_number)}};
    const bool head = request.method() == http::verb::head;

    if (auto reply = simple_reply(state, path, target, request)) {
        reply->headers.insert(reply->headers.begin(), connection_header.begin(),
                              connection_header.end());
        if (reply->close) {
            reply->headers.emplace_back("Connection", "close");
        }
        const bool written = co_await write_text(
            stream, serialize(reply->status, reply->headers, reply->body, head));
        co_return written && !reply->close;
    }
    if (path.starts_with("/delay/")) {
        if (!co_await sleep_for(std::chrono::milliseconds(to_number<int>(path.substr(7), 0)))) {
            co_return false;
        }
        const Reply reply = html_page();
        co_return co_await write_text(stream, serialize(200, reply.headers, reply.body, head));
    }
    if (path == "/hang") {
        co_await wait_until_closed(stream);
        co_return false;
    }
    if (path == "/headers-then-hang") {
        if (co_await write_text(stream, status_line(200) + "Content-Length: 1000\r\n\r\n")) {
            co_await wait_until_closed(stream);
        }
        co_return false;
    }
    if (path == "/drip") {
        const auto bytes = to_number<std::size_t>(query_parameter(target, "bytes"), 100);
        const auto interval =
            std::chrono::milliseconds(to_number<int>(query_parameter(target, "interval_ms"), 100));
        if (!co_await write_text(stream, status_line(200) + "Content-Length: " +
                                             std::to_string(bytes) + "\r\n\r\n")) {
            co_return false;
        }
        for (std::size_t i = 0; i < bytes; ++i) {
            if (!co_await sleep_for(interval) || !co_await write_text(stream, "x")) {
                co_return false;
            }
        }
        co_return true;
    }
    if (path == "/reset") {
        co_await write_text(
            stream, status_line(200) + "Content-Length: 100000\r\n\r\n" + std::string(1000, 'r'));
        boost::system::error_code ignored;
        socket.set_option(tcp::socket::linger(true, 0), ignored);  // close sends RST
        socket.close(ignored);
        co_return false;
    }
    if (path == "/huge" || path == "/huge-declared") {
        const bool declared_only = path == "/huge-declared";
        const std::size_t bytes =
            declared_only
                ? std::size_t{10} * 1024 * 1024 * 1024
                : to_number<std::size_t>(query_parameter(target, "bytes"), default_huge_bytes);
        if (!co_await write_text(stream, status_line(200) + "Content-Length: " +
                                             std::to_string(bytes) + "\r\n\r\n")) {
            co_return false;
        }
        const std::string block(64 * 1024, 'h');
        for (std::size_t sent = 0; sent < bytes; sent += block.size()) {
            if (!co_await write_text(stream, std::string_view(block).substr(
                                                 0, std::min(block.size(), bytes - sent)))) {
                co_return false;
            }
        }
        co_return true;
    }
    if (path == "/endless-chunked") {
        if (!co_await write_text(stream, status_line(200) + "Transfer-Encoding: chunked\r\n\r\n")) {
            co_return false;
        }
        const std::string chunk = "10000\r\n" + std::string(0x10000, 'c') + "\r\n";
        while (co_await write_text(stream, chunk)) {
        }
        co_return false;
    }
    if (path == "/not-http") {
        static constexpr char garbage[] = "SSH-2.0-OpenSSH_9.2\r\n\x01\x02\xff garbage\r\n\r\n";
        co_await write_text(stream, std::string_view(garbage, sizeof garbage - 1));
        co_return false;
    }
    co_return co_await write_text(stream, serialize(404, connection_header, "not found", head));
}

template <class Stream>
asio::awaitable<void> serve_requests(std::shared_ptr<State> state, Stream& stream,
                                     tcp::socket& socket, std::size_t connection_number) {
    boost::beast::flat_buffer buffer;
    for (;;) {
        http::request_parser<http::string_body> parser;
        parser.body_limit(max_request_body_bytes);
        const auto [error, read] =
            co_await http::async_read(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
        if (error) {
            co_return;
        }
        const http::request<http::string_body> request = parser.release();
        if (!co_await respond(*state, stream, socket, request, connection_number)) {
            co_return;
        }
    }
}

asio::awaitable<void> serve_connection(std::shared_ptr<State> state, tcp::socket socket,
                                       std::size_t connection_number) {
    if (state->transport == TargetTransport::silent) {
        const OpenConnection tracked(state->connections, socket);
        co_await wait_until_closed(socket);
    } else if (!state->tls_context) {
        const OpenConnection tracked(state->connections, socket);
        co_await serve_requests(state, socket, socket, connection_number);
    } else {
        ssl::stream<tcp::socket> stream(std::move(socket), *state->tls_context);
        const OpenConnection tracked(state->connections, stream.next_layer());
        const auto [error] = co_await stream.async_handshake(ssl::stream_base::server,
                                                             asio::as_tuple(asio::use_awaitable));
        if (!error) {
            co_await serve_requests(state, stream, stream.next_layer(), connection_number);
        }
    }
}

void report_failure(std::exception_ptr failure) {
    if (!failure) {
        return;
    }
    try {
        std::rethrow_exception(failure);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "target server coroutine failed: %s\n", e.what());
    }
}

asio::awaitable<void> accept_connections(std::shared_ptr<State> state) {
    for (;;) {
        auto [error, socket] =
            co_await state->acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
        if (error) {
            co_return;  // stopped
        }
        ++state->accepted;
        asio::co_spawn(state->executor, serve_connection(state, std::move(socket), state->accepted),
                       report_failure);
    }
}

std::optional<ssl::context> server_tls_context(TargetTransport transport) {
    const TestPki& pki = test_pki();
    const TestCredential* credential = nullptr;
    switch (transport) {
        case TargetTransport::tls:
            credential = &pki.localhost;
            break;
        case TargetTransport::tls_wrong_host:
            credential = &pki.wrong_host;
            break;
        case TargetTransport::tls_self_signed:
            credential = &pki.self_signed;
            break;
        case TargetTransport::tls_expired:
            credential = &pki.expired;
            break;
        case TargetTransport::plain:
        case TargetTransport::silent:
            return std::nullopt;
    }
    ssl::context context(ssl::context::tls_server);
    context.use_certificate_chain(asio::buffer(credential->certificate_pem));
    context.use_private_key(asio::buffer(credential->private_key_pem), ssl::context::pem);
    return context;
}

}  // namespace

TargetServer::TargetServer(asio::io_context& io, TargetTransport transport)
    : state_(std::make_shared<State>(io, transport)) {
    state_->tls_context = server_tls_context(transport);
    const tcp::endpoint loopback(asio::ip::address_v4::loopback(), 0);
    state_->acceptor.open(loopback.protocol());
    state_->acceptor.set_option(tcp::acceptor::reuse_address(true));
    state_->acceptor.bind(loopback);
    state_->acceptor.listen();
    asio::co_spawn(state_->executor, accept_connections(state_), report_failure);
}

TargetServer::~TargetServer() {
    stop();
}

std::uint16_t TargetServer::port() const {
    return state_->acceptor.local_endpoint().port();
}

std::string TargetServer::base_url() const {
    const bool tls = state_->tls_context.has_value();
    return std::string(tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(port());
}

std::string TargetServer::url(std::string_view path_and_query) const {
    return base_url() + std::string(path_and_query);
}

void TargetServer::stop() {
    boost::system::error_code ignored;
    state_->acceptor.close(ignored);
    drop_connections();
}

void TargetServer::drop_connections() {
    boost::system::error_code ignored;
    for (tcp::socket* socket : state_->connections.sockets) {
        socket->shutdown(tcp::socket::shutdown_both, ignored);
        socket->close(ignored);
    }
}

std::size_t TargetServer::requests_seen(std::string_view path) const {
    const auto found = state_->requests.find(path);
    return found == state_->requests.end() ? 0 : found->second;
}

std::size_t TargetServer::connections_accepted() const {
    return state_->accepted;
}

std::size_t TargetServer::open_connections() const {
    return state_->connections.open;
}

std::size_t TargetServer::peak_open_connections() const {
    return state_->connections.peak_open;
}

const std::string& TargetServer::ca_file() {
    return test_pki().ca_file;
}

}  // namespace asyncscrape::test
