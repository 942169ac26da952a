#include "fetch/connection_pool.hpp"

#include "util/log.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <exception>
#include <list>
#include <map>
#include <optional>
#include <vector>

namespace asyncscrape::fetch {

namespace asio = boost::asio;
using SteadyClock = std::chrono::steady_clock;

namespace {

// A request waiting for a free slot: its timer runs until its deadline and is cancelled early
// when a lease is granted to it.
struct Waiter {
    asio::steady_timer timer;
    std::optional<ConnectionPool::Lease> grant;
};

// Closes and removes the `count` oldest idle connections.
void close_oldest(std::vector<std::unique_ptr<Connection>>& idle, std::size_t count) {
    const auto end = idle.begin() + static_cast<std::ptrdiff_t>(std::min(count, idle.size()));
    std::for_each(idle.begin(), end,
                  [](const std::unique_ptr<Connection>& connection) { connection->close(); });
    idle.erase(idle.begin(), end);
}

}  // namespace

struct ConnectionPool::State : std::enable_shared_from_this<State> {
    struct Target {
        std::size_t leased = 0;
        // Oldest first, most recently used last: the stack a reused connection comes from and
        // goes back to, without an allocation either way.
        std::vector<std::unique_ptr<Connection>> idle;
        std::list<Waiter*> waiters;  // in arrival order
    };

    State(asio::any_io_executor executor, const RuntimeConfig& config)
        : executor(executor),
          per_host(std::max<std::size_t>(config.per_host, 1)),
          // Never fewer idle than may be in use: jobs that end together would otherwise close
          // the surplus, and the jobs after them open new connections to the same target.
          idle_per_host(config.idle_connections_per_host == 0
                            ? 0
                            : std::max(config.idle_connections_per_host, per_host)),
          idle_timeout(config.idle_connection_timeout),
          reaper_timer(executor) {}

    asio::any_io_executor executor;
    std::size_t per_host;
    std::size_t idle_per_host;
    std::chrono::milliseconds idle_timeout;
    std::map<PoolKey, Target> targets;
    bool closed = false;
    asio::steady_timer reaper_timer;
    bool reaper_running = false;

    bool expired(const Connection& connection, SteadyClock::time_point now) const {
        return now - connection.idle_since >= idle_timeout;
    }

    // The most recently used idle connection not past the idle timeout; the expired ones met on
    // the way are closed. Whether its server closed it meanwhile is for the fetcher to check, which
    // knows what the request would lose (worth_checking in fetcher.cpp).
    std::unique_ptr<Connection> take_idle(Target& target) {
        const auto now = SteadyClock::now();
        while (!target.idle.empty()) {
            std::unique_ptr<Connection> connection = std::move(target.idle.back());
            target.idle.pop_back();
            if (!expired(*connection, now)) {
                return connection;
            }
            connection->close();
        }
        return nullptr;
    }

    // Hands free slots (with an idle connection when there is one) to waiters, first come first.
    void grant_waiters(const PoolKey& key, Target& target) {
        while (!target.waiters.empty()) {
            std::unique_ptr<Connection> connection = take_idle(target);
            if (!connection && target.leased >= per_host) {
                return;
            }
            Waiter* waiter = target.waiters.front();
            target.waiters.pop_front();
            ++target.leased;
            waiter->grant.emplace(Lease(shared_from_this(), key, std::move(connection)));
            waiter->timer.cancel();
        }
    }

    void forget_if_unused(std::map<PoolKey, Target>::iterator target) {
        if (target->second.leased == 0 && target->second.idle.empty() &&
            target->second.waiters.empty()) {
            targets.erase(target);
        }
    }

    void close_expired_idle() {
        const auto now = SteadyClock::now();
        for (auto target = targets.begin(); target != targets.end();) {
            auto& idle = target->second.idle;
            const auto fresh =
                std::find_if_not(idle.begin(), idle.end(),
                                 [&](const auto& connection) { return expired(*connection, now); });
            close_oldest(idle, static_cast<std::size_t>(fresh - idle.begin()));
            forget_if_unused(target++);
        }
    }

    std::optional<SteadyClock::time_point> next_idle_expiry() const {
        std::optional<SteadyClock::time_point> next;
        for (const auto& [key, target] : targets) {
            if (!target.idle.empty()) {  // the front is the oldest
                const auto expiry = target.idle.front()->idle_since + idle_timeout;
                next = next ? std::min(*next, expiry) : expiry;
            }
        }
        return next;
    }

