// A program started for a test, with its standard output and error read through one pipe.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace asyncscrape::test {

class ChildProcess {
  public:
    // Starts `program` with `args` and the test's environment plus `extra_environment`
    // ("NAME=value" entries). Throws when it cannot be started.
    ChildProcess(const std::string& program, const std::vector<std::string>& args,
                 const std::vector<std::string>& extra_environment = {});
    // Kills the program if it is still running.
    ~ChildProcess();
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    // Reads output until it contains `needle` and answers all output so far; throws when the
    // program closes its output or `limit` passes first.
    std::string read_until(std::string_view needle, std::chrono::milliseconds limit);
    // Reads the rest of the output, until the program closes it or `limit` passes.
    std::string read_all(std::chrono::milliseconds limit);

    pid_t pid() const { return pid_; }
    void signal(int number);
    // The exit code once the program has exited, or nullopt when it is still running after
    // `limit`. A program killed by a signal answers 128 + the signal, as a shell would.
    std::optional<int> wait_exit(std::chrono::milliseconds limit);

  private:
    // Appends what the pipe gives within `limit`; false at the end of the output.
    bool read_some(std::chrono::milliseconds limit);

    pid_t pid_ = -1;
    int output_ = -1;
    std::string received_;
    std::optional<int> exit_code_;
};

}  // namespace asyncscrape::test
