#include "integration/api/client.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/parse.hpp>

#include <array>
#include <stdexcept>

namespace asyncscrape::test {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using net::ip::tcp;

constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

void throw_on(const boost::system::error_code& ec, std::string_view what) {
    if (ec) {
        throw std::runtime_error(std::string(what) + ": " + ec.message());
    }
}

}  // namespace

net::awaitable<Client> Client::connect(std::uint16_t port) {
    beast::tcp_stream stream(co_await net::this_coro::executor);
    stream.expires_after(std::chrono::seconds(10));
    const tcp::endpoint server(net::ip::make_address_v4("127.0.0.1"), port);
    auto [ec] = co_await stream.async_connect(server, use_tuple);
    throw_on(ec, "connect");
    co_return Client(std::move(stream));
}

net::awaitable<Response> Client::request(http::verb method, std::string_view target,
                                         std::string_view body, std::string_view content_type) {
    http::request<http::string_body> request(method, target, 11);
    request.set(http::field::host, "127.0.0.1");
    if (!body.empty()) {
        request.set(http::field::content_type, content_type);
        request.body() = body;
    }
    request.prepare_payload();
    stream_.expires_after(deadline);
    auto [ec, n] = co_await http::async_write(stream_, request, use_tuple);
    throw_on(ec, "write request");
    co_return co_await receive();
}

net::awaitable<Response> Client::get(std::string_view target) {
    co_return co_await request(http::verb::get, target);
}

net::awaitable<Response> Client::post(std::string_view target, std::string_view body) {
    co_return co_await request(http::verb::post, target, body);
}

net::awaitable<void> Client::send(std::string_view raw) {
    stream_.expires_after(deadline);
    auto [ec, n] = co_await net::async_write(stream_, net::buffer(raw), use_tuple);
    throw_on(ec, "send");
}

net::awaitable<Response> Client::receive() {
    http::response_parser<http::string_body> parser;
    parser.body_limit(boost::none);
    stream_.expires_after(deadline);
    auto [ec, n] = co_await http::async_read(stream_, buffer_, parser, use_tuple);
    throw_on(ec, "receive");
    co_return parser.release();
}

net::awaitable<Response> Client::send_while_receiving(std::string_view raw) {
    using namespace net::experimental::awaitable_operators;
    http::response_parser<http::string_body> parser;
    parser.body_limit(boost::none);
    stream_.expires_after(deadline);
    // operator&& flattens the first operand's tuple: (write error, bytes written, read result).
    auto [write_error, written, read] =
        co_await (net::async_write(stream_, net::buffer(raw), use_tuple) &&
                  http::async_read(stream_, buffer_, parser, use_tuple));
    throw_on(std::get<0>(read), "receive");
    co_return parser.release();
}

net::awaitable<bool> Client::closed_by_server() {
    stream_.expires_after(deadline);
    std::array<char, 4096> discarded;
    for (;;) {
        auto [ec, n] = co_await stream_.async_read_some(net::buffer(discarded), use_tuple);
        if (ec == beast::error::timeout) {
            co_return false;
        }
        if (ec) {
            co_return true;
        }
    }
}

std::size_t Client::bytes_waiting() {
    boost::system::error_code ec;
    return buffer_.size() + stream_.socket().available(ec);
}

void Client::close() {
    boost::system::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
}

boost::json::value json_of(const Response& response) {
    boost::system::error_code ec;
    boost::json::value value = boost::json::parse(response.body(), ec);
    if (ec) {
        throw std::runtime_error("not JSON (" + ec.message() + "): " + response.body());
    }
    return value;
}

std::string text_of(const boost::json::value& value) {
    return std::string(value.as_string());
}

std::string raw_request(std::string_view method, std::string_view target, std::string_view body,
                        std::string_view extra_headers) {
    std::string raw;
    raw.append(method).append(" ").append(target).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    if (!body.empty()) {
        raw.append(extra_headers);
        raw.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
    }
    raw.append("\r\n").append(body);
    return raw;
}

}  // namespace asyncscrape::test
