// asyncscrape-server: the HTTP API (or HTTPS, with --tls-cert and --tls-key) over a Runtime, on
// one thread. Flag parsing (options.hpp) and wiring only.
#include "api/api_keys.hpp"
#include "options.hpp"
#include "server/listen_address.hpp"
#include "server/log_failure.hpp"
#include "server/tls_server_context.hpp"
#include "util/log.hpp"

#include <asyncscrape/runtime.hpp>
#include <asyncscrape/server.hpp>
#include <asyncscrape/store.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <unistd.h>

#include <csignal>
#include <exception>
#include <iostream>
#include <string_view>
#include <vector>

namespace {

namespace net = boost::asio;
using namespace asyncscrape;

// The store the flags name; an error says why it cannot be opened (in use, newer schema, ...).
Outcome<std::shared_ptr<Store>> open_store(const app::Options& options,
                                           const net::any_io_executor& executor) {
    if (options.store == "memory") {
        return make_memory_store();
    }
    return open_sqlite_store(executor, options.data_dir);
}

// Runs that were in progress when the server last stopped go on where they were.
net::awaitable<void> resume_runs(Runtime& runtime) {
    const std::size_t resumed = co_await runtime.resume_runs();
    if (resumed > 0) {
        log(LogLevel::info, "resumed ", resumed, " runs");
    }
}

struct ResumeDone {
    bool& done;
    void operator()(const std::exception_ptr& error) const {
        server::LogFailure{"resuming runs"}(error);
        done = true;
    }
};

// On SIGINT or SIGTERM: stop accepting, finish the answers in progress, let the jobs in flight
// finish for up to the grace period, then stop the rest; what did not finish resumes at the next
// start.
net::awaitable<void> stop_on_signal(net::signal_set& signals, net::signal_set& reload_signals,
                                    Server& server, Runtime& runtime, std::chrono::seconds grace) {
    const auto [ec, signal] = co_await signals.async_wait(net::as_tuple(net::use_awaitable));
    if (ec) {
        co_return;
    }
    log(LogLevel::info, "signal ", signal, ": shutting down");
    reload_signals.cancel();
    co_await server.stop();
    co_await runtime.shutdown(grace);
    log(LogLevel::info, "stopped");
}

// On SIGHUP: the API keys file is read again; a file that cannot be used leaves the keys in use.
net::awaitable<void> reload_keys_on_signal(net::signal_set& signals, Server& server) {
    for (;;) {
        const auto [ec, number] = co_await signals.async_wait(net::as_tuple(net::use_awaitable));
        if (ec) {
            co_return;
        }
        try {
            const std::size_t keys = server.reload_api_keys();
            log(LogLevel::info, "SIGHUP: ", keys, " API keys loaded");
        } catch (const ApiKeysError& e) {
            log(LogLevel::error, "SIGHUP: ", app::describe_startup_error(e),
                "; the keys in use stay");
        }
    }
}

// What can be checked before the store is opened and runs resume: a server that cannot serve
// starts nothing. Server::start() checks them again for its own use.
void check_before_start(const app::Options& options, const net::any_io_executor& executor) {
    if (!options.server.api_keys_file.empty()) {
        api::load_api_keys(options.server.api_keys_file);
    }
    server::check_open_server(options.server, server::listen_endpoint(executor, options.server));
    if (server::wants_tls(options.server)) {
        server::make_tls_server_context(options.server);
    }
}

int serve(const app::Options& options) {
    // A file-size limit reached (ulimit -f) is then a failed write the store reports (503), not
    // the end of the process.
    std::signal(SIGXFSZ, SIG_IGN);
    net::io_context io;
    // Catch the signals before announcing the address: whoever reads the announcement may stop
    // the server at once.
    net::signal_set signals(io, SIGINT, SIGTERM);
    net::signal_set reload_signals(io, SIGHUP);
    try {
        check_before_start(options, io.get_executor());
    } catch (const std::exception& e) {
        log(LogLevel::error, app::describe_startup_error(e));
        return 1;
    }
    auto store = open_store(options, io.get_executor());
    if (!store) {
        log(LogLevel::error, store.error().detail);
        return 1;
    }
    Runtime runtime(io.get_executor(), options.runtime, std::move(store).value());
    // Resumed before the first client is served: until then the store's counters of those runs
    // may lag behind their outcomes, and a client must never see a counter go back.
    bool resumed = false;
    net::co_spawn(io, resume_runs(runtime), ResumeDone{resumed});
    while (!resumed && io.run_one() > 0) {
    }
    Server server(io.get_executor(), options.server, runtime);
    try {
        server.start();
    } catch (const std::exception& e) {
        log(LogLevel::error, app::describe_startup_error(e));
        return 1;
    }
    net::co_spawn(io, stop_on_signal(signals, reload_signals, server, runtime, options.grace),
                  server::LogFailure{"shutdown"});
    net::co_spawn(io, reload_keys_on_signal(reload_signals, server),
                  server::LogFailure{"reloading API keys"});
    log(LogLevel::info, "listening on ", server::wants_tls(options.server) ? "https://" : "http://",
        app::format_host_port(options.server.host, server.port()));
    io.run();
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    const std::vector<std::string_view> args(argv + 1, argv + argc);
    const auto options = app::parse_options(args, app::environment_from(environ));
    if (!options) {
        std::cerr << "asyncscrape-server: " << options.error().detail << " (see --help)\n";
        return 2;
    }
    if (options->help) {
        std::cout << app::usage();
        return 0;
    }
    set_log_level(options->log_level);
    return serve(*options);
}
