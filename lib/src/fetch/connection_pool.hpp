// Keep-alive connections per target (scheme, host, port), and the per-host cap: at most
// `per_host` connections to one target are open (in use, being opened, or idle) at any time, and
// requests beyond it wait for one in arrival order, each until its own deadline.
#pragma once

#include "fetch/connection.hpp"

#include <asyncscrape/config.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <compare>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>

namespace asyncscrape::fetch {

struct PoolKey {
    bool tls = false;
    std::string host;
    std::uint16_t port = 0;

    auto operator<=>(const PoolKey&) const = default;
};

class ConnectionPool {
  public:
    // What the pool, its leases and its idle-connection reaper share; defined in the .cpp.
    struct State;

    // The right to one of a target's connections. `connection` is an idle one handed over for
    // reuse (its server may have closed it since: Connection::peer_closed), or null: then the
    // holder opens one and puts it there. Whatever it holds when the
    // lease ends is closed, unless keep_alive() gave it back.
    class Lease {
      public:
        Lease() = default;
        Lease(Lease&& other) noexcept = default;
        Lease& operator=(Lease&& other) noexcept;
        ~Lease();

        // Returns the connection to the pool for the next request to the same target. Only for
        // a connection whose last response was read completely and did not ask to close.
        void keep_alive();

        std::unique_ptr<Connection> connection;

      private:
        friend class ConnectionPool;
        friend struct State;
        Lease(std::shared_ptr<State> state, PoolKey key, std::unique_ptr<Connection> connection);
        void release(bool reuse);

        std::shared_ptr<State> state_;
        PoolKey key_;
    };

    ConnectionPool(boost::asio::any_io_executor executor, const RuntimeConfig& config);
    ~ConnectionPool();
    ConnectionPool(const ConnectionPool&) = delete;
    ConnectionPool& operator=(const ConnectionPool&) = delete;

    // Waits for a lease on `key`'s connections. The error is timed_out when the deadline passed
    // first and operation_aborted when the caller was cancelled.
    boost::asio::awaitable<std::pair<boost::system::error_code, Lease>> acquire(
        PoolKey key, std::chrono::steady_clock::time_point deadline);

    // Closes the idle connections and keeps none from now on.
    void close();

  private:
    std::shared_ptr<State> state_;
};

}  // namespace asyncscrape::fetch
