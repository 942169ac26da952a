#include "browser/browser_watchdog.hpp"

#include "server/log_failure.hpp"
#include "util/log.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/object.hpp>

#include <string>
#include <utility>

namespace asyncscrape::browser {

namespace asio = boost::asio;
namespace json = boost::json;

struct BrowserWatchdog::State {
    State(asio::any_io_executor executor, std::weak_ptr<Browser> browser, WatchdogOptions options)
        : pause(std::move(executor)), browser(std::move(browser)), options(options) {}

    asio::steady_timer pause;  // between an answer and the next ping; cancelled by the stop
    std::weak_ptr<Browser> browser;
    WatchdogOptions options;
    bool stopped = false;
};

namespace {

// "10 s", "300 ms"
std::string duration_text(std::chrono::milliseconds duration) {
    if (duration.count() % 1000 == 0) {
        return std::to_string(duration.count() / 1000) + " s";
    }
    return std::to_string(duration.count()) + " ms";
}

// Asks the browser for its version, a question its own process answers: false when it did not
// answer in time. A command it refused is an answer too.
asio::awaitable<bool> answers_in_time(Browser& browser, std::chrono::milliseconds timeout) {
    std::string method = "Browser.getVersion";
    json::object no_params;
    std::string browser_session;
    const CdpOutcome<json::object> answer = co_await browser.cdp().call(
        std::move(method), std::move(no_params), std::move(browser_session),
        std::chrono::steady_clock::now() + timeout);
    co_return answer.error != CdpError::timeout;
}

asio::awaitable<void> watch(std::shared_ptr<BrowserWatchdog::State> state) {
    while (true) {
        state->pause.expires_after(state->options.interval);
        co_await state->pause.async_wait(asio::as_tuple(asio::use_awaitable));
        if (state->stopped) {
            co_return;
        }
        const std::shared_ptr<Browser> browser = state->browser.lock();
        if (!browser || !browser->cdp().connected()) {
            co_return;  // gone: its end was noticed by its pipe
        }
        const bool answered = co_await answers_in_time(*browser, state->options.timeout);
        if (state->stopped || !browser->cdp().connected()) {
            co_return;
        }
        if (!answered) {
            const std::string silence = duration_text(state->options.timeout);
            log(LogLevel::warn, "the browser (pid ", browser->process().pid(),
                ") did not answer for ", silence, ": killing it");
            browser->kill("browser unavailable: the browser stopped answering for " + silence +
                          " and was restarted");
            co_return;
        }
    }
}

}  // namespace

BrowserWatchdog::BrowserWatchdog(asio::any_io_executor executor, std::weak_ptr<Browser> browser,
                                 WatchdogOptions options)
    : state_(std::make_shared<State>(executor, std::move(browser), options)) {
    asio::co_spawn(executor, watch(state_), server::LogFailure{"browser watchdog"});
}

BrowserWatchdog::~BrowserWatchdog() {
    state_->stopped = true;
    state_->pause.cancel();
}

}  // namespace asyncscrape::browser
