#include "integration/browser/connection_recorder.hpp"

#include "server/log_failure.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <chrono>
#include <utility>

namespace asyncscrape::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

struct ConnectionRecorder::State {
    explicit State(asio::io_context& io)
        : acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.2"), 0)) {}

    tcp::acceptor acceptor;
    std::size_t connections = 0;
    std::vector<std::string> targets;
};

namespace {

asio::awaitable<void> answer(std::shared_ptr<ConnectionRecorder::State> state, tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    stream.expires_after(std::chrono::seconds(30));
    beast::flat_buffer buffer;
    http::request<http::string_body> request;
    const auto [read_error, read] =
        co_await http::async_read(stream, buffer, request, asio::as_tuple(asio::use_awaitable));
    if (read_error) {
        co_return;
    }
    state->targets.emplace_back(request.target());
    http::response<http::string_body> response(http::status::ok, 11);
    response.set(http::field::content_type, "text/plain");
    response.set(http::field::access_control_allow_origin, "*");
    response.keep_alive(false);
    response.body() = "ok";
    response.prepare_payload();
    co_await http::async_write(stream, response, asio::as_tuple(asio::use_awaitable));
    boost::system::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

asio::awaitable<void> accept_connections(std::shared_ptr<ConnectionRecorder::State> state) {
    while (state->acceptor.is_open()) {
        auto [error, socket] =
            co_await state->acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
        if (error) {
            co_return;
        }
        ++state->connections;
        asio::co_spawn(state->acceptor.get_executor(), answer(state, std::move(socket)),
                       server::LogFailure{"connection recorder connection"});
    }
}

}  // namespace

ConnectionRecorder::ConnectionRecorder(asio::io_context& io) : state_(std::make_shared<State>(io)) {
    asio::co_spawn(io, accept_connections(state_), server::LogFailure{"connection recorder"});
}

ConnectionRecorder::~ConnectionRecorder() {
    boost::system::error_code ignored;
    state_->acceptor.close(ignored);
}

std::string ConnectionRecorder::url(std::string_view path) const {
    return "http://127.0.0.2:" + std::to_string(state_->acceptor.local_endpoint().port()) +
           std::string(path);
}

std::size_t ConnectionRecorder::connections_accepted() const {
    return state_->connections;
}

const std::vector<std::string>& ConnectionRecorder::targets_seen() const {
    return state_->targets;
}

}  // namespace asyncscrape::test
