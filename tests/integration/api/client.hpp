// A small HTTP/1.1 client for the API tests: one connection, coroutines on the test's io_context
// (beside the server under test), raw bytes when a test needs to misbehave. Every operation
// gives up after a deadline, so a server that never answers fails the test instead of hanging it.
// Client speaks HTTP; TlsClient the same over TLS, for a server with the test certificate.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/json/value.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace asyncscrape::test {

using Response = boost::beast::http::response<boost::beast::http::string_body>;

template <class Stream>
class BasicClient {
  public:
    // Connects to 127.0.0.1:`port`. Over TLS, then completes a handshake that verifies the
    // server's certificate against the test CA (test_certificates.hpp) and for 127.0.0.1; throws
    // when it fails.
    static boost::asio::awaitable<BasicClient> connect(std::uint16_t port);

    // One request on this connection, with a JSON body when `body` is not empty.
    boost::asio::awaitable<Response> request(boost::beast::http::verb method,
                                             std::string_view target, std::string_view body = {},
                                             std::string_view content_type = "application/json");
    boost::asio::awaitable<Response> get(std::string_view target);
    boost::asio::awaitable<Response> post(std::string_view target, std::string_view body = {});

    // Bytes as given, for requests a well-behaved client would not send.
    boost::asio::awaitable<void> send(std::string_view raw);
    // The next response on the connection.
    boost::asio::awaitable<Response> receive();
    // Sends `raw` while already reading the answer, for a server that answers before it has
    // read everything (and may stop reading); what becomes of the write does not matter.
    boost::asio::awaitable<Response> send_while_receiving(std::string_view raw);
    // Reads and discards until the server closes the connection; true when it did, false when
    // the deadline passed first.
    boost::asio::awaitable<bool> closed_by_server();
    // The same, answering the error that ended reading: beast::error::timeout when the deadline
    // passed first. Over TLS, net::error::eof says that the server sent close_notify,
    // ssl::error::stream_truncated that it closed without.
    boost::asio::awaitable<boost::system::error_code> read_until_closed();

    // Bytes that arrived and have not been read: how a test sees that no answer came yet.
    std::size_t bytes_waiting();
    void close();

    // For each operation; a test may shorten it.
    std::chrono::milliseconds deadline{10000};
    // Sent with every request made with request(), get() and post(), such as Authorization.
    std::vector<std::pair<std::string, std::string>> headers;

  private:
    explicit BasicClient(Stream stream) : stream_(std::move(stream)) {}

    boost::beast::tcp_stream& tcp_layer() { return boost::beast::get_lowest_layer(stream_); }

    Stream stream_;
    boost::beast::flat_buffer buffer_;
};

using Client = BasicClient<boost::beast::tcp_stream>;
using TlsClient = BasicClient<boost::beast::ssl_stream<boost::beast::tcp_stream>>;
extern template class BasicClient<boost::beast::tcp_stream>;
extern template class BasicClient<boost::beast::ssl_stream<boost::beast::tcp_stream>>;

// The response body parsed as JSON; throws (failing the test) when it is not JSON.
boost::json::value json_of(const Response& response);

// A JSON string as text; throws when the value is not a string.
std::string text_of(const boost::json::value& value);

// A request written out in full, for pipelining and raw sends.
std::string raw_request(std::string_view method, std::string_view target,
                        std::string_view body = {},
                        std::string_view extra_headers = "Content-Type: application/json\r\n");

}  // namespace asyncscrape::test
