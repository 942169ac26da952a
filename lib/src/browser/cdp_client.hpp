// The CDP client on the io_context: commands are written one at a time in the order they were
// made, and each caller resumes with its own reply; events go to subscriptions. Every wait ends
// by the caller's deadline, promptly on the caller's (terminal) cancellation, and at once for
// everybody when the browser goes away. Failures are data (CdpOutcome), never exceptions.
#pragma once

#include "browser/cdp_dispatcher.hpp"
#include "browser/cdp_outcome.hpp"
#include "browser/cdp_pipe.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace asyncscrape::browser {

using SteadyTime = std::chrono::steady_clock::time_point;

struct CdpClientOptions {
    // Largest message accepted from the browser (screenshots are the big ones); a larger one
    // ends the connection.
    std::size_t max_message_bytes = 256 * 1024 * 1024;
    // Called once when the browser ends the conversation (its pipe closed or broke), after every
    // waiting call has failed; not called by close().
    std::function<void()> on_disconnect;
};

class CdpSubscription;

class CdpClient {
  public:
    // Starts reading the pipe on its executor.
    CdpClient(CdpPipe pipe, CdpClientOptions options);
    // Closes the pipe; waiting calls fail with CdpError::browser_gone.
    ~CdpClient();
    CdpClient(const CdpClient&) = delete;
    CdpClient& operator=(const CdpClient&) = delete;

    // Sends `method` with `params`, to the flat session `session_id` (empty: the browser), and
    // resumes with the reply's "result", or its error, or a timeout at `deadline`.
    boost::asio::awaitable<CdpOutcome<boost::json::object>> call(std::string method,
                                                                 boost::json::object params,
                                                                 std::string session_id,
                                                                 SteadyTime deadline);

    // Buffers the events of `session_id` (empty: the browser) whose method is in `methods`
    // (empty: all) from now on, until the subscription is destroyed. Subscribe before sending the
    // command that causes the events, and none is missed.
    CdpSubscription subscribe(std::string session_id, std::vector<std::string> methods);

    bool connected() const;
    // Why the connection ended, e.g. "browser unavailable: chromium exited"; empty while connected.
    const std::string& disconnect_reason() const;

    // Ends the connection: closing the command pipe also tells the browser to exit.
    void close();

    struct State;

  private:
    std::shared_ptr<State> state_;
};

class CdpSubscription {
  public:
    CdpSubscription(std::shared_ptr<CdpClient::State> state, SubscriptionId id);
    CdpSubscription(CdpSubscription&& other) noexcept;
    CdpSubscription& operator=(CdpSubscription&& other) noexcept;
    CdpSubscription(const CdpSubscription&) = delete;
    CdpSubscription& operator=(const CdpSubscription&) = delete;
    ~CdpSubscription();

    // The oldest buffered event, waiting for one until `deadline` if none is buffered. Ends with
    // session_detached once the session's target is gone, browser_gone with the connection.
    boost::asio::awaitable<CdpOutcome<CdpEvent>> next(SteadyTime deadline);

  private:
    void release();

    std::shared_ptr<CdpClient::State> state_;
    SubscriptionId id_ = 0;
};

}  // namespace asyncscrape::browser
