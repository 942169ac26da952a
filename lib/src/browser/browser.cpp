#include "browser/browser.hpp"

#include "browser/popup_blocker.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <sys/wait.h>

#include <utility>

namespace asyncscrape::browser {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

// How often a browser whose pipe ended is checked for its exit: it takes a few milliseconds.
constexpr std::chrono::milliseconds exit_poll_interval{10};

// "exited with status 1", "killed by signal 9"
std::string describe_exit(const std::optional<int>& wait_status) {
    if (!wait_status) {
        return "exited";
    }
    if (WIFSIGNALED(*wait_status)) {
        return "killed by signal " + std::to_string(WTERMSIG(*wait_status));
    }
    return "exited with status " + std::to_string(WEXITSTATUS(*wait_status));
}

// "signal 9", "status 1": for a sentence that already says that the browser exited.
std::string exit_summary(int wait_status) {
    if (WIFSIGNALED(wait_status)) {
        return "signal " + std::to_string(WTERMSIG(wait_status));
    }
    return "status " + std::to_string(WEXITSTATUS(wait_status));
}

}  // namespace

Browser::Browser(std::unique_ptr<ChromiumProcess> process, std::unique_ptr<CdpClient> cdp,
                 std::chrono::milliseconds exit_grace)
    : process_(std::move(process)), cdp_(std::move(cdp)), exit_grace_(exit_grace) {}

Browser::~Browser() = default;

asio::awaitable<Outcome<std::unique_ptr<Browser>>> Browser::launch(BrowserOptions options) {
    const auto executor = co_await asio::this_coro::executor;
    Outcome<std::unique_ptr<ChromiumProcess>> launched =
        ChromiumProcess::launch(executor, options.chromium);
    if (!launched) {
        co_return launched.error();
    }
    std::unique_ptr<ChromiumProcess> process = std::move(launched).value();
    ChromiumProcess* process_pointer = process.get();
    CdpClientOptions client_options;
    client_options.max_message_bytes = options.max_message_bytes;
    client_options.on_disconnect = [process_pointer] { process_pointer->reap_in_background(); };
    auto cdp = std::make_unique<CdpClient>(process->take_pipe(), std::move(client_options));
    std::unique_ptr<Browser> browser(
        new Browser(std::move(process), std::move(cdp), options.chromium.exit_grace));

    const SteadyTime deadline = std::chrono::steady_clock::now() + options.startup_timeout;
    std::string method = "Browser.getVersion";
    json::object no_params;
    std::string browser_session;
    CdpOutcome<json::object> version = co_await browser->cdp().call(
        std::move(method), std::move(no_params), std::move(browser_session), deadline);
    if (!version.ok()) {
        co_await browser->close();
        if (version.error == CdpError::timeout) {
            co_return unavailable("browser unavailable: " + options.chromium.executable +
                                  " did not answer within " +
                                  std::to_string(options.startup_timeout.count()) + " ms");
        }
        if (version.error == CdpError::browser_gone) {
            co_return unavailable("browser unavailable: " + options.chromium.executable + " " +
                                  describe_exit(browser->process().wait_status()) + " at startup");
        }
        co_return unavailable("browser unavailable: " + version.message);
    }
    if (const auto* product = version.value.if_contains("product");
        product && product->is_string()) {
        browser->product_ = std::string(product->get_string());
    }
    if (options.block_popups) {
        browser->popup_blocker_ = std::make_unique<PopupBlocker>(browser->cdp());
        const CdpOutcome<json::object> blocking = co_await browser->popup_blocker_->start(deadline);
        if (!blocking.ok()) {
            co_await browser->close();
            co_return unavailable("browser unavailable: popups cannot be blocked: " +
                                  blocking.message);
        }
    }
    co_return browser;
}

asio::awaitable<void> Browser::close() {
    if (cdp_->connected()) {
        end_reason_ = "browser unavailable: the browser was closed";
    }
    cdp_->close();
    co_await process_->terminate();
}

void Browser::kill(std::string reason) {
    if (cdp_->connected()) {
        end_reason_ = std::move(reason);
        cdp_->close();
    }
    process_->kill();
}

asio::awaitable<std::string> Browser::end_reason() {
    if (end_reason_) {
        co_return *end_reason_;
    }
    // The pipe ends a moment before the process can be reaped; the reaper started by the end
    // of the connection kills one that lingers past the grace.
    asio::steady_timer poll(co_await asio::this_coro::executor);
    const auto give_up = std::chrono::steady_clock::now() + exit_grace_;
    while (!process_->exited() && std::chrono::steady_clock::now() < give_up) {
        poll.expires_after(exit_poll_interval);
        const auto [error] = co_await poll.async_wait(asio::as_tuple(asio::use_awaitable));
        if (error) {
            break;  // cancelled: the caller stops waiting, with what is known so far
        }
    }
    std::string reason = cdp_->disconnect_reason();
    if (const std::optional<int> status = process_->wait_status()) {
        reason += " (" + exit_summary(*status) + ")";
    }
    co_return reason;
}

}  // namespace asyncscrape::browser
