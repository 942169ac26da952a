// Supervision of a running browser. A browser that dies is noticed by the end of its pipe; one
// that hangs (stopped, or its main thread stuck) keeps the pipe open and lets every call run
// into its deadline. The watchdog asks it a cheap question at a steady pace, and kills one that
// stops answering, which fails every waiting call at once; the engine then starts a new one.
#pragma once

#include "browser/browser.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <memory>

namespace asyncscrape::browser {

struct WatchdogOptions {
    // The pause between an answer and the next question.
    std::chrono::milliseconds interval{5000};
    // How long the browser may take to answer before it is killed.
    std::chrono::milliseconds timeout{10000};
};

class BrowserWatchdog {
  public:
    // Starts pinging `browser` on `executor`. The watchdog holds the browser only while a ping is
    // out, and stops by itself once the browser's connection has ended.
    BrowserWatchdog(boost::asio::any_io_executor executor, std::weak_ptr<Browser> browser,
                    WatchdogOptions options);
    // Stops pinging: a pause ends at once, a ping in flight with its answer or its timeout (at
    // once when the browser is closed), and a late silence kills nothing.
    ~BrowserWatchdog();
    BrowserWatchdog(const BrowserWatchdog&) = delete;
    BrowserWatchdog& operator=(const BrowserWatchdog&) = delete;

    struct State;

  private:
    std::shared_ptr<State> state_;
};

}  // namespace asyncscrape::browser