    void start_reaper();
};

namespace {

// Closes idle connections as they expire, so that they do not hold sockets (and the server's
// resources) until the next request to their target. Runs while there are idle connections.
asio::awaitable<void> reap_idle_connections(std::shared_ptr<ConnectionPool::State> state) {
    while (!state->closed) {
        const auto next_expiry = state->next_idle_expiry();
        if (!next_expiry) {
            break;
        }
        state->reaper_timer.expires_at(*next_expiry);
        co_await state->reaper_timer.async_wait(asio::as_tuple(asio::use_awaitable));
        state->close_expired_idle();
    }
    state->reaper_running = false;
}

void log_reaper_failure(std::exception_ptr failure) {
    if (!failure) {
        return;
    }
    try {
        std::rethrow_exception(failure);
    } catch (const std::exception& e) {
        log(LogLevel::error, "connection pool reaper failed: ", e.what());
    }
}

// Takes a waiter off its target's queue when it leaves without a grant (deadline, cancellation,
// or its frame destroyed).
class WaiterRegistration {
  public:
    WaiterRegistration(std::shared_ptr<ConnectionPool::State> state, PoolKey key, Waiter& waiter)
        : state_(std::move(state)), key_(std::move(key)), waiter_(waiter) {
        state_->targets[key_].waiters.push_back(&waiter_);
    }
    ~WaiterRegistration() {
        if (const auto target = state_->targets.find(key_); target != state_->targets.end()) {
            target->second.waiters.remove(&waiter_);
            state_->forget_if_unused(target);
        }
    }
    WaiterRegistration(const WaiterRegistration&) = delete;
    WaiterRegistration& operator=(const WaiterRegistration&) = delete;

  private:
    std::shared_ptr<ConnectionPool::State> state_;
    PoolKey key_;
    Waiter& waiter_;
};

}  // namespace

void ConnectionPool::State::start_reaper() {
    if (reaper_running || closed) {
        return;
    }
    reaper_running = true;
    asio::co_spawn(executor, reap_idle_connections(shared_from_this()), log_reaper_failure);
}

ConnectionPool::Lease::Lease(std::shared_ptr<State> state, PoolKey key,
                             std::unique_ptr<Connection> connection)
    : connection(std::move(connection)), state_(std::move(state)), key_(std::move(key)) {}

ConnectionPool::Lease& ConnectionPool::Lease::operator=(Lease&& other) noexcept {
    if (this != &other) {
        release(false);
        connection = std::move(other.connection);
        state_ = std::move(other.state_);
        key_ = std::move(other.key_);
    }
    return *this;
}

ConnectionPool::Lease::~Lease() {
    release(false);
}

void ConnectionPool::Lease::keep_alive() {
    release(true);
}

void ConnectionPool::Lease::release(bool reuse) {
    if (!state_) {
        return;
    }
    const std::shared_ptr<State> state = std::move(state_);
    std::unique_ptr<Connection> released = std::move(connection);
    const auto target = state->targets.find(key_);
    if (target == state->targets.end()) {  // cannot happen while a lease exists
        return;
    }
    --target->second.leased;
    if (released && reuse && !state->closed && state->idle_per_host > 0) {
        auto& idle = target->second.idle;
        released->idle_since = SteadyClock::now();
        idle.push_back(std::move(released));
        if (idle.size() > state->idle_per_host) {
            close_oldest(idle, idle.size() - state->idle_per_host);
        }
        state->start_reaper();
    } else if (released) {
        released->close();
    }
    state->grant_waiters(key_, target->second);
    state->forget_if_unused(target);
}

ConnectionPool::ConnectionPool(asio::any_io_executor executor, const RuntimeConfig& config)
    : state_(std::make_shared<State>(std::move(executor), config)) {}

ConnectionPool::~ConnectionPool() {
    close();
}

asio::awaitable<std::pair<boost::system::error_code, ConnectionPool::Lease>>
ConnectionPool::acquire(PoolKey key, SteadyClock::time_point deadline) {
    const std::shared_ptr<State> state = state_;
    State::Target& target = state->targets[key];
    if (target.waiters.empty()) {
        std::unique_ptr<Connection> connection = state->take_idle(target);
        if (connection || target.leased < state->per_host) {
            ++target.leased;
            co_return std::pair{boost::system::error_code{},
                                Lease(state, std::move(key), std::move(connection))};
        }
    }
    Waiter waiter{asio::steady_timer(state->executor, deadline), std::nullopt};
    const WaiterRegistration registration(state, key, waiter);
    const auto [error] = co_await waiter.timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (waiter.grant) {
        co_return std::pair{boost::system::error_code{}, std::move(*waiter.grant)};
    }
    const boost::system::error_code failure =
        error ? asio::error::operation_aborted : asio::error::timed_out;
    co_return std::pair{failure, Lease{}};
}

void ConnectionPool::close() {
    State& state = *state_;
    state.closed = true;
    for (auto target = state.targets.begin(); target != state.targets.end();) {
        for (auto& connection : target->second.idle) {
            connection->close();
        }
        target->second.idle.clear();
        state.forget_if_unused(target++);
    }
    state.reaper_timer.cancel();
}

}  // namespace asyncscrape::fetch
