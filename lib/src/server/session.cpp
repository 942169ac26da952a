#include "server/session.hpp"

#include "api/handle_request.hpp"
#include "server/reply.hpp"
#include "util/log.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
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

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>

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
// that our answer is not destroyed by a TCP reset before the client has read it.
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
    // Neither: the client left, timed out, or the server is stopping. Close without a word.
};

bool is_http_parse_error(const error_code& ec) {
    return ec.category() == http::make_error_code(http::error::bad_target).category() &&
           ec != http::error::end_of_stream && ec != http::error::partial_message;
}

class Session {
  public:
    Session(ServerState& state, Connection& connection)
        : state_(state),
          config_(state.config),
          connection_(connection),
          stream_(connection.stream) {}

    net::awaitable<void> run() {
        for (bool first_request = true;; first_request = false) {
            connection_.awaiting_request = true;
            if (state_.stopping) {
                co_return;
            }
            ReadResult read = co_await read_request(first_request);
            connection_.awaiting_request = false;
            if (read.refusal) {
                co_await answer(std::move(*read.refusal), http_1_1, false);
                co_await close_gracefully();
                co_return;
            }
            if (!read.request) {
                co_return;
            }
            const HttpRequest& request = *read.request;
            Reply reply = co_await handle(request);
            const bool keep_alive = request.keep_alive() && !state_.stopping;
            if (!co_await answer(std::move(reply), request.version(), keep_alive)) {
                co_await close_gracefully();
                co_return;
            }
        }
    }

  private:
    net::awaitable<ReadResult> read_request(bool first_request) {
        // A new connection has header_timeout to send its headers. A kept-alive one may idle for
        // idle_timeout, and then has header_timeout from its next request's first byte.
        if (buffer_.size() == 0) {
            stream_.expires_after(first_request ? config_.header_timeout : config_.idle_timeout);
            auto [ec, n] =
                co_await stream_.async_read_some(buffer_.prepare(first_read_size), use_tuple);
            if (ec || state_.stopping) {
                co_return ReadResult{};
            }
            buffer_.commit(n);
        }
        if (!first_request) {
            stream_.expires_after(config_.header_timeout);
        }

        http::request_parser<http::string_body> parser;
        parser.header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(
            config_.max_header_bytes, std::numeric_limits<std::uint32_t>::max())));
        parser.body_limit(config_.max_body_bytes);
        if (auto [ec, n] = co_await http::async_read_header(stream_, buffer_, parser, use_tuple);
            ec || state_.stopping) {
            co_return refusal_for(ec);
        }
        if (!parser.is_done()) {
            if (!co_await continue_if_expected(parser.get())) {
                co_return ReadResult{};
            }
            stream_.expires_after(config_.body_timeout);
            if (auto [ec, n] = co_await http::async_read(stream_, buffer_, parser, use_tuple);
                ec || state_.stopping) {
                co_return refusal_for(ec);
            }
        }
        co_return ReadResult{parser.release(), std::nullopt};
    }

    // The answer owed to a request that could not be read: none when the client is simply gone.
    ReadResult refusal_for(const error_code& ec) const {
        if (ec == http::error::header_limit) {
            return {std::nullopt,
                    error_reply(http::status::request_header_fields_too_large,
                                "headers: larger than " + std::to_string(config_.max_header_bytes) +
                                    " bytes")};
        }
        if (ec == http::error::body_limit) {
            return {std::nullopt,
                    error_reply(
                        http::status::payload_too_large,
                        "body: larger than " + std::to_string(config_.max_body_bytes) + " bytes")};
        }
        if (is_http_parse_error(ec)) {
            return {std::nullopt, error_reply(http::status::bad_request,
                                              "malformed HTTP request: " + ec.message())};
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
        stream_.expires_after(config_.idle_timeout);
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

    // Writes the reply; true when the connection may go on to the next request.
    net::awaitable<bool> answer(Reply reply, unsigned version, bool keep_alive) {
        HttpResponse& response = reply.response;
        response.version(version);
        response.keep_alive(keep_alive);
        response.set(http::field::server, server_name);
        // A client that takes nothing of our answer for as long as a connection may idle is gone.
        stream_.expires_after(config_.idle_timeout);
        if (reply.stream) {
            co_return co_await answer_streamed(std::move(response), *reply.stream);
        }
        response.prepare_payload();
        auto [ec, n] = co_await http::async_write(stream_, response, use_tuple);
        co_return !ec && keep_alive;
    }

    // The head first, then each piece as a chunk. HTTP/1.0 has no chunks: there the body ends
    // when the connection closes.
    net::awaitable<bool> answer_streamed(HttpResponse response, BodyStream& body) {
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
        for (;;) {
            std::string piece = co_await body.next();
            if (piece.empty()) {
                break;
            }
            stream_.expires_after(config_.idle_timeout);
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

    // Half-closes, then discards what the client still sends until it closes too.
    net::awaitable<void> close_gracefully() {
        connection_.awaiting_request = true;
        error_code ignored;
        stream_.socket().shutdown(net::ip::tcp::socket::shutdown_send, ignored);
        stream_.expires_after(linger_timeout);
        std::array<char, 16 * 1024> discarded;
        for (;;) {
            auto [ec, n] = co_await stream_.async_read_some(net::buffer(discarded), use_tuple);
            if (ec) {
                co_return;
            }
        }
    }

    ServerState& state_;
    const ServerConfig& config_;
    Connection& connection_;
    beast::tcp_stream& stream_;
    beast::flat_buffer buffer_;
};

}  // namespace

net::awaitable<void> serve_connection(std::shared_ptr<ServerState> state,
                                      ConnectionHandle connection) {
    const ConnectionSlot slot(state, connection);
    Session session(*state, *connection);
    co_await session.run();
}

}  // namespace asyncscrape::server
