#include "browser/browser.hpp"

#include <boost/asio/this_coro.hpp>

#include <sys/wait.h>

#include <utility>

namespace asyncscrape::browser {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

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

}  // namespace

Browser::Browser(std::unique_ptr<ChromiumProcess> process, std::unique_ptr<CdpClient> cdp)
    : process_(std::move(process)), cdp_(std::move(cdp)) {}

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
    std::unique_ptr<Browser> browser(new Browser(std::move(process), std::move(cdp)));

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
    co_return browser;
}

asio::awaitable<void> Browser::close() {
    cdp_->close();
    co_await process_->terminate();
}

}  // namespace asyncscrape::browser
