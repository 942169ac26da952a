// Host name resolution with a small TTL cache. Asio resolves on one internal thread with the
// blocking getaddrinfo, so answers are reused for a while and concurrent lookups of one host
// share a single resolution. A caller waits at most until its deadline (or its cancellation):
// the resolution it leaves behind goes on and still fills the cache.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace asyncscrape::fetch {

struct DnsAnswer {
    // timed_out when the deadline came first, operation_aborted when the caller was cancelled.
    boost::system::error_code error;
    std::vector<boost::asio::ip::address> addresses;
};

class DnsCache {
  public:
    DnsCache(boost::asio::any_io_executor executor, std::chrono::milliseconds ttl);
    ~DnsCache();
    DnsCache(const DnsCache&) = delete;
    DnsCache& operator=(const DnsCache&) = delete;

    // "localhost" and names under it are loopback without asking anyone (RFC 6761 §6.3), so
    // that `localhost.` cannot escape the address guard through a DNS server.
    boost::asio::awaitable<DnsAnswer> resolve(std::string host,
                                              std::chrono::steady_clock::time_point deadline);

    // What the cache and its background resolutions share; defined in the .cpp.
    struct State;

  private:
    std::shared_ptr<State> state_;
};

}  // namespace asyncscrape::fetch
