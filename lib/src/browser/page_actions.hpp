// The actions of a request that look at or act on the page in its tab: wait-for-timeout,
// wait-for-selector and evaluate, and those a user performs (click, hover, fill, type, press,
// select-option, scroll, scroll-to-bottom). Input goes through the Input domain as real mouse,
// wheel and keyboard events, so the page sees what a user would cause; JavaScript only finds
// elements, brings them into view and reads the page. wait-for-navigation follows the page
// load's own events and belongs to it (page_load.cpp).
#pragma once

#include "browser/cdp_client.hpp"
#include "browser/cdp_outcome.hpp"

#include <asyncscrape/model.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include <optional>
#include <string>

namespace asyncscrape::browser {

// How an action ended: ok (error none), its own failure, or what ends the whole load (cancelled,
// the browser gone, the tab gone). A timeout is the action's deadline passing; the page load
// tells the action's own limit from the request's.
struct ActionEnd {
    CdpError error = CdpError::none;
    // command_failed: why the action failed; timeout: what it was still waiting for, if it can
    // say (e.g. "no element matches '#x'").
    std::string message;
    std::optional<std::string> value_json;  // evaluate: its value as JSON text
};

// Runtime.evaluate's params for `expression`: a promise is awaited, and the value comes back as
// JSON.
boost::json::object evaluation_params(std::string expression);

// Runs `action` in the page of the flat session `session_id`, ending by `deadline` (the action's
// own, never past the request's) and promptly on cancellation. Any type but wait-for-navigation.
boost::asio::awaitable<ActionEnd> run_page_action(CdpClient& cdp, std::string session_id,
                                                  const Action& action, SteadyTime deadline);

}  // namespace asyncscrape::browser
