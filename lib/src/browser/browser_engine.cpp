#include "browser/browser_engine.hpp"

#include "browser/browser_watchdog.hpp"
#include "browser/chromium_process.hpp"
#include "browser/page_guard.hpp"
#include "server/log_failure.hpp"
#include "util/log.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <deque>
#include <list>
#include <tuple>
#include <utility>
#include <variant>

namespace asyncscrape::browser {

namespace asio = boost::asio;
namespace json = boost::json;
using std::chrono::steady_clock;
using Millis = std::chrono::milliseconds;

namespace {

// Why a load ended before its page was loaded.
struct Stop {
    JobStatus status;
    std::string error;
};

// How long the guard reuses a DNS answer: the fetcher's default.
constexpr Millis guard_dns_ttl{60000};

// Disposing of a browser context takes a few milliseconds; this bounds a browser that hangs.
constexpr Millis dispose_timeout{5000};

// A load waiting for a tab. Whoever frees a tab hands it over directly (`granted`) and wakes the
// waiter by cancelling its timer, which otherwise expires at the load's deadline.
struct TabWaiter {
    asio::steady_timer timer;
    bool granted = false;
};

// A load waiting for the browser being launched; the launch fills `outcome` and wakes it.
struct LaunchWaiter {
    asio::steady_timer timer;
    std::optional<std::variant<std::shared_ptr<Browser>, std::string>> outcome;
};

double milliseconds_since(steady_clock::time_point since) {
    return std::chrono::duration<double, std::milli>(steady_clock::now() - since).count();
}

asio::awaitable<bool> cancellation_requested() {
    const auto state = co_await asio::this_coro::cancellation_state;
    co_return state.cancelled() != asio::cancellation_type::none;
}

}  // namespace

struct BrowserEngine::State {
    State(asio::any_io_executor executor, BrowserEngineOptions options)
        : executor(std::move(executor)), options(std::move(options)) {
        if (!this->options.allow_private_targets) {
            request_guard = std::make_unique<RequestGuard>(this->executor, guard_dns_ttl,
                                                           this->options.admitted_addresses);
        }
    }

    asio::any_io_executor executor;
    BrowserEngineOptions options;
    std::unique_ptr<RequestGuard> request_guard;  // none when private targets are allowed

    std::size_t open_tabs = 0;
    std::size_t peak_open_tabs = 0;
    std::deque<TabWaiter*> tab_waiters;  // FIFO

    std::shared_ptr<Browser> browser;
    std::unique_ptr<BrowserWatchdog> watchdog;  // of `browser`
    bool launching = false;
    std::list<LaunchWaiter*> launch_waiters;
    bool shut_down = false;

    // Takes the browser out of service, its watchdog stopped; the caller closes it (or drops it:
    // its destructor kills it).
    std::shared_ptr<Browser> retire_browser() {
        watchdog.reset();
        return std::move(browser);
    }

    void take_tab() {
        ++open_tabs;
        peak_open_tabs = std::max(peak_open_tabs, open_tabs);
    }

    void release_tab() {
        if (tab_waiters.empty()) {
            --open_tabs;
            return;
        }
        TabWaiter* next = tab_waiters.front();
        tab_waiters.pop_front();
        next->granted = true;
        next->timer.cancel();
    }
};

namespace {

using EngineState = std::shared_ptr<BrowserEngine::State>;

// A tab of the pool, given back when the lease ends.
class TabLease {
  public:
    explicit TabLease(EngineState state) : state_(std::move(state)) {}
    TabLease(TabLease&& other) noexcept = default;
    TabLease& operator=(TabLease&&) = delete;
    TabLease(const TabLease&) = delete;
    TabLease& operator=(const TabLease&) = delete;
    ~TabLease() {
        if (state_) {
            state_->release_tab();
        }
    }

