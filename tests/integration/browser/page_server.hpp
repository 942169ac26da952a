// A tiny loopback HTTP server for the browser tests' own pages (the target server has no
// scripted pages): every path serves a fixed body, HTML or, for a path ending in ".js",
// JavaScript; anything else a 404. One request per connection, on the test's io_context.
#pragma once

#include <boost/asio/io_context.hpp>

#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace asyncscrape::test {

class PageServer {
  public:
    // Listening on 127.0.0.1 at an ephemeral port when constructed; `pages` maps paths to HTML.
    PageServer(boost::asio::io_context& io, std::map<std::string, std::string> pages);
    ~PageServer();
    PageServer(const PageServer&) = delete;
    PageServer& operator=(const PageServer&) = delete;

    // "http://127.0.0.1:<port>" followed by `path`.
    std::string url(std::string_view path) const;

    struct State;

  private:
    std::shared_ptr<State> state_;
};

}  // namespace asyncscrape::test
