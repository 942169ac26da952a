#include "integration/browser/page_server.hpp"

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

struct PageServer::State {
    State(asio::io_context& io, std::map<std::string, std::string> pages)
        : acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
          pages(std::move(pages)) {}

    tcp::acceptor acceptor;
    std::map<std::string, std::string> pages;
};

namespace {

asio::awaitable<void> serve(std::shared_ptr<PageServer::State> state, tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    stream.expires_after(std::chrono::seconds(30));
    beast::flat_buffer buffer;
    http::request<http::string_body> request;
    const auto [read_error, read] =
        co_await http::async_read(stream, buffer, request, asio::as_tuple(asio::use_awaitable));
    if (read_error) {
        co_return;
    }
    const std::string target(request.target());
    const std::string path = target.substr(0, target.find('?'));
    const auto page = state->pages.find(path);
    http::response<http::string_body> response(
        page == state->pages.end() ? http::status::not_found : http::status::ok, 11);
    // Workers' scripts: a service worker is refused with any other type.
    response.set(http::field::content_type,
                 path.ends_with(".js") ? "text/javascript" : "text/html; charset=utf-8");
    response.keep_alive(false);
    response.body() = page == state->pages.end() ? "<h1>Not found</h1>" : page->second;
    response.prepare_payload();
    co_await http::async_write(stream, response, asio::as_tuple(asio::use_awaitable));
    boost::system::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

asio::awaitable<void> accept_connections(std::shared_ptr<PageServer::State> state) {
    while (state->acceptor.is_open()) {
        auto [error, socket] =
            co_await state->acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
        if (error) {
            co_return;
        }
        asio::co_spawn(state->acceptor.get_executor(), serve(state, std::move(socket)),
                       server::LogFailure{"page server connection"});
    }
}

}  // namespace

PageServer::PageServer(asio::io_context& io, std::map<std::string, std::string> pages)
    : state_(std::make_shared<State>(io, std::move(pages))) {
    asio::co_spawn(io, accept_connections(state_), server::LogFailure{"page server"});
}

PageServer::~PageServer() {
    boost::system::error_code ignored;
    state_->acceptor.close(ignored);
}

std::string PageServer::url(std::string_view path) const {
    return "http://127.0.0.1:" + std::to_string(state_->acceptor.local_endpoint().port()) +
           std::string(path);
}

}  // namespace asyncscrape::test
