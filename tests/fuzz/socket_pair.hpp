// A connected pair of stream sockets without a network: the fuzz targets put the code under test
// on one end and the fuzzer's bytes on the other, so that the real reading code (Beast's parsers
// on an Asio socket, with its buffering and partial reads) runs, not a copy of it. A Unix socket
// pair, unlike a loopback TCP connection, costs no port and leaves nothing in TIME_WAIT, which
// matters at thousands of executions a second.
#pragma once

#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <system_error>

namespace asyncscrape::fuzz {

// Two connected file descriptors, each to be owned by an Asio socket.
inline std::array<int, 2> make_socket_pair() {
    std::array<int, 2> fds{};
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds.data()) != 0) {
        throw std::system_error(errno, std::generic_category(), "socketpair");
    }
    return fds;
}

}  // namespace asyncscrape::fuzz
