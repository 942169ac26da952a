#include "integration/process/child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace asyncscrape::test {
namespace {

using Clock = std::chrono::steady_clock;

std::chrono::milliseconds remaining(Clock::time_point deadline) {
    return std::max(std::chrono::milliseconds(0),
                    std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
    std::vector<char*> pointers;
    for (std::string& s : strings) {
        pointers.push_back(s.data());
    }
    pointers.push_back(nullptr);
    return pointers;
}

}  // namespace

ChildProcess::ChildProcess(const std::string& program, const std::vector<std::string>& args,
                           const std::vector<std::string>& extra_environment) {
    int pipe_ends[2];
    if (pipe2(pipe_ends, O_CLOEXEC) != 0) {
        throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
    }
    output_ = pipe_ends[0];

    std::vector<std::string> argv{program};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<std::string> envp(extra_environment);
    for (char** variable = environ; *variable != nullptr; ++variable) {
        envp.emplace_back(*variable);
    }
    auto argv_pointers = c_strings(argv);
    auto envp_pointers = c_strings(envp);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pipe_ends[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, pipe_ends[1], STDERR_FILENO);
    const int spawned = posix_spawn(&pid_, program.c_str(), &actions, nullptr, argv_pointers.data(),
                                    envp_pointers.data());
    posix_spawn_file_actions_destroy(&actions);
    close(pipe_ends[1]);
    if (spawned != 0) {
        close(output_);
        throw std::runtime_error("cannot start " + program + ": " + std::strerror(spawned));
    }
}

ChildProcess::~ChildProcess() {
    if (!exit_code_) {
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
    }
    close(output_);
}

bool ChildProcess::read_some(std::chrono::milliseconds limit) {
    pollfd ready{output_, POLLIN, 0};
    if (poll(&ready, 1, static_cast<int>(limit.count())) <= 0) {
        return true;
    }
    char chunk[4096];
    const ssize_t n = read(output_, chunk, sizeof chunk);
    if (n <= 0) {
        return false;
    }
    received_.append(chunk, static_cast<std::size_t>(n));
    return true;
}

std::string ChildProcess::read_until(std::string_view needle, std::chrono::milliseconds limit) {
    const auto deadline = Clock::now() + limit;
    while (received_.find(needle) == std::string::npos) {
        if (Clock::now() >= deadline || !read_some(remaining(deadline))) {
            throw std::runtime_error("no \"" + std::string(needle) +
                                     "\" in the output: " + received_);
        }
    }
    return received_;
}

std::string ChildProcess::read_all(std::chrono::milliseconds limit) {
    const auto deadline = Clock::now() + limit;
    while (Clock::now() < deadline && read_some(remaining(deadline))) {
    }
    return received_;
}

void ChildProcess::signal(int number) {
    kill(pid_, number);
}

std::optional<int> ChildProcess::wait_exit(std::chrono::milliseconds limit) {
    const auto deadline = Clock::now() + limit;
    while (!exit_code_) {
        int status = 0;
        if (waitpid(pid_, &status, WNOHANG) == pid_) {
            exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        } else if (Clock::now() >= deadline) {
            break;
        } else {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
    }
    return exit_code_;
}

}  // namespace asyncscrape::test
