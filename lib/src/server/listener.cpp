#include "server/listener.hpp"

#include "server/log_failure.hpp"
#include "server/session.hpp"
#include "util/log.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <tuple>

namespace asyncscrape::server {
namespace {

namespace net = boost::asio;

// After a failed accept (out of file descriptors, mostly), a pause instead of a hot loop.
constexpr std::chrono::milliseconds accept_retry_delay{100};

// Marks the listener as ended however it ends, so that stop() never waits for it in vain.
class ListenerRunning {
  public:
    explicit ListenerRunning(ServerState& state) : state_(state) { state_.accepting = true; }
    ~ListenerRunning() {
        state_.accepting = false;
        state_.changed.notify_all();
    }
    ListenerRunning(const ListenerRunning&) = delete;
    ListenerRunning& operator=(const ListenerRunning&) = delete;

  private:
    ServerState& state_;
};

}  // namespace

net::awaitable<void> accept_connections(std::shared_ptr<ServerState> state) {
    const ListenerRunning running(*state);
    while (!state->stopping) {
        if (state->connections.size() >= state->config.max_connections) {
            co_await state->changed.wait();
            continue;
        }
        // No structured binding: GCC 12 may destroy a bound socket twice in a coroutine.
        std::tuple<boost::system::error_code, net::ip::tcp::socket> accepted =
            co_await state->acceptor.async_accept(net::as_tuple(net::use_awaitable));
        const boost::system::error_code ec = std::get<0>(accepted);
        if (state->stopping || ec == net::error::operation_aborted) {
            break;
        }
        if (ec) {
            log(LogLevel::warn, "accept failed: ", ec.message());
            net::steady_timer pause(state->executor, accept_retry_delay);
            co_await pause.async_wait(net::as_tuple(net::use_awaitable));
            continue;
        }
        net::ip::tcp::socket& socket = std::get<1>(accepted);
        // Each answer is written whole; Nagle's algorithm would only delay its last segment.
        boost::system::error_code ignored;
        socket.set_option(net::ip::tcp::no_delay(true), ignored);
        const ConnectionHandle connection =
            state->connections.emplace(state->connections.end(), std::move(socket));
        net::co_spawn(state->executor, serve_connection(state, connection),
                      LogFailure{"connection"});
    }
}

}  // namespace asyncscrape::server
