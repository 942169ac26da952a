#include "webhook_receiver.hpp"

#include "server/log_failure.hpp"
#include "support/open_connections.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <algorithm>
#include <cctype>
#include <exception>
#include <list>

namespace asyncscrape::test {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

struct WebhookReceiver::State {
    explicit State(asio::io_context& io) : executor(io.get_executor()), acceptor(io) {}

    asio::any_io_executor executor;
    tcp::acceptor acceptor;
    std::function<ReceiverAnswer(std::size_t)> plan;
    std::vector<ReceivedRequest> requests;
    std::size_t accepted = 0;
    OpenConnections connections;
};

namespace {

using State = WebhookReceiver::State;

std::string lower_case(std::string_view text) {
    std::string lower(text);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return lower;
}

// Reads and discards until the peer closes or stop() closes the socket.
asio::awaitable<void> wait_until_closed(tcp::socket& socket) {
    char discard[1024];
    for (;;) {
        const auto [error, read] = co_await socket.async_read_some(
            asio::buffer(discard), asio::as_tuple(asio::use_awaitable));
        if (error) {
            co_return;
        }
    }
}

// One request a connection: the notifier keeps no connection for another delivery.
asio::awaitable<void> serve_connection(std::shared_ptr<State> state, tcp::socket socket) {
    const OpenConnection tracked(state->connections, socket);
    boost::beast::flat_buffer buffer;
    http::request_parser<http::string_body> parser;
    parser.body_limit(1024 * 1024);
    const auto [read_error, read] =
        co_await http::async_read(socket, buffer, parser, asio::as_tuple(asio::use_awaitable));
    if (read_error) {
        co_return;
    }
    const auto& request = parser.get();
    ReceivedRequest received;
    received.method = std::string(request.method_string());
    received.target = std::string(request.target());
    for (const auto& field : request) {
        received.headers[lower_case(field.name_string())] = std::string(field.value());
    }
    received.body = request.body();
    received.received_at = std::chrono::system_clock::now();
    state->requests.push_back(std::move(received));

    const ReceiverAnswer answer =
        state->plan ? state->plan(state->requests.size()) : ReceiverAnswer{};
    if (answer.never) {
        co_await wait_until_closed(socket);
        co_return;
    }
    if (answer.delay.count() > 0) {
        asio::steady_timer pause(state->executor, answer.delay);
        co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    http::response<http::string_body> response;
    response.version(11);
    response.result(static_cast<unsigned>(answer.status));
    response.set(http::field::content_type, "text/plain");
    if (!answer.location.empty()) {
        response.set(http::field::location, answer.location);
    }
    // 1xx, 204 and 304 answers have no body (Beast refuses to frame one).
    const bool bodiless = answer.status < 200 || answer.status == 204 || answer.status == 304;
    if (!bodiless) {
        response.body() = "ok";
    }
    response.keep_alive(false);
    response.prepare_payload();
    const auto [write_error, written] =
        co_await http::async_write(socket, response, asio::as_tuple(asio::use_awaitable));
    boost::system::error_code ignored;
    socket.shutdown(tcp::socket::shutdown_send, ignored);
    if (!write_error) {
        co_await wait_until_closed(socket);
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
        asio::co_spawn(state->executor, serve_connection(state, std::move(socket)),
                       server::LogFailure{"webhook receiver connection"});
    }
}

}  // namespace

WebhookReceiver::WebhookReceiver(asio::io_context& io) : state_(std::make_shared<State>(io)) {
    const tcp::endpoint loopback(asio::ip::address_v4::loopback(), 0);
    state_->acceptor.open(loopback.protocol());
    state_->acceptor.set_option(tcp::acceptor::reuse_address(true));
    state_->acceptor.bind(loopback);
    state_->acceptor.listen();
    asio::co_spawn(state_->executor, accept_connections(state_),
                   server::LogFailure{"webhook receiver"});
}

WebhookReceiver::~WebhookReceiver() {
    stop();
}

void WebhookReceiver::answer_with(std::function<ReceiverAnswer(std::size_t)> plan) {
    state_->plan = std::move(plan);
}

std::string WebhookReceiver::url(std::string_view path) const {
    return "http://127.0.0.1:" + std::to_string(state_->acceptor.local_endpoint().port()) +
           std::string(path);
}

const std::vector<ReceivedRequest>& WebhookReceiver::requests() const {
    return state_->requests;
}

std::size_t WebhookReceiver::connections_accepted() const {
    return state_->accepted;
}

std::size_t WebhookReceiver::peak_open_connections() const {
    return state_->connections.peak_open;
}

void WebhookReceiver::stop() {
    boost::system::error_code ignored;
    state_->acceptor.close(ignored);
    for (tcp::socket* socket : state_->connections.sockets) {
        socket->shutdown(tcp::socket::shutdown_both, ignored);
        socket->close(ignored);
    }
}

}  // namespace asyncscrape::test
