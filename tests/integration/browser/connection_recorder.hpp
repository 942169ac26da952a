// A loopback listener for the guard's tests on 127.0.0.2: an address the guard refuses (every
// 127/8 address is loopback, and the tests admit only 127.0.0.1 and ::1), so that any connection
// it records is one that got past the guard. It records every connection, also one that never
// sends a request (a preconnect), and answers each request with a small 200 any origin may read.
#pragma once

#include <boost/asio/io_context.hpp>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace asyncscrape::test {

class ConnectionRecorder {
  public:
    // Listening at an ephemeral port when constructed.
    explicit ConnectionRecorder(boost::asio::io_context& io);
    ~ConnectionRecorder();
    ConnectionRecorder(const ConnectionRecorder&) = delete;
    ConnectionRecorder& operator=(const ConnectionRecorder&) = delete;

    // "http://127.0.0.2:<port>" followed by `path`.
    std::string url(std::string_view path) const;

    std::size_t connections_accepted() const;
    // The targets of the requests received, in arrival order: what got through, for messages.
    const std::vector<std::string>& targets_seen() const;

    struct State;

  private:
    std::shared_ptr<State> state_;
};

}  // namespace asyncscrape::test
