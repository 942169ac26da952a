// The browser side of the engine: one Chromium, launched at the first page load and again after
// it died, and a pool of at most `max_tabs` tabs. Every load gets a browser context of its own
// (no cookies, storage or cache shared with any other load), disposed of when the load ends,
// whatever happened. Loads beyond the tab limit wait in FIFO order, holding nothing in the
// browser, until their deadline or their cancellation. A watchdog pings the running browser and
// kills one that stops answering; the loads a dead or killed browser fails say how it ended and
// are marked `browser_lost`, and the next load starts a new browser.
#pragma once

#include "browser/browser.hpp"
#include "browser/page_load.hpp"

#include <asyncscrape/model.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/address.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace asyncscrape::browser {

struct BrowserEngineOptions {
    // Empty: default_chromium_executable(), guarded unless allow_private_targets.
    std::string executable;
    std::size_t max_tabs = 4;
    Viewport viewport;
    // Chromium must answer its first command by then.
    std::chrono::milliseconds startup_timeout{10000};
    // The running browser is asked for its version after every such pause, and killed when it
    // has not answered within the timeout (stopped, or its main thread stuck).
    std::chrono::milliseconds watchdog_interval{5000};
    std::chrono::milliseconds watchdog_timeout{10000};
    // False: every request of a page (the navigation, its redirects, the subresources) to an
    // address the fetcher's AddressGuard refuses (loopback, private, link-local, ...) is blocked.
    // True (local use and tests): pages reach any address, without the guard's interception.
    bool allow_private_targets = false;
    // Permitted besides the public addresses while the guard is on, every other non-public
    // address staying refused: lets loopback tests serve pages with the guard on.
    std::vector<boost::asio::ip::address> admitted_addresses;
};

class BrowserEngine {
  public:
    BrowserEngine(boost::asio::any_io_executor executor, BrowserEngineOptions options);
    // Kills a browser still running (shutdown() is the graceful way).
    ~BrowserEngine();
    BrowserEngine(const BrowserEngine&) = delete;
    BrowserEngine& operator=(const BrowserEngine&) = delete;

    // Loads `request` (its url, actions and screenshot) in a tab, never past `deadline`.
    // Cancellation through the awaiting coroutine's slot ends it promptly as `cancelled`. The
    // timings carry queue_wait_ms (the wait for a tab), ttfb_ms and total_ms.
    boost::asio::awaitable<PageLoadResult> load(const Request& request, SteadyTime deadline);

    // Stops the watchdog and closes the browser; loads after it fail with "browser unavailable:
    // ...". Once the loads in flight have ended, nothing of the engine keeps the io_context busy.
    boost::asio::awaitable<void> shutdown();

    // Tabs in use: each from the moment a load gets its turn until its browser context is gone.
    std::size_t open_tabs() const;
    // The most tabs that were in use at the same time.
    std::size_t peak_open_tabs() const;
    // The browser running now, if any: for supervision and diagnostics.
    std::shared_ptr<Browser> browser() const;

    struct State;

  private:
    std::shared_ptr<State> state_;
};

}  // namespace asyncscrape::browser
