// Keeps popups off the network while the private-address guard is on. A popup (a tab a page
// opens: a target=_blank link, window.open) is no child of its opener, so the opener's guard
// (page_guard.hpp) does not reach it. Instead the browser's own session has Chromium attach every
// new page paused, before it runs, and each is handled in a coroutine of its own:
// - a page without an opener (the engine's own tabs, made by Target.createTarget) is let run at
//   once, and the extra session goes;
// - a popup without access to its opener (noopener, as target=_blank links are by default) runs
//   in a renderer of its own: it is closed before it ever runs;
// - a popup with access to its opener starts in its opener's renderer, whose main thread waits
//   with it: closed unrun, it would freeze its opener for good (window.open never returns), and
//   closing it just after letting it run leaks its first request now and then. So it runs, with
//   every request of its own pausing and never answered and its children attached paused and never
//   let run, and goes with its browser context; its opener is brought back to the front, as a tab
//   behind another one answers its input only after seconds. What its initial document requests
//   at its opener's bidding goes through the opener's own guard.
// Popups are reported nowhere but the debug log.
#pragma once

#include "browser/cdp_client.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include <memory>

namespace asyncscrape::browser {

class PopupBlocker {
  public:
    explicit PopupBlocker(CdpClient& cdp);
    // Stops handling new pages at once; its coroutines touch the client no more.
    ~PopupBlocker();
    PopupBlocker(const PopupBlocker&) = delete;
    PopupBlocker& operator=(const PopupBlocker&) = delete;

    // Has Chromium attach every new page paused (Target.setAutoAttach on the browser's session,
    // pages only) and starts handling them on the calling coroutine's executor. Call before the
    // first page is opened.
    boost::asio::awaitable<CdpOutcome<boost::json::object>> start(SteadyTime deadline);

    struct State;

  private:
    std::shared_ptr<State> state_;
};

}  // namespace asyncscrape::browser
