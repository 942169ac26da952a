// The machinery behind HttpClient, with the address guard as a parameter: the client builds the
// guard from RuntimeConfig, and tests can admit one loopback address to exercise the guard
// against a local target.
#pragma once

#include "fetch/connection_pool.hpp"
#include "fetch/dns_cache.hpp"
#include "fetch/exchange.hpp"
#include "fetch/http_client.hpp"
#include "fetch/ssrf_guard.hpp"
#include "fetch/target_url.hpp"
#include "fetch/tls_context.hpp"

#include <asyncscrape/config.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <memory>

namespace asyncscrape::fetch {

class Fetcher {
  public:
    Fetcher(boost::asio::any_io_executor executor, const RuntimeConfig& config, AddressGuard guard);

    // See HttpClient::fetch. Timings add up the phases of every hop; total_ms is the attempt.
    boost::asio::awaitable<FetchResult> fetch(FetchRequest request);

    // See HttpClient::shutdown.
    void shutdown();

  private:
    boost::asio::awaitable<void> follow_redirects(FetchRequest request, FetchResult& result);
    boost::asio::awaitable<Exchange> fetch_hop(const FetchRequest& request, const TargetUrl& target,
                                               Timings& timings);
    // Null when it failed; `failure` then says why.
    boost::asio::awaitable<std::unique_ptr<Connection>> open_connection(const TargetUrl& target,
                                                                        SteadyTime deadline,
                                                                        Timings& timings,
                                                                        FetchFailure& failure);

    boost::asio::any_io_executor executor_;
    RuntimeConfig config_;
    AddressGuard guard_;
    TlsClientContext tls_context_;
    DnsCache dns_;
    ConnectionPool pool_;
};

}  // namespace asyncscrape::fetch
