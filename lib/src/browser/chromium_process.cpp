#include "browser/chromium_process.hpp"

#include "server/log_failure.hpp"
#include "util/log.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <fcntl.h>
#include <linux/close_range.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string_view>
#include <utility>
#include <vector>

extern char** environ;

namespace asyncscrape::browser {

namespace asio = boost::asio;
using SteadyClock = std::chrono::steady_clock;

namespace {

// How often a leaving browser is checked for exit; it usually takes a few hundred milliseconds.
constexpr std::chrono::milliseconds exit_poll_interval{10};

// The profile's preferences. "Preload pages" off (network prediction: never): no speculative
// prefetch or prerender, no preconnect and no DNS prefetch. Chromium makes those loads itself,
// outside any page's Fetch interception, so the private-address guard would not see them.
constexpr std::string_view profile_preferences = R"({"net": {"network_prediction_options": 2}})";

// Writes the preferences of the profile's default user before Chromium reads them.
bool write_preferences(const std::filesystem::path& profile_dir) {
    std::error_code error;
    std::filesystem::create_directory(profile_dir / "Default", error);
    if (error) {
        return false;
    }
    std::ofstream file(profile_dir / "Default" / "Preferences");
    file << profile_preferences;
    file.close();
    return static_cast<bool>(file);
}

std::vector<std::string> chromium_arguments(const ChromiumOptions& options,
                                            const std::string& profile_dir) {
    std::vector<std::string> arguments{
        options.executable,
        "--headless",
        "--remote-debugging-pipe",
        "--user-data-dir=" + profile_dir,
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-default-apps",
        "--disable-extensions",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--mute-audio",
        "--hide-scrollbars",
        // Renderers that a fresh browser context per page started for nothing (docs/benchmarks.md):
        // SpareRendererForSitePerProcess, one started ahead for the context's next navigation;
        // WebUIOmniboxPopup and WebUIOmniboxAimPopup, the address bar's popups (pages in a renderer
        // of their own) of the window `chromium` opens for each new context.
        "--disable-features=Translate,MediaRouter,OptimizationHints,SpareRendererForSitePerProcess,"
        "WebUIOmniboxPopup,WebUIOmniboxAimPopup",
        "--disable-quic",
        // The private-address guard pauses the requests of a page and of the targets it starts
        // (page_guard.hpp); a shared worker belongs to the browser instead, so it must not exist.
        "--disable-shared-workers",
        // Pins the default: an iframe of another site runs in a target of its own, which the
        // guard attaches like any child, the same on every machine.
        "--site-per-process",
        "--window-size=" + std::to_string(options.window_width) + "," +
            std::to_string(options.window_height),
    };
    // Chromium's sandbox refuses to run as root; containers run us as root.
    if (geteuid() == 0) {
        arguments.emplace_back("--no-sandbox");
    }
    arguments.emplace_back("about:blank");
    return arguments;
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
    std::vector<char*> pointers;
    for (std::string& s : strings) {
        pointers.push_back(s.data());
    }
    pointers.push_back(nullptr);
    return pointers;
}

Error unavailable_because(const std::string& what) {
    return unavailable("browser unavailable: " + what);
}

// Writing to the pipe of a browser that just died must be an error code, not a signal that
// kills the server. An embedder's own SIGPIPE handler is left in place.
void ignore_sigpipe() {
    struct sigaction current {};
    if (::sigaction(SIGPIPE, nullptr, &current) == 0 && current.sa_handler == SIG_DFL) {
        ::signal(SIGPIPE, SIG_IGN);
    }
}

std::string errno_text(int error) {
    return std::strerror(error);
}

// The owned ends of the pipes made for one launch; whatever was not handed over is closed.
class Descriptors {
  public:
    Descriptors() = default;
    Descriptors(const Descriptors&) = delete;
    Descriptors& operator=(const Descriptors&) = delete;
    ~Descriptors() {
        for (int fd : fds_) {
            if (fd >= 0) {
                ::close(fd);
            }
        }
    }

    // Makes a pipe whose ends close on exec; false (with errno) when the system refuses.
    bool make_pipe(int& read_end, int& write_end) {
        int ends[2];
        if (::pipe2(ends, O_CLOEXEC) != 0) {
            return false;
        }
        read_end = fds_.emplace_back(ends[0]);
        write_end = fds_.emplace_back(ends[1]);
        return true;
    }

    void close(int fd) {
        for (int& owned : fds_) {
            if (owned == fd) {
                ::close(owned);
                owned = -1;
            }
        }
    }

