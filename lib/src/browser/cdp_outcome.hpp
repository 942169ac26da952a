// What a CDP operation ends with: its value, or why it has none. The kinds are distinct because the
// layers above react differently: a failed command is the page's business, a browser that is gone
// must be restarted, a timeout or a cancellation belongs to the caller's own deadline.
#pragma once

#include <boost/json/object.hpp>

#include <string>

namespace asyncscrape::browser {

enum class CdpError {
    none,
    command_failed,    // the browser answered with a CDP error object
    timeout,           // no answer before the caller's deadline
    cancelled,         // the caller's cancellation slot fired
    browser_gone,      // the pipe closed: "browser unavailable: ..."
    session_detached,  // the target of a flat session went away (tab closed or crashed)
};

template <class T>
struct CdpOutcome {
    CdpError error = CdpError::none;
    std::string message;  // a sentence naming the command, e.g. "cdp Page.navigate: Invalid URL"
    T value{};

    bool ok() const { return error == CdpError::none; }
};

// One event as the browser sent it.
struct CdpEvent {
    std::string session_id;  // empty for the browser's own connection
    std::string method;
    boost::json::object params;
};

}  // namespace asyncscrape::browser