  private:
    EngineState state_;
};

// Keeps a waiter in its queue for as long as it waits.
template <class Queue, class Waiter>
class QueuedWaiter {
  public:
    QueuedWaiter(Queue& queue, Waiter& waiter) : queue_(queue), waiter_(&waiter) {
        queue_.push_back(waiter_);
    }
    ~QueuedWaiter() {
        if (const auto it = std::find(queue_.begin(), queue_.end(), waiter_); it != queue_.end()) {
            queue_.erase(it);
        }
    }
    QueuedWaiter(const QueuedWaiter&) = delete;
    QueuedWaiter& operator=(const QueuedWaiter&) = delete;

  private:
    Queue& queue_;
    Waiter* waiter_;
};

// A tab for the load, now or after the loads queued before it: none, timeout or cancelled.
asio::awaitable<CdpError> acquire_tab(EngineState state, SteadyTime deadline) {
    if (state->open_tabs < state->options.max_tabs && state->tab_waiters.empty()) {
        state->take_tab();
        co_return CdpError::none;
    }
    if (co_await cancellation_requested()) {
        co_return CdpError::cancelled;
    }
    TabWaiter waiter{asio::steady_timer(state->executor, deadline)};
    const QueuedWaiter queued(state->tab_waiters, waiter);
    const auto [error] = co_await waiter.timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (waiter.granted) {
        co_return CdpError::none;
    }
    co_return error ? CdpError::cancelled : CdpError::timeout;
}

// Launches the browser once for every load waiting for it, unbound to any one load's
// cancellation: a load that gives up does not take the launch down with it.
asio::awaitable<void> launch_browser(EngineState state) {
    BrowserOptions options;
    options.chromium.executable =
        state->options.executable.empty()
            ? default_chromium_executable(!state->options.allow_private_targets)
            : state->options.executable;
    options.chromium.window_width = state->options.viewport.width;
    options.chromium.window_height = state->options.viewport.height;
    options.startup_timeout = state->options.startup_timeout;
    options.block_popups = !state->options.allow_private_targets;
    Outcome<std::unique_ptr<Browser>> launched = co_await Browser::launch(std::move(options));
    state->launching = false;

    std::variant<std::shared_ptr<Browser>, std::string> outcome;
    if (!launched) {
        log(LogLevel::warn, launched.error().detail);
        outcome = launched.error().detail;
    } else if (state->shut_down) {
        co_await launched.value()->close();
        outcome = std::string("browser unavailable: the browser engine is shut down");
    } else {
        state->browser = std::move(launched).value();
        state->watchdog = std::make_unique<BrowserWatchdog>(
            state->executor, state->browser,
            WatchdogOptions{state->options.watchdog_interval, state->options.watchdog_timeout});
        log(LogLevel::info, "browser started: ", state->browser->product());
        // The headless shell calls itself HeadlessChrome. Configured behind the guard, it still
        // cannot turn speculative loads off (default_chromium_executable).
        if (!state->options.allow_private_targets &&
            state->browser->product().rfind("HeadlessChrome/", 0) == 0) {
            log(LogLevel::warn,
                "this Chromium is a headless shell: the speculative loads pages ask for "
                "(speculation rules) cannot be turned off, and the private-address guard does "
                "not see them; with the guard on, use Debian's /usr/bin/chromium");
        }
        outcome = state->browser;
    }
    for (LaunchWaiter* waiter : state->launch_waiters) {
        waiter->outcome = outcome;
        waiter->timer.cancel();
    }
}

asio::awaitable<void> close_browser(std::shared_ptr<Browser> browser) {
    co_await browser->close();
}

// The running browser, launched (again) if there is none: the browser, or why there is none.
asio::awaitable<std::variant<std::shared_ptr<Browser>, Stop>> running_browser(EngineState state,
                                                                              SteadyTime deadline) {
    if (state->shut_down) {
        co_return Stop{JobStatus::failed, "browser unavailable: the browser engine is shut down"};
    }
    if (state->browser && state->browser->cdp().connected()) {
        co_return state->browser;
    }
    if (state->browser) {
        // It died (its pipe ended, or the watchdog killed it): reap it, and start a new one.
        asio::co_spawn(state->executor, close_browser(state->retire_browser()),
                       server::LogFailure{"closing a dead browser"});
    }
    if (co_await cancellation_requested()) {
        co_return Stop{JobStatus::cancelled, "cancelled"};
    }
    // Queued before the launch starts: a launch that fails at once finishes inside co_spawn.
    LaunchWaiter waiter{asio::steady_timer(state->executor, deadline), std::nullopt};
    const QueuedWaiter queued(state->launch_waiters, waiter);
    if (!state->launching) {
        state->launching = true;
        asio::co_spawn(state->executor, launch_browser(state),
                       server::LogFailure{"browser launch"});
    }
    boost::system::error_code error;
    if (!waiter.outcome) {
        std::tie(error) = co_await waiter.timer.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    if (waiter.outcome) {
        if (auto* failure = std::get_if<std::string>(&*waiter.outcome)) {
            co_return Stop{JobStatus::failed, std::move(*failure)};
        }
        co_return std::get<std::shared_ptr<Browser>>(std::move(*waiter.outcome));
    }
    if (error) {
        co_return Stop{JobStatus::cancelled, "cancelled"};
    }
    co_return Stop{JobStatus::timeout, "timeout: the deadline passed while the browser started"};
}

// Disposes of a load's browser context (closing its tab); the tab goes back to the pool when
// `lease` ends with this coroutine, not before.
asio::awaitable<void> dispose_context(std::shared_ptr<Browser> browser, std::string context_id,
                                      [[maybe_unused]] TabLease lease) {
    if (!browser->cdp().connected()) {
        co_return;
    }
    json::object params;
    params["browserContextId"] = std::move(context_id);
    const CdpOutcome<json::object> disposed =
        co_await browser->cdp().call("Target.disposeBrowserContext", std::move(params), "",
                                     steady_clock::now() + dispose_timeout);
    if (!disposed.ok() && browser->cdp().connected()) {
        log(LogLevel::warn, "a browser context was not disposed of: ", disposed.message);
    }
}

// A load failed by the end of its browser's connection, whose error says only that the connection
// ended: now it says why (a signal, a restart for hanging), and so do the actions that quote it.
// Marked lost, so that the caller may try it again in a new browser.
asio::awaitable<void> report_browser_lost(PageLoadResult& result, Browser& browser) {
    result.browser_lost = true;
    const std::string connection_reason = result.error.value_or(std::string());
    std::string reason = co_await browser.end_reason();
    if (!connection_reason.empty()) {
        for (ActionOutcome& action : result.actions) {
            if (!action.error) {
                continue;
            }
            if (const auto at = action.error->find(connection_reason); at != std::string::npos) {
                action.error->replace(at, connection_reason.size(), reason);
            }
        }
    }
    result.error = std::move(reason);
}

asio::awaitable<CdpOutcome<json::object>> create_context(std::shared_ptr<Browser> browser,
                                                         SteadyTime deadline) {
    json::object no_params;
    co_return co_await browser->cdp().call("Target.createBrowserContext", std::move(no_params), "",
                                           deadline);
}

asio::awaitable<PageLoadResult> load_in_own_context(EngineState state, const Request& request,
                                                    SteadyTime deadline) {
    const auto queued_at = steady_clock::now();
    const CdpError turn = co_await acquire_tab(state, deadline);
    if (turn == CdpError::cancelled) {
        co_return stopped_before_loading(request, JobStatus::cancelled, "cancelled");
    }
    if (turn == CdpError::timeout) {
        co_return stopped_before_loading(request, JobStatus::timeout,
                                         "timeout: no browser tab became free before the deadline");
    }
    TabLease lease(state);
    const double queue_wait_ms = milliseconds_since(queued_at);

    std::variant<std::shared_ptr<Browser>, Stop> running =
        co_await running_browser(state, deadline);
    if (auto* stop = std::get_if<Stop>(&running)) {
        co_return stopped_before_loading(request, stop->status, std::move(stop->error));
    }
    const std::shared_ptr<Browser> browser = std::get<std::shared_ptr<Browser>>(running);

    // The creation runs apart from this load's cancellation and is always awaited: a context
    // whose reply was dropped would never be disposed of. A load cancelled meanwhile disposes of
    // what was created.
    const CdpOutcome<json::object> created = co_await asio::co_spawn(
        state->executor, create_context(browser, deadline),
        asio::bind_cancellation_slot(asio::cancellation_slot(), asio::use_awaitable));
    if (created.ok() && co_await cancellation_requested()) {
        asio::co_spawn(
            state->executor,
            dispose_context(browser, std::string(created.value.at("browserContextId").as_string()),
                            std::move(lease)),
            server::LogFailure{"disposing of a browser context"});
        co_return stopped_before_loading(request, JobStatus::cancelled, "cancelled");
    }
    if (!created.ok() && !browser->cdp().connected()) {
        PageLoadResult lost = stopped_before_loading(request, JobStatus::failed, created.message);
        co_await report_browser_lost(lost, *browser);
        co_return lost;
    }
    if (!created.ok()) {
        const JobStatus status = created.error == CdpError::cancelled ? JobStatus::cancelled
                                 : created.error == CdpError::timeout ? JobStatus::timeout
                                                                      : JobStatus::failed;
        co_return stopped_before_loading(request, status, created.message);
    }
    std::string context_id(created.value.at("browserContextId").as_string());

    PageLoadResult result = co_await load_page(browser->cdp(), context_id, request, deadline,
                                               state->options.viewport, state->request_guard.get());
    result.timings.queue_wait_ms = queue_wait_ms;
    if (result.browser_lost) {
        co_await report_browser_lost(result, *browser);
    }
    if (co_await cancellation_requested()) {
        // This coroutine can await nothing more: the disposal runs on its own.
        asio::co_spawn(state->executor,
                       dispose_context(browser, std::move(context_id), std::move(lease)),
                       server::LogFailure{"disposing of a browser context"});
    } else {
        co_await dispose_context(browser, std::move(context_id), std::move(lease));
    }
    co_return result;
}

}  // namespace

BrowserEngine::BrowserEngine(asio::any_io_executor executor, BrowserEngineOptions options)
    : state_(std::make_shared<State>(std::move(executor), std::move(options))) {}

BrowserEngine::~BrowserEngine() {
    state_->shut_down = true;
    // Dropped: its destructor kills it, unless a load still holds it.
    state_->retire_browser();
}

asio::awaitable<PageLoadResult> BrowserEngine::load(const Request& request, SteadyTime deadline) {
    const auto started = steady_clock::now();
    // Cancellation is data for the load: it ends in a result, not an exception.
    const bool threw_if_cancelled = co_await asio::this_coro::throw_if_cancelled();
    co_await asio::this_coro::throw_if_cancelled(false);
    PageLoadResult result = co_await load_in_own_context(state_, request, deadline);
    result.timings.total_ms = milliseconds_since(started);
    co_await asio::this_coro::throw_if_cancelled(threw_if_cancelled);
    co_return result;
}

asio::awaitable<void> BrowserEngine::shutdown() {
    state_->shut_down = true;
    if (std::shared_ptr<Browser> browser = state_->retire_browser()) {
        co_await browser->close();
    }
}

std::size_t BrowserEngine::open_tabs() const {
    return state_->open_tabs;
}

std::size_t BrowserEngine::peak_open_tabs() const {
    return state_->peak_open_tabs;
}

std::shared_ptr<Browser> BrowserEngine::browser() const {
    return state_->browser;
}

}  // namespace asyncscrape::browser
