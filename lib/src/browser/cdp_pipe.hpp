// Our ends of the pipe pair a browser started with --remote-debugging-pipe talks CDP over.
#pragma once

#include <boost/asio/posix/stream_descriptor.hpp>

namespace asyncscrape::browser {

struct CdpPipe {
    boost::asio::posix::stream_descriptor to_browser;    // the browser reads commands on its fd 3
    boost::asio::posix::stream_descriptor from_browser;  // and writes replies and events to fd 4
};

}  // namespace asyncscrape::browser
