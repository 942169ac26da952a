#include "fetch/dns_cache.hpp"

#include "util/log.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <exception>
#include <list>
#include <map>
#include <optional>
#include <string_view>

namespace asyncscrape::fetch {

namespace asio = boost::asio;
using SteadyClock = std::chrono::steady_clock;

namespace {

bool is_localhost_name(std::string_view host) {
    if (host.ends_with('.')) {
        host.remove_suffix(1);
    }
    return host == "localhost" || host.ends_with(".localhost");
}

// One caller waiting for a resolution in flight: its timer runs until its deadline and is
// cancelled early when the answer arrives.
struct Waiter {
    asio::steady_timer timer;
    std::optional<DnsAnswer> answer;
};

struct Entry {
    bool resolving = false;
    std::vector<asio::ip::address> addresses;  // empty until a resolution succeeded
    SteadyClock::time_point expires{};
    std::list<Waiter*> waiters;
};

}  // namespace

struct DnsCache::State {
    asio::any_io_executor executor;
    std::chrono::milliseconds ttl;
    std::map<std::string, Entry, std::less<>> entries;

    // Forgets expired answers so that the cache holds only hosts of the last TTL.
    void evict_expired(SteadyClock::time_point now) {
        std::erase_if(entries, [now](const auto& item) {
            const Entry& entry = item.second;
            return !entry.resolving && entry.waiters.empty() && entry.expires <= now;
        });
    }
};

namespace {

// Takes a waiter off its entry's list when it leaves (deadline, cancellation, or its frame
// destroyed) before the answer came.
class WaiterRegistration {
  public:
    WaiterRegistration(std::shared_ptr<DnsCache::State> state, std::string host, Waiter& waiter)
        : state_(std::move(state)), host_(std::move(host)), waiter_(waiter) {
        state_->entries[host_].waiters.push_back(&waiter_);
    }
    ~WaiterRegistration() {
        if (const auto entry = state_->entries.find(host_); entry != state_->entries.end()) {
            entry->second.waiters.remove(&waiter_);
        }
    }
    WaiterRegistration(const WaiterRegistration&) = delete;
    WaiterRegistration& operator=(const WaiterRegistration&) = delete;

  private:
    std::shared_ptr<DnsCache::State> state_;
    std::string host_;
    Waiter& waiter_;
};

// Runs one resolution and hands its answer to everyone waiting for it. Holds the state alive:
// getaddrinfo cannot be interrupted, and its answer is still worth caching.
asio::awaitable<void> resolve_in_background(std::shared_ptr<DnsCache::State> state,
                                            std::string host) {
    asio::ip::tcp::resolver resolver(state->executor);
    // No address_configured flag: it would hide IPv4 answers on a machine with loopback only.
    const auto [error, results] = co_await resolver.async_resolve(
        host, "0", asio::ip::tcp::resolver::numeric_service, asio::as_tuple(asio::use_awaitable));
    DnsAnswer answer{error, {}};
    for (const auto& result : results) {
        const asio::ip::address address = result.endpoint().address();
        if (std::find(answer.addresses.begin(), answer.addresses.end(), address) ==
            answer.addresses.end()) {
            answer.addresses.push_back(address);
        }
    }
    if (!answer.error && answer.addresses.empty()) {
        answer.error = asio::error::host_not_found;
    }
    const auto now = SteadyClock::now();
    state->evict_expired(now);
    Entry& entry = state->entries[host];
    entry.resolving = false;
    if (!answer.error) {  // failures are not cached: the next job asks again
        entry.addresses = answer.addresses;
        entry.expires = now + state->ttl;
    }
    for (Waiter* waiter : std::exchange(entry.waiters, {})) {
        waiter->answer = answer;
        waiter->timer.cancel();
    }
}

void log_resolution_failure(std::exception_ptr failure) {
    if (!failure) {
        return;
    }
    try {
        std::rethrow_exception(failure);
    } catch (const std::exception& e) {
        log(LogLevel::error, "dns resolution coroutine failed: ", e.what());
    }
}

}  // namespace

DnsCache::DnsCache(asio::any_io_executor executor, std::chrono::milliseconds ttl)
    : state_(std::make_shared<State>(State{std::move(executor), ttl, {}})) {}

DnsCache::~DnsCache() = default;

asio::awaitable<DnsAnswer> DnsCache::resolve(std::string host, SteadyClock::time_point deadline) {
    if (is_localhost_name(host)) {
        co_return DnsAnswer{{},
                            {asio::ip::address_v4::loopback(), asio::ip::address_v6::loopback()}};
    }
    const std::shared_ptr<State> state = state_;
    Entry& entry = state->entries[host];
    if (!entry.addresses.empty() && SteadyClock::now() < entry.expires) {
        co_return DnsAnswer{{}, entry.addresses};
    }
    if (!entry.resolving) {
        entry.resolving = true;
        asio::co_spawn(state->executor, resolve_in_background(state, host), log_resolution_failure);
    }
    Waiter waiter{asio::steady_timer(state->executor, deadline), std::nullopt};
    const WaiterRegistration registration(state, host, waiter);
    const auto [error] = co_await waiter.timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (waiter.answer) {
        co_return *waiter.answer;
    }
    co_return DnsAnswer{error ? asio::error::operation_aborted : asio::error::timed_out, {}};
}

}  // namespace asyncscrape::fetch
