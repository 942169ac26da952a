#include "server/session.hpp"

#include "api/handle_request.hpp"
#include "server/reply.hpp"
#include "server/response_head.hpp"
#include "util/log.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/stream_base.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

namespace asyncscrape::server {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using boost::system::error_code;

constexpr auto use_tuple = net::as_tuple(net::use_awaitable);
constexpr std::string_view server_name = "asyncscrape";
// The version of answers to requests that could not be read.
constexpr unsigned http_1_1 = 11;
// How long a closing connection keeps reading (and discarding) what the client still sends, so
// that our answer is not destroyed by a TCP reset before the client has read it; over TLS, this
// includes sending close_notify.
constexpr std::chrono::seconds linger_timeout{2};
// The first read of a request: enough for a typical request line and headers.
constexpr std::size_t first_read_size = 4096;

// Removes the connection from the server once its session has ended, however it ended.
class ConnectionSlot {
  public:
    ConnectionSlot(std::shared_ptr<ServerState> state, ConnectionHandle connection)
        : state_(std::move(state)), connection_(connection) {}
    ~ConnectionSlot() {
        state_->connections.erase(connection_);
        state_->changed.notify_all();
    }
    ConnectionSlot(const ConnectionSlot&) = delete;
    ConnectionSlot& operator=(const ConnectionSlot&) = delete;

  private:
    std::shared_ptr<ServerState> state_;
    ConnectionHandle connection_;
};

// What reading a request gave.
struct ReadResult {
    std::optional<HttpRequest> request;  // a whole request arrived
    std::optional<Reply> refusal;        // it broke a limit: answer this, then close
    bool head = false;                   // the refused request was a HEAD: answer without body
    // Neither: the client left, timed out, or the server is stopping. Close without a word.
};

bool is_http_parse_error(const error_code& ec) {
    return ec.category() == http::make_error_code(http::error::bad_target).category() &&
           ec != http::error::end_of_stream && ec != http::error::partial_message;
}

// OpenSSL recognises a plain HTTP request ("GET ", "POST ", "HEAD ", "PUT ") where a ClientHello
// should be, and fails the handshake with this reason.
bool is_plain_http_request(const error_code& ec) {
    return ec.category() == net::error::get_ssl_category() &&
           ERR_GET_REASON(static_cast<unsigned long>(ec.value())) == SSL_R_HTTP_REQUEST;
}

// The two kinds of connection: plain HTTP on the connection's TCP stream, and HTTPS through a TLS
// stream over it. The TCP stream stays the connection's own either way, so that its timeouts
// bound TLS operations too and Server::stop() cancels them alike.
using PlainStream = beast::tcp_stream&;
using TlsStream = beast::ssl_stream<beast::tcp_stream&>;

// One connection, over either kind of stream; only the handshake and the way a connection closes
// differ.
template <class Stream>
class Session {
    static constexpr bool over_tls = std::is_same_v<Stream, TlsStream>;

  public:
    // `stream_args` make the stream: the TCP stream, and for TLS the server's context.
    template <class... StreamArgs>
    Session(ServerState& state, Connection& connection, StreamArgs&&... stream_args)
        : state_(state),
          config_(state.config),
          connection_(connection),
          stream_(std::forward<StreamArgs>(stream_args)...) {}

    net::awaitable<void> run() {
        if (!co_await handshake()) {
            co_return;
        }
        // Awaited into a variable: GCC 12 miscompiles a co_await inside the comparison.
        const Ending ending = co_await serve_requests();
        if (ending == Ending::answered) {
            co_await close_gracefully();
        } else {
            co_await close_quietly();
        }
    }

  private:
    enum class Ending {
        answered,  // our last answer said the connection closes, or could not be written
        quiet,     // the client left, timed out, or the server is stopping: nothing owed
    };

    // Over TLS, the handshake, which must end within the header timeout: a client that connects
    // and never sends a ClientHello is dropped like one that never sends its headers.
    net::awaitable<bool> handshake() {
        if constexpr (over_tls) {
            tcp().expires_after(config_.header_timeout);
            auto [ec] = co_await stream_.async_handshake(net::ssl::stream_base::server, use_tuple);
            if (ec) {
                log(LogLevel::debug, "TLS handshake failed: ", ec.message());
                if (is_plain_http_request(ec)) {
                    co_await refuse_plain_http();
                }
                co_return false;
            }
        }
        co_return true;
    }

    // Reads and answers requests until the connection is to close, and says how it ends.
    net::awaitable<Ending> serve_requests() {
        for (bool first_request = true;; first_request = false) {
            connection_.awaiting_request = true;
            if (state_.stopping) {
                co_return Ending::quiet;
            }
            ReadResult read = co_await read_request(first_request);
            connection_.awaiting_request = false;
            if (read.refusal) {
                co_await answer(std::move(*read.refusal), http_1_1, false, read.head);
                co_return Ending::answered;
            }
            if (!read.request) {
                co_return Ending::quiet;
            }
            const HttpRequest& request = *read.request;
            Reply reply = co_await handle(request);
            const bool keep_alive = request.keep_alive() && !state_.stopping;
            const bool head = request.method() == http::verb::head;
            if (!co_await answer(std::move(reply), request.version(), keep_alive, head)) {
                co_return Ending::answered;
            }
        }
    }

