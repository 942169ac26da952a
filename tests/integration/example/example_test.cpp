// The embedding example, run as a user would run it, against a loopback target.
#include "support/target_server.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <cstdio>
#include <string>
#include <thread>

namespace asio = boost::asio;

namespace {

struct CommandOutput {
    int exit_code = -1;
    std::string text;
};

CommandOutput run_command(const std::string& command) {
    CommandOutput output;
    FILE* pipe = popen(command.c_str(), "r");
    REQUIRE(pipe != nullptr);
    char buffer[4096];
    while (std::size_t read = std::fread(buffer, 1, sizeof buffer, pipe)) {
        output.text.append(buffer, read);
    }
    const int status = pclose(pipe);
    output.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return output;
}

}  // namespace

TEST_CASE("the embedding example fetches URLs and reports the run") {
    asio::io_context io;
    asyncscrape::test::TargetServer target(io);
    auto work = asio::make_work_guard(io);
    std::thread serving([&io] { io.run(); });

    const std::string page = target.url("/page");
    const auto output = run_command(std::string(FETCH_URLS_EXAMPLE) + " --allow-private-targets " +
                                    page + " " + target.url("/status/404") + " 2>&1");
    asio::post(io, [&] {
        target.stop();
        work.reset();
    });
    serving.join();

    INFO(output.text);
    CHECK(output.exit_code == 0);
    CHECK(output.text.find("completed, 1 success, 1 failed") != std::string::npos);
    CHECK(output.text.find(page + " -> success HTTP 200") != std::string::npos);
    CHECK(output.text.find("-> failed HTTP 404") != std::string::npos);
}
