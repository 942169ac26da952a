#include "fetch/fetcher.hpp"

#include "fetch/outgoing_request.hpp"
#include "fetch/redirect.hpp"
#include "fetch/retry_after.hpp"
#include "fetch/tls_context.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

#include <algorithm>
#include <chrono>
#include <exception>
#include <vector>

namespace asyncscrape::fetch {

namespace asio = boost::asio;
using SteadyClock = std::chrono::steady_clock;

namespace {

double milliseconds_since(SteadyTime start) {
    return std::chrono::duration<double, std::milli>(SteadyClock::now() - start).count();
}

// Requests that may be sent twice without changing their effect (RFC 9110 §9.2.2).
bool is_idempotent(std::string_view method) {
    return method == "GET" || method == "HEAD" || method == "OPTIONS" || method == "TRACE" ||
           method == "PUT" || method == "DELETE";
}

// Whether a pooled connection is checked for a close by the server before it carries `request`.
// The check is a syscall per request (a third of a fan-out's syscalls), so it is made only where
// a connection the server closed would cost something: for a request that is not sent again on a
// fresh connection when its reuse fails (one that is not idempotent), and after an idle time in
// which servers do close connections (their keep-alive timeouts are seconds: Apache and Node 5 s,
// nginx 75 s). A server that closes sooner without saying so in its response costs an idempotent
// request a write on the dead connection, then a fresh one.
bool worth_checking(const Connection& connection, const FetchRequest& request) {
    constexpr std::chrono::seconds idle_before_check{1};
    return !is_idempotent(request.method) ||
           SteadyClock::now() - connection.idle_since >= idle_before_check;
}

const std::string* find_header(const HeaderList& headers, std::string_view lower_case_name) {
    const auto found = std::find_if(headers.begin(), headers.end(), [&](const auto& header) {
        return header.first == lower_case_name;
    });
    return found == headers.end() ? nullptr : &found->second;
}

void set_failure(FetchResult& result, FetchFailure failure) {
    result.error = failure.error;
    result.error_message = std::move(failure.message);
}

Exchange failed_exchange(FetchFailure failure) {
    Exchange exchange;
    exchange.failure = std::move(failure);
    return exchange;
}

}  // namespace

Fetcher::Fetcher(asio::any_io_executor executor, const RuntimeConfig& config, AddressGuard guard)
    : executor_(executor),
      config_(config),
      guard_(std::move(guard)),
      tls_context_(config.extra_ca_file),
      dns_(executor, config.dns_cache_ttl),
      pool_(executor, config) {}

void Fetcher::shutdown() {
    pool_.close();
}

asio::awaitable<FetchResult> Fetcher::fetch(FetchRequest request) {
    const auto started = SteadyClock::now();
    FetchResult result;
    // A cancellation that arrives between two operations (the coroutine's resumption queued)
    // reaches no operation: the next one would run to its end. With throw_if_cancelled on, that
    // next co_await throws operation_aborted instead, caught here. The caller's own setting (a
    // job records its outcome after a cancellation) is back before it resumes.
    const bool caller_throws = co_await asio::this_coro::throw_if_cancelled();
    co_await asio::this_coro::throw_if_cancelled(true);
    std::exception_ptr failure;
    try {
        co_await follow_redirects(std::move(request), result);
    } catch (const boost::system::system_error& e) {
        if (e.code() == asio::error::operation_aborted) {
            set_failure(result, cancelled_failure());
        } else {
            failure = std::current_exception();
        }
    } catch (...) {
        failure = std::current_exception();
    }
    co_await asio::this_coro::throw_if_cancelled(caller_throws);
    if (failure) {
        std::rethrow_exception(failure);
    }
    result.timings.total_ms = milliseconds_since(started);
    co_return result;
}

asio::awaitable<void> Fetcher::follow_redirects(FetchRequest request, FetchResult& result) {
    for (int redirects = 0;; ++redirects) {
        result.final_url = request.url;
        const Outcome<TargetUrl> target = parse_target_url(request.url);
        if (!target) {
            set_failure(result, {FetchError::invalid_url, target.error().detail});
            co_return;
        }
        Exchange response = co_await fetch_hop(request, *target, result.timings);
        result.status = response.status;
        result.headers = std::move(response.headers);
        if (response.failure) {
            set_failure(result, std::move(*response.failure));
            co_return;
        }
        const std::string* location = find_header(result.headers, "location");
        if (!is_redirect_status(result.status) || !location) {
            result.body = std::move(response.body);
            if (const std::string* retry_after = find_header(result.headers, "retry-after")) {
                result.retry_after = parse_retry_after(*retry_after, Clock::now());
            }
            co_return;
        }
        if (redirects >= config_.max_redirects) {
            set_failure(result, {FetchError::too_many_redirects,
                                 "too many redirects (more than " +
                                     std::to_string(config_.max_redirects) + ")"});
            co_return;
        }
        Outcome<FetchRequest> next = follow_redirect(request, result.status, *location);
        if (!next) {
            set_failure(result, {FetchError::invalid_url, next.error().detail});
            co_return;
        }
        request = std::move(*next);
    }
}

asio::awaitable<Exchange> Fetcher::fetch_hop(const FetchRequest& request, const TargetUrl& target,
                                             Timings& timings) {
    // A named key: GCC 12 corrupts a brace-initialised temporary passed to a coroutine inside a
    // co_await expression.
    const PoolKey key{target.tls, target.host, target.port};
    std::pair<boost::system::error_code, ConnectionPool::Lease> acquired =
        co_await pool_.acquire(key, request.deadline);
    if (acquired.first) {
        const bool cancelled = co_await caller_cancelled();
        co_return failed_exchange(
            classify_failure(FetchPhase::pool_wait, acquired.first, cancelled));
    }
    ConnectionPool::Lease& lease = acquired.second;
    const OutgoingRequest message = make_outgoing_request(request, target, config_.user_agent);
    for (;;) {
        if (lease.connection && worth_checking(*lease.connection, request) &&
            lease.connection->peer_closed()) {
            lease.connection.reset();
        }
        const bool reused = lease.connection != nullptr;
        if (!reused) {
            FetchFailure failure;
            lease.connection = co_await open_connection(target, request.deadline, timings, failure);
            if (!lease.connection) {
                co_return failed_exchange(std::move(failure));
            }
        }
        lease.connection->transport().expires_at(request.deadline);
        Exchange exchanged = co_await exchange(*lease.connection, message,
                                               config_.max_response_bytes, request.deadline);
        timings.ttfb_ms += exchanged.ttfb_ms;
        const bool stale = reused && exchanged.failure && exchanged.nothing_received &&
                           exchanged.failure->error == FetchError::protocol;
        if (stale && is_idempotent(request.method)) {
            // The server closed the idle connection as we reused it; a fresh one gets through.
            lease.connection.reset();
            continue;
        }
        if (exchanged.reusable) {
            lease.keep_alive();
        }
        co_return exchanged;
    }
}

asio::awaitable<std::unique_ptr<Connection>> Fetcher::open_connection(const TargetUrl& target,
                                                                      SteadyTime deadline,
                                                                      Timings& timings,
                                                                      FetchFailure& failure) {
    std::vector<asio::ip::address> addresses;
    if (target.literal) {
        addresses.push_back(*target.literal);
    } else {
        const auto resolving_since = SteadyClock::now();
        DnsAnswer answer = co_await dns_.resolve(target.host, deadline);
        timings.dns_ms += milliseconds_since(resolving_since);
        if (answer.error) {
            const bool cancelled = co_await caller_cancelled();
            failure = classify_failure(FetchPhase::dns, answer.error, cancelled);
            co_return nullptr;
        }
        addresses = std::move(answer.addresses);
    }
    // Checked on the resolved addresses, the only ones we connect to: no spelling of a host and
    // no DNS answer reaches an address the guard refuses.
    std::vector<asio::ip::tcp::endpoint> endpoints;
    for (const auto& address : addresses) {
        if (guard_.permits(address)) {
            endpoints.emplace_back(address, target.port);
        }
    }
    if (endpoints.empty()) {
        failure = {FetchError::blocked, std::string(blocked_message)};
        co_return nullptr;
    }

    auto connection =
        std::make_unique<Connection>(executor_, target.tls ? &tls_context_.get() : nullptr);
    connection->transport().expires_at(deadline);
    const auto connecting_since = SteadyClock::now();
    const auto [connect_error, endpoint] = co_await connection->transport().async_connect(
        endpoints, asio::as_tuple(asio::use_awaitable));
    timings.connect_ms += milliseconds_since(connecting_since);
    if (connect_error) {
        const bool cancelled = co_await caller_cancelled();
        failure = classify_failure(FetchPhase::connect, connect_error, cancelled);
        co_return nullptr;
    }

    if (TlsStream* tls = connection->tls()) {
        const auto handshaking_since = SteadyClock::now();
        if (const auto error = prepare_tls_stream(*tls, target.host)) {
            failure = {FetchError::tls, "tls: " + error.message()};
            co_return nullptr;
        }
        const auto [handshake_error] = co_await tls->async_handshake(
            asio::ssl::stream_base::client, asio::as_tuple(asio::use_awaitable));
        timings.tls_ms += milliseconds_since(handshaking_since);
        if (handshake_error) {
            const bool cancelled = co_await caller_cancelled();
            failure = classify_failure(FetchPhase::tls_handshake, handshake_error, cancelled);
            if (failure.error == FetchError::tls) {
                failure.message = describe_tls_failure(*tls, handshake_error);
            }
            co_return nullptr;
        }
    }
    co_return connection;
}

}  // namespace asyncscrape::fetch