    int release(int fd) {
        for (int& owned : fds_) {
            if (owned == fd) {
                owned = -1;
            }
        }
        return fd;
    }

  private:
    std::vector<int> fds_;
};

// The child between fork and exec: only async-signal-safe calls. Reports a failure through
// `exec_status` (closed on a successful exec) and never returns.
[[noreturn]] void exec_chromium(pid_t parent, int commands, int events, int exec_status,
                                char* const* argv) {
    // Die with the server, even after kill -9; the check closes the race with a parent that died
    // before prctl.
    if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || ::getppid() != parent) {
        ::_exit(127);
    }
    // Its own process group, so that terminate() reaches the renderers and helpers too.
    ::setpgid(0, 0);
    // Move every descriptor we keep above 4 first, so that the dup2 calls below cannot clobber one.
    const int high_commands = ::fcntl(commands, F_DUPFD_CLOEXEC, 10);
    const int high_events = ::fcntl(events, F_DUPFD_CLOEXEC, 10);
    const int status_fd = ::fcntl(exec_status, F_DUPFD_CLOEXEC, 10);
    const int null_fd = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    if (high_commands < 0 || high_events < 0 || status_fd < 0 || null_fd < 0 ||
        ::dup2(null_fd, STDIN_FILENO) < 0 || ::dup2(null_fd, STDOUT_FILENO) < 0 ||
        ::dup2(null_fd, STDERR_FILENO) < 0 || ::dup2(high_commands, 3) < 0 ||
        ::dup2(high_events, 4) < 0) {
        const int error = errno;
        [[maybe_unused]] const auto written = ::write(exec_status, &error, sizeof error);
        ::_exit(127);
    }
    // Nothing else of ours may leak into the browser: every other descriptor closes on exec.
    ::syscall(SYS_close_range, 5U, ~0U, CLOSE_RANGE_CLOEXEC);
    ::execve(argv[0], argv, environ);
    const int error = errno;
    [[maybe_unused]] const auto written = ::write(status_fd, &error, sizeof error);
    ::_exit(127);
}

}  // namespace

struct ChromiumProcess::State {
    State(asio::any_io_executor executor, pid_t pid, std::string profile_dir,
          std::chrono::milliseconds grace, CdpPipe pipe)
        : executor(std::move(executor)),
          pid(pid),
          profile_dir(std::move(profile_dir)),
          grace(grace),
          pipe(std::move(pipe)) {}

    asio::any_io_executor executor;
    pid_t pid;
    std::string profile_dir;
    std::chrono::milliseconds grace;
    std::optional<CdpPipe> pipe;
    bool reaped = false;
    std::optional<int> wait_status;

    // Reaps the browser if it has exited. Its helpers are killed first, while the zombie still
    // holds the process group's id, so that the signal cannot reach a process that reused it.
    bool try_reap() {
        if (reaped) {
            return true;
        }
        siginfo_t info{};
        if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0) {
            reaped = errno == ECHILD;  // someone else reaped it (SIGCHLD ignored)
            return reaped;
        }
        if (info.si_pid == 0) {
            return false;
        }
        kill_and_reap();
        return true;
    }

    void kill_and_reap() {
        if (reaped) {
            return;
        }
        ::kill(-pid, SIGKILL);
        int status = 0;
        pid_t result = 0;
        do {
            result = ::waitpid(pid, &status, 0);
        } while (result < 0 && errno == EINTR);
        if (result == pid) {
            wait_status = status;
        }
        reaped = true;
    }
};

