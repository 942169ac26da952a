// A running browser we can talk to: the Chromium process and the CDP client over its pipe (and,
// when asked, the blocker of its popups), started together and checked with a first command,
// closed together.
#pragma once

#include "browser/cdp_client.hpp"
#include "browser/chromium_process.hpp"

#include <asyncscrape/error.hpp>

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>

namespace asyncscrape::browser {

struct BrowserOptions {
    ChromiumOptions chromium;
    // Chromium must answer its first command by then (it takes about a second here).
    std::chrono::milliseconds startup_timeout{10000};
    std::size_t max_message_bytes = 256 * 1024 * 1024;
    // Keeps the popups of every page off the network (popup_blocker.hpp): for the private-address
    // guard, which does not reach them.
    bool block_popups = false;
};

class PopupBlocker;

class Browser {
  public:
    // Starts Chromium on the calling coroutine's executor, waits until it answers
    // Browser.getVersion and, when asked, starts blocking popups. Fails with "browser
    // unavailable: ..." when it cannot.
    static boost::asio::awaitable<Outcome<std::unique_ptr<Browser>>> launch(BrowserOptions options);

    // Kills whatever still runs (close() is the graceful way).
    ~Browser();
    Browser(const Browser&) = delete;
    Browser& operator=(const Browser&) = delete;

    CdpClient& cdp() { return *cdp_; }
    ChromiumProcess& process() { return *process_; }
    // "Chrome/156.0.8078.108", as Browser.getVersion named it.
    const std::string& product() const { return product_; }

    // Closes the CDP pipe, which makes Chromium exit; kills it if it lingers; reaps it.
    boost::asio::awaitable<void> close();

    // Kills the browser at once (a hung one too): every waiting call fails now, and `reason`
    // (a "browser unavailable: ..." sentence) is what end_reason() will say.
    void kill(std::string reason);

    // Why the connection has ended, in a sentence for the loads it failed: the reason given to
    // kill(), that it was closed, or the connection's own reason with how the process ended,
    // e.g. "browser unavailable: chromium exited (signal 9)". Waits up to the exit grace for a
    // process whose pipe ended to be reaped.
    boost::asio::awaitable<std::string> end_reason();

  private:
    Browser(std::unique_ptr<ChromiumProcess> process, std::unique_ptr<CdpClient> cdp,
            std::chrono::milliseconds exit_grace);

    // Declared first so that it is destroyed last: the client's disconnect hook refers to it.
    std::unique_ptr<ChromiumProcess> process_;
    std::unique_ptr<CdpClient> cdp_;
    // Declared after the client, which it uses, so that it is destroyed first.
    std::unique_ptr<PopupBlocker> popup_blocker_;
    std::string product_;
    std::chrono::milliseconds exit_grace_;
    std::optional<std::string> end_reason_;  // when we ended the connection
};

}  // namespace asyncscrape::browser
