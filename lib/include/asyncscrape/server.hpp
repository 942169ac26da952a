// The HTTP API server (docs/api.md) on a program's own io_context, serving a Runtime: HTTP, or
// HTTPS when ServerConfig names a certificate and its key.
//
//     asio::io_context io;
//     asyncscrape::Runtime runtime(io.get_executor(), runtime_config);
//     asyncscrape::Server server(io.get_executor(), server_config, runtime);
//     server.start();                     // listening now; port 0 picks a free port
//     ...
//     co_await server.stop();             // then co_await runtime.shutdown()
//
// Like the runtime, it is single-threaded: every call from the io_context's thread. Await stop()
// before destroying the Server or its Runtime.
#pragma once

#include <asyncscrape/config.hpp>
#include <asyncscrape/runtime.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>

namespace asyncscrape {

namespace server {
struct ServerState;
}

// Thrown by Server::start() when the configuration asks for TLS and it cannot be set up. It says
// which setting is at fault, so that a program can name its own flag for it.
class TlsSetupError : public std::runtime_error {
  public:
    enum class Setting { certificate_file, private_key_file };

    TlsSetupError(Setting setting, std::string file, std::string problem)
        : std::runtime_error(std::string(setting == Setting::certificate_file
                                             ? "TLS certificate chain file"
                                             : "TLS private key file") +
                             (file.empty() ? "" : " \"" + file + "\"") + ": " + problem),
          setting_(setting),
          file_(std::move(file)),
          problem_(std::move(problem)) {}

    Setting setting() const noexcept { return setting_; }
    // The file as configured; empty when the setting is missing.
    const std::string& file() const noexcept { return file_; }
    // What is wrong, e.g. "does not match the certificate in \"server.crt\"".
    const std::string& problem() const noexcept { return problem_; }

  private:
    Setting setting_;
    std::string file_;
    std::string problem_;
};

class Server {
  public:
    Server(boost::asio::any_io_executor executor, ServerConfig config, Runtime& runtime);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // Loads the TLS certificate and key when the configuration names them, binds
    // config.host:config.port and starts accepting. Throws TlsSetupError when TLS cannot be set
    // up, std::runtime_error naming the address and the cause when it cannot listen there.
    void start();

    // The port listened on (the one picked when config.port was 0).
    std::uint16_t port() const;

    // Graceful shutdown: stops accepting, closes idle connections, lets the answers in progress
    // finish, and resumes once every connection has closed.
    boost::asio::awaitable<void> stop();

  private:
    std::shared_ptr<server::ServerState> state_;
};

}  // namespace asyncscrape