    beast::tcp_stream& tcp() { return connection_.stream; }

    net::awaitable<ReadResult> read_request(bool first_request) {
        // A new connection has header_timeout to send its headers. A kept-alive one may idle for
        // idle_timeout, and then has header_timeout from its next request's first byte.
        if (buffer_.size() == 0) {
            tcp().expires_after(first_request ? config_.header_timeout : config_.idle_timeout);
            auto [ec, n] =
                co_await stream_.async_read_some(buffer_.prepare(first_read_size), use_tuple);
            if (ec || state_.stopping) {
                co_return ReadResult{};
            }
            buffer_.commit(n);
        }
        if (!first_request) {
            tcp().expires_after(config_.header_timeout);
        }

        http::request_parser<http::string_body> parser;
        parser.header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(
            config_.max_header_bytes, std::numeric_limits<std::uint32_t>::max())));
        parser.body_limit(config_.max_body_bytes);
        if (auto [ec, n] = co_await http::async_read_header(stream_, buffer_, parser, use_tuple);
            ec || state_.stopping) {
            co_return refusal_for(ec, parser);
        }
        if (!parser.is_done()) {
            if (!co_await continue_if_expected(parser.get())) {
                co_return ReadResult{};
            }
            tcp().expires_after(config_.body_timeout);
            if (auto [ec, n] = co_await http::async_read(stream_, buffer_, parser, use_tuple);
                ec || state_.stopping) {
                co_return refusal_for(ec, parser);
            }
        }
        co_return ReadResult{parser.release(), std::nullopt};
    }

    // The answer owed to a request that could not be read: none when the client is simply gone.
    ReadResult refusal_for(const error_code& ec,
                           const http::request_parser<http::string_body>& parser) const {
        const bool head = parser.is_header_done() && parser.get().method() == http::verb::head;
        if (ec == http::error::header_limit) {
            return {std::nullopt,
                    error_reply(http::status::request_header_fields_too_large,
                                "headers: larger than " + std::to_string(config_.max_header_bytes) +
                                    " bytes"),
                    head};
        }
        if (ec == http::error::body_limit) {
            return {std::nullopt,
                    error_reply(
                        http::status::payload_too_large,
                        "body: larger than " + std::to_string(config_.max_body_bytes) + " bytes"),
                    head};
        }
        if (is_http_parse_error(ec)) {
            return {
                std::nullopt,
                error_reply(http::status::bad_request, "malformed HTTP request: " + ec.message()),
                head};
        }
        return {};
    }

    // Clients that wait for "100 Continue" before sending a body (curl does, for large ones) get
    // it once the headers have passed every check.
    net::awaitable<bool> continue_if_expected(const HttpRequest& head) {
        if (head.version() < 11 || !beast::iequals(head[http::field::expect], "100-continue")) {
            co_return true;
        }
        static constexpr std::string_view interim = "HTTP/1.1 100 Continue\r\n\r\n";
        tcp().expires_after(config_.idle_timeout);
        auto [ec, n] = co_await net::async_write(stream_, net::buffer(interim), use_tuple);
        co_return !ec;
    }

    net::awaitable<Reply> handle(const HttpRequest& request) {
        if (state_.stopping) {
            co_return error_reply(http::status::service_unavailable, "server is shutting down");
        }
        try {
            co_return co_await api::handle_request(request, state_.api);
        } catch (const std::exception& e) {
            log(LogLevel::error, "handler of ", request.method_string(), ' ', request.target(),
                " failed: ", e.what());
        }
        co_return error_reply(http::status::internal_server_error, "internal server error");
    }

    // Writes the reply; true when the connection may go on to the next request. The answer to a
    // HEAD request is the head alone, with the Content-Length the body would have had (RFC 9110
    // 9.3.2): a body after it would be read as the next response.
    net::awaitable<bool> answer(Reply reply, unsigned version, bool keep_alive, bool head) {
        HttpResponse& response = reply.response;
        stamp(response, version, keep_alive);
        // A client that takes nothing of our answer for as long as a connection may idle is gone.
        tcp().expires_after(config_.idle_timeout);
        if (reply.stream) {
            co_return co_await answer_streamed(std::move(response), *reply.stream, head);
        }
        response.prepare_payload();
        // The head serialised by hand and the body as it is, in one write.
        const std::string head_bytes = serialize_head(response.base());
        const std::array<net::const_buffer, 2> buffers{
            net::buffer(head_bytes), head ? net::const_buffer() : net::buffer(response.body())};
        auto [ec, n] = co_await net::async_write(stream_, buffers, use_tuple);
        co_return !ec && keep_alive;
    }

    // The head first, then each piece as a chunk. HTTP/1.0 has no chunks: there the body ends
    // when the connection closes.
    net::awaitable<bool> answer_streamed(HttpResponse response, BodyStream& body, bool head_only) {
        http::response<http::empty_body> head(std::move(response.base()));
        const bool chunked = head.version() >= 11;
        if (chunked) {
            head.chunked(true);
        } else {
            head.keep_alive(false);
        }
        http::response_serializer<http::empty_body> serializer(head);
        if (auto [ec, n] = co_await http::async_write_header(stream_, serializer, use_tuple); ec) {
            co_return false;
        }
        if (head_only) {
            co_return chunked&& head.keep_alive();
        }
        for (;;) {
            std::string piece = co_await body.next();
            if (piece.empty()) {
                break;
            }
            tcp().expires_after(config_.idle_timeout);
            auto [ec, n] = chunked
                               ? co_await net::async_write(
                                     stream_, http::make_chunk(net::buffer(piece)), use_tuple)
                               : co_await net::async_write(stream_, net::buffer(piece), use_tuple);
            if (ec) {
                co_return false;
            }
        }
        if (chunked) {
            auto [ec, n] = co_await net::async_write(stream_, http::make_chunk_last(), use_tuple);
            co_return !ec && head.keep_alive();
        }
        co_return false;
    }

    // What every answer carries that depends on the connection.
    static void stamp(HttpResponse& response, unsigned version, bool keep_alive) {
        response.version(version);
        response.keep_alive(keep_alive);
        response.set(http::field::server, server_name);
    }

    // A client that spoke plain HTTP to the HTTPS port is told so in plain HTTP, the one thing it
    // can read, and the connection closes.
    net::awaitable<void> refuse_plain_http() {
        Reply reply =
            error_reply(http::status::bad_request, "this port speaks HTTPS: use https://");
        stamp(reply.response, http_1_1, false);
        reply.response.prepare_payload();
        tcp().expires_after(config_.idle_timeout);
        if (auto [ec, n] = co_await http::async_write(tcp(), reply.response, use_tuple); !ec) {
            co_await linger();
        }
    }

    // After our last answer: over TLS, close_notify first; then a half-close, and what the client
    // still sends is discarded until it closes too, so that our answer is not destroyed by a TCP
    // reset before the client has read it. All within linger_timeout.
    net::awaitable<void> close_gracefully() {
        connection_.awaiting_request = true;
        tcp().expires_after(linger_timeout);
        if constexpr (over_tls) {
            const error_code ec = co_await send_close_notify();
            if (ec == net::error::operation_aborted || ec == beast::error::timeout) {
                co_return;
            }
        }
        co_await linger();
    }

    // Without an answer owed. Over TLS, still a close_notify, so that the client knows that
    // nothing was cut off; unless a timeout has closed the socket already.
    net::awaitable<void> close_quietly() {
        if constexpr (over_tls) {
            if (tcp().socket().is_open()) {
                connection_.awaiting_request = true;
                tcp().expires_after(linger_timeout);
                co_await send_close_notify();
            }
        }
    }

    // Sends our close_notify without waiting for the client's: OpenSSL is told that it has come
    // already, so that its shutdown ends once ours is written. Waiting for the client is the TCP
    // linger's part, which reads whatever it sends, its close_notify included; and a client that
    // never answers close_notify does not hold up Server::stop().
    net::awaitable<error_code> send_close_notify() {
        SSL* ssl = stream_.native_handle();
        SSL_set_shutdown(ssl, SSL_get_shutdown(ssl) | SSL_RECEIVED_SHUTDOWN);
        auto [ec] = co_await stream_.async_shutdown(use_tuple);
        co_return ec;
    }

    // Half-closes the TCP stream, then discards what arrives until the client closes too or the
    // deadline set before passes.
    net::awaitable<void> linger() {
        error_code ignored;
        tcp().socket().shutdown(net::ip::tcp::socket::shutdown_send, ignored);
        std::array<char, 16 * 1024> discarded;
        for (;;) {
            auto [ec, n] = co_await tcp().async_read_some(net::buffer(discarded), use_tuple);
            if (ec) {
                co_return;
            }
        }
    }

    ServerState& state_;
    const ServerConfig& config_;
    Connection& connection_;
    Stream stream_;
    beast::flat_buffer buffer_;
};

}  // namespace

net::awaitable<void> serve_connection(std::shared_ptr<ServerState> state,
                                      ConnectionHandle connection) {
    const ConnectionSlot slot(state, connection);
    if (state->tls) {
        Session<TlsStream> session(*state, *connection, connection->stream, *state->tls);
        co_await session.run();
    } else {
        Session<PlainStream> session(*state, *connection, connection->stream);
        co_await session.run();
    }
}

}  // namespace asyncscrape::server
