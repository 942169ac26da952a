// One page load in a tab of its own: navigation, the request's actions, and the capture of the
// live DOM (and a screenshot when asked), all inside the request's deadline. What the outside
// world does (a 404, a name that does not resolve, a script that throws, a browser that dies) is
// reported in the result, never thrown.
#pragma once

#include "browser/cdp_client.hpp"

#include <asyncscrape/model.hpp>

#include <boost/asio/awaitable.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace asyncscrape::browser {

struct RequestGuard;

struct Viewport {
    int width = 1280;
    int height = 800;
};

struct PageLoadResult {
    JobStatus status = JobStatus::failed;  // success, failed, timeout or cancelled
    std::optional<std::string> error;
    // The main document's response (the last one, after redirects).
    std::optional<int> status_code;
    HeaderList headers;  // lower-case names
    std::string final_url;
    std::string html;                    // document.documentElement.outerHTML after the actions
    std::vector<ActionOutcome> actions;  // one per action of the request, also those not run
    std::optional<std::string> screenshot_png;  // when the request asked for one
    Timings timings;  // ttfb_ms here; queue_wait_ms and total_ms by the engine
    // The load failed because the browser went away under it (crashed, killed, restarted for
    // hanging): nothing the page did, so another try in a new browser may well succeed.
    bool browser_lost = false;
};

// Loads `request` in a new tab of the browser context `context_id`, which the caller owns and
// disposes of afterwards, whatever happened (that also closes the tab). Cancellation through the
// awaiting coroutine's slot ends the load promptly as `cancelled`; the calling coroutine must
// have turned off throw_if_cancelled, as cancellation is data here. With `request_guard`, every
// request of the tab to an address it refuses is blocked, and a blocked main document fails the
// load as "blocked: private address"; without, private addresses are reachable.
boost::asio::awaitable<PageLoadResult> load_page(CdpClient& cdp, std::string context_id,
                                                 const Request& request, SteadyTime deadline,
                                                 Viewport viewport, RequestGuard* request_guard);

// Ends a load that stopped before its tab existed: `status` with `error`, every action not run.
PageLoadResult stopped_before_loading(const Request& request, JobStatus status, std::string error);

// Records an outcome "not run: <why>" for every action of `request` that has none yet.
void mark_actions_not_run(std::vector<ActionOutcome>& outcomes, const Request& request,
                          std::string_view why);

}  // namespace asyncscrape::browser
