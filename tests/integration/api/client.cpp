#include "integration/api/client.hpp"

#include "support/test_certificates.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
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
#include <type_traits>

namespace asyncscrape::test {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using net::ip::tcp;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

void throw_on(const boost::system::error_code& ec, std::string_view what) {
    if (ec) {
        throw std::runtime_error(std::string(what) + ": " + ec.message());
    }
}

// Trusts the test CA and nothing else.
net::ssl::context& test_client_context() {
    static net::ssl::context context = [] {
        net::ssl::context made(net::ssl::context::tls_client);
        made.add_certificate_authority(net::buffer(test_pki().ca_certificate_pem));
        made.set_verify_mode(net::ssl::verify_peer);
        return made;
    }();
    return context;
}

}  // namespace

template <class Stream>
net::awaitable<BasicClient<Stream>> BasicClient<Stream>::connect(std::uint16_t port) {
    beast::tcp_stream connection(co_await net::this_coro::executor);
    connection.expires_after(std::chrono::seconds(10));
    const tcp::endpoint server(net::ip::make_address_v4("127.0.0.1"), port);
    auto [ec] = co_await connection.async_connect(server, use_tuple);
    throw_on(ec, "connect");
    if constexpr (std::is_same_v<Stream, TlsStream>) {
        TlsStream stream(std::move(connection), test_client_context());
        stream.set_verify_callback(net::ssl::host_name_verification("127.0.0.1"));
        auto [handshake_error] =
            co_await stream.async_handshake(net::ssl::stream_base::client, use_tuple);
        throw_on(handshake_error, "TLS handshake");
        co_return BasicClient(std::move(stream));
    } else {
        co_return BasicClient(std::move(connection));
    }
}

template <class Stream>
net::awaitable<Response> BasicClient<Stream>::request(http::verb method, std::string_view target,
                                                      std::string_view body,
                                                      std::string_view content_type) {
    http::request<http::string_body> request(method, target, 11);
    request.set(http::field::host, "127.0.0.1");
    for (const auto& [name, value] : headers) {
        request.set(name, value);
    }
    if (!body.empty()) {
        request.set(http::field::content_type, content_type);
        request.body() = body;
    }
    request.prepare_payload();
    tcp_layer().expires_after(deadline);
    auto [ec, n] = co_await http::async_write(stream_, request, use_tuple);
    throw_on(ec, "write request");
    co_return co_await receive();
}

template <class Stream>
net::awaitable<Response> BasicClient<Stream>::get(std::string_view target) {
    co_return co_await request(http::verb::get, target);
}

template <class Stream>
net::awaitable<Response> BasicClient<Stream>::post(std::string_view target, std::string_view body) {
    co_return co_await request(http::verb::post, target, body);
}

template <class Stream>
net::awaitable<void> BasicClient<Stream>::send(std::string_view raw) {
    tcp_layer().expires_after(deadline);
    auto [ec, n] = co_await net::async_write(stream_, net::buffer(raw), use_tuple);
    throw_on(ec, "send");
}

template <class Stream>
net::awaitable<Response> BasicClient<Stream>::receive() {
    http::response_parser<http::string_body> parser;
    parser.body_limit(boost::none);
    tcp_layer().expires_after(deadline);
    auto [ec, n] = co_await http::async_read(stream_, buffer_, parser, use_tuple);
    throw_on(ec, "receive");
    co_return parser.release();
}

template <class Stream>
net::awaitable<Response> BasicClient<Stream>::send_while_receiving(std::string_view raw) {
    using namespace net::experimental::awaitable_operators;
    http::response_parser<http::string_body> parser;
    parser.body_limit(boost::none);
    tcp_layer().expires_after(deadline);
    // operator&& flattens the first operand's tuple: (write error, bytes written, read result).
    auto [write_error, written, read] =
        co_await (net::async_write(stream_, net::buffer(raw), use_tuple) &&
                  http::async_read(stream_, buffer_, parser, use_tuple));
    throw_on(std::get<0>(read), "receive");
    co_return parser.release();
}

template <class Stream>
net::awaitable<bool> BasicClient<Stream>::closed_by_server() {
    const boost::system::error_code ec = co_await read_until_closed();
    co_return ec != beast::error::timeout;
}

template <class Stream>
net::awaitable<boost::system::error_code> BasicClient<Stream>::read_until_closed() {
    tcp_layer().expires_after(deadline);
    std::array<char, 4096> discarded;
    for (;;) {
        auto [ec, n] = co_await stream_.async_read_some(net::buffer(discarded), use_tuple);
        if (ec) {
            co_return ec;
        }
    }
}

template <class Stream>
std::size_t BasicClient<Stream>::bytes_waiting() {
    boost::system::error_code ec;
    return buffer_.size() + tcp_layer().socket().available(ec);
}

template <class Stream>
void BasicClient<Stream>::close() {
    boost::system::error_code ignored;
    tcp_layer().socket().shutdown(tcp::socket::shutdown_both, ignored);
    tcp_layer().close();
}

template class BasicClient<beast::tcp_stream>;
template class BasicClient<TlsStream>;

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
