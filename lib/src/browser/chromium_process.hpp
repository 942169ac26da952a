// The Chromium process: started headless with a throwaway profile and the CDP pipe on its fds 3
// and 4, in its own process group, killed by the kernel if we die (PR_SET_PDEATHSIG), and never
// left behind: the destructor kills and reaps whatever still runs and removes the profile.
// Launch it from the io_context's thread: the kernel's parent-death signal follows the thread
// that forked, not the process.
#pragma once

#include "browser/cdp_pipe.hpp"

#include <asyncscrape/error.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace asyncscrape::browser {

// The Chromium started when none is configured. Debian's headless shell (package
// chromium-headless-shell) is Chromium's own headless build: it builds no window, so a page in a
// new browser context opens in about 10 ms instead of 140 to 200 ms, and a page costs about half
// the CPU (docs/benchmarks.md). But it reads no profile preferences, so it cannot turn off the
// loads Chromium makes by itself (speculation rules' prefetches), which no page's interception
// sees. A `guarded` browser, whose pages the private-address guard watches, is therefore Debian's
// chromium, whose profile turns them off; an unguarded one is the headless shell when installed.
std::string default_chromium_executable(bool guarded);

struct ChromiumOptions {
    std::string executable = "/usr/bin/chromium";
    int window_width = 1280;
    int window_height = 800;
    // How long terminate() lets Chromium shut down by itself before SIGKILL.
    std::chrono::milliseconds exit_grace{2000};
};

class ChromiumProcess {
  public:
    // Starts Chromium. Fails with "browser unavailable: ..." when it cannot be executed; a browser
    // that starts and dies at once shows as the end of its pipe.
    static Outcome<std::unique_ptr<ChromiumProcess>> launch(
        const boost::asio::any_io_executor& executor, const ChromiumOptions& options);

    ~ChromiumProcess();
    ChromiumProcess(const ChromiumProcess&) = delete;
    ChromiumProcess& operator=(const ChromiumProcess&) = delete;

    pid_t pid() const;
    const std::string& profile_dir() const;

    // Our ends of the CDP pipe, handed over once to the client that talks over them.
    CdpPipe take_pipe();

    // Reaps the process if it has exited (without blocking); true once it has.
    bool exited();
    // The raw waitpid status once reaped.
    std::optional<int> wait_status() const;

    // Asks Chromium to stop (SIGTERM), waits up to the grace period, then kills the process group,
    // and reaps. Close the CDP pipe first: Chromium then exits by itself, as after SIGTERM.
    boost::asio::awaitable<void> terminate();
    // Reaps a process that is leaving by itself (its pipe ended), killing it after the grace
    // period if it lingers. Runs in the background; the destructor still kills if needed.
    void reap_in_background();
    // Kills the process group now (SIGKILL: a stopped or hung browser too, which SIGTERM would
    // not move) and reaps it in the background.
    void kill();

    struct State;

  private:
    explicit ChromiumProcess(std::shared_ptr<State> state);

    std::shared_ptr<State> state_;
};

}  // namespace asyncscrape::browser
