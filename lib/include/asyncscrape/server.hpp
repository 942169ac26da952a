// The HTTP API server (docs/api.md) on a program's own io_context, serving a Runtime.
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

namespace asyncscrape {

namespace server {
struct ServerState;
}

class Server {
  public:
    Server(boost::asio::any_io_executor executor, ServerConfig config, Runtime& runtime);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // Binds config.host:config.port and starts accepting. Throws std::runtime_error naming the
    // address and the cause when it cannot listen there.
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