namespace {

asio::awaitable<void> reap_by(std::shared_ptr<ChromiumProcess::State> state,
                              SteadyClock::time_point deadline) {
    asio::steady_timer poll_timer(state->executor);
    while (!state->try_reap() && SteadyClock::now() < deadline) {
        poll_timer.expires_after(exit_poll_interval);
        co_await poll_timer.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    state->kill_and_reap();
}

}  // namespace

std::string default_chromium_executable(bool guarded) {
    constexpr const char* chromium = "/usr/bin/chromium";
    // The binary itself, not /usr/bin's wrapper script, which would stay between us and it.
    constexpr const char* headless_shell = "/usr/lib/chromium/chromium-headless-shell";
    if (guarded) {
        return chromium;
    }
    return ::access(headless_shell, X_OK) == 0 ? headless_shell : chromium;
}

Outcome<std::unique_ptr<ChromiumProcess>> ChromiumProcess::launch(
    const asio::any_io_executor& executor, const ChromiumOptions& options) {
    ignore_sigpipe();

    std::error_code filesystem_error;
    const auto temp = std::filesystem::temp_directory_path(filesystem_error);
    if (filesystem_error) {
        return unavailable_because("no temporary directory: " + filesystem_error.message());
    }
    std::string profile_template = (temp / "asyncscrape-chromium-XXXXXX").string();
    if (!::mkdtemp(profile_template.data())) {
        return unavailable_because("cannot create a profile directory: " + errno_text(errno));
    }
    const std::string profile_dir = profile_template;
    auto remove_profile = [&profile_dir] {
        std::error_code ignored;
        std::filesystem::remove_all(profile_dir, ignored);
    };
    if (!write_preferences(profile_dir)) {
        remove_profile();
        return unavailable_because("cannot write the profile's preferences in " + profile_dir);
    }

    Descriptors descriptors;
    int commands_read = -1, commands_write = -1, events_read = -1, events_write = -1;
    int status_read = -1, status_write = -1;
    if (!descriptors.make_pipe(commands_read, commands_write) ||
        !descriptors.make_pipe(events_read, events_write) ||
        !descriptors.make_pipe(status_read, status_write)) {
        const int error = errno;
        remove_profile();
        return unavailable_because("cannot create pipes: " + errno_text(error));
    }

    std::vector<std::string> arguments = chromium_arguments(options, profile_dir);
    std::vector<char*> argv = c_strings(arguments);
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0) {
        const int error = errno;
        remove_profile();
        return unavailable_because("cannot fork: " + errno_text(error));
    }
    if (pid == 0) {
        exec_chromium(parent, commands_read, events_write, status_write, argv.data());
    }
    ::setpgid(pid, pid);  // also here, so that no signal to the group can come before the child's
    descriptors.close(commands_read);
    descriptors.close(events_write);
    descriptors.close(status_write);

    // The status pipe closes on a successful exec and carries errno when the exec failed.
    int exec_error = 0;
    ssize_t got = 0;
    do {
        got = ::read(status_read, &exec_error, sizeof exec_error);
    } while (got < 0 && errno == EINTR);
    if (got == sizeof exec_error) {
        int ignored = 0;
        ::waitpid(pid, &ignored, 0);
        remove_profile();
        return unavailable_because("cannot execute " + options.executable + ": " +
                                   errno_text(exec_error));
    }

    CdpPipe pipe{asio::posix::stream_descriptor(executor, descriptors.release(commands_write)),
                 asio::posix::stream_descriptor(executor, descriptors.release(events_read))};
    log(LogLevel::debug, "chromium started, pid ", pid, ", profile ", profile_dir);
    return std::unique_ptr<ChromiumProcess>(new ChromiumProcess(
        std::make_shared<State>(executor, pid, profile_dir, options.exit_grace, std::move(pipe))));
}

ChromiumProcess::ChromiumProcess(std::shared_ptr<State> state) : state_(std::move(state)) {}

ChromiumProcess::~ChromiumProcess() {
    state_->pipe.reset();
    state_->kill_and_reap();
    std::error_code ignored;
    std::filesystem::remove_all(state_->profile_dir, ignored);
}

pid_t ChromiumProcess::pid() const {
    return state_->pid;
}

const std::string& ChromiumProcess::profile_dir() const {
    return state_->profile_dir;
}

CdpPipe ChromiumProcess::take_pipe() {
    CdpPipe pipe = std::move(*state_->pipe);
    state_->pipe.reset();
    return pipe;
}

bool ChromiumProcess::exited() {
    return state_->try_reap();
}

std::optional<int> ChromiumProcess::wait_status() const {
    return state_->wait_status;
}

asio::awaitable<void> ChromiumProcess::terminate() {
    const std::shared_ptr<State> state = state_;
    state->pipe.reset();
    if (state->try_reap()) {
        co_return;
    }
    ::kill(state->pid, SIGTERM);
    co_await reap_by(state, SteadyClock::now() + state->grace);
}

void ChromiumProcess::reap_in_background() {
    asio::co_spawn(state_->executor, reap_by(state_, SteadyClock::now() + state_->grace),
                   server::LogFailure{"chromium reaper"});
}

void ChromiumProcess::kill() {
    // Not once reaped: the group's id may belong to someone else by now.
    if (state_->try_reap()) {
        return;
    }
    ::kill(-state_->pid, SIGKILL);
    reap_in_background();
}

}  // namespace asyncscrape::browser
