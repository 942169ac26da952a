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

// Thrown by Server::start() and Server::reload_api_keys() when the API keys file cannot be used:
// unreadable, or a line that is not a key (the problem names the line).
class ApiKeysError : public std::runtime_error {
  public:
    ApiKeysError(std::string file, std::string problem)
        : std::runtime_error("API keys file \"" + file + "\": " + problem),
          file_(std::move(file)),
          problem_(std::move(problem)) {}

    const std::string& file() const noexcept { return file_; }
    const std::string& problem() const noexcept { return problem_; }

  private:
    std::string file_;
    std::string problem_;
};

// Thrown by Server::start() when it would serve an address beyond loopback to anyone: without API
// keys, every client is the same tenant, so that needs ServerConfig::insecure_open.
class OpenServerRefused : public std::runtime_error {
  public:
    explicit OpenServerRefused(const std::string& address)
        : std::runtime_error("refusing to serve " + address +
                             " without API keys: anyone who reaches it could read and start "
                             "every run") {}
};

class Server {
  public:
    Server(boost::asio::any_io_executor executor, ServerConfig config, Runtime& runtime);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // Loads the API keys and the TLS certificate and key when the configuration names them,
    // binds config.host:config.port and starts accepting. Throws ApiKeysError, TlsSetupError,
    // OpenServerRefused, or std::runtime_error naming the address and the cause when it cannot
    // listen there.
    void start();

    // Reads the API keys file again (on SIGHUP, say): requests from then on are checked against
    // the new keys, and the tenants' webhook secrets are the new ones. On ApiKeysError the keys
    // in use stay. Answers how many keys there are now.
    std::size_t reload_api_keys();

    // The port listened on (the one picked when config.port was 0).
    std::uint16_t port() const;

    // Graceful shutdown: stops accepting, closes idle connections, lets the answers in progress
    // finish, and resumes once every connection has closed.
    boost::asio::awaitable<void> stop();

  private:
    std::shared_ptr<server::ServerState> state_;
};

}  // namespace asyncscrape
