// The connections a loopback test server has open: counted (with the most at once, which tests
// check) and listed, so that the server's stop() can close them.
#pragma once

#include <boost/asio/ip/tcp.hpp>

#include <algorithm>
#include <cstddef>
#include <list>

namespace asyncscrape::test {

struct OpenConnections {
    std::size_t open = 0;
    std::size_t peak_open = 0;
    std::list<boost::asio::ip::tcp::socket*> sockets;  // for stop(), to close them
};

// Counts a connection as open for its lifetime.
class OpenConnection {
  public:
    OpenConnection(OpenConnections& connections, boost::asio::ip::tcp::socket& socket)
        : connections_(connections), socket_(socket) {
        connections_.sockets.push_back(&socket_);
        connections_.peak_open = std::max(connections_.peak_open, ++connections_.open);
    }
    ~OpenConnection() {
        connections_.sockets.remove(&socket_);
        --connections_.open;
    }
    OpenConnection(const OpenConnection&) = delete;
    OpenConnection& operator=(const OpenConnection&) = delete;

  private:
    OpenConnections& connections_;
    boost::asio::ip::tcp::socket& socket_;
};

}  // namespace asyncscrape::test
