// The private-address guard of one page: with the Fetch domain every request of the tab (the
// navigation, its redirects and the subresources) pauses until the guard has judged its host, and
// one refused by the AddressGuard fails as BlockedByClient instead of leaving the browser.
// Requests are answered one at a time, in the order they paused; the DnsCache makes a page's
// repeated hosts cheap.
//
// Known gap: Chromium resolves a name again itself when it connects, so a DNS answer that changes
// between our check and its connection (DNS rebinding) is not caught; closing that needs a
// resolver shared with Chromium. Requests of out-of-process iframes and workers, which have
// targets of their own, and WebSockets (which the Fetch domain does not pause) are not seen here.
#pragma once

#include "browser/cdp_client.hpp"
#include "fetch/dns_cache.hpp"
#include "fetch/ssrf_guard.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/json/object.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace asyncscrape::browser {

// What the guarded page loads of an engine share: the refusal rule and the resolver.
struct RequestGuard {
    RequestGuard(boost::asio::any_io_executor executor, std::chrono::milliseconds dns_ttl,
                 const std::vector<boost::asio::ip::address>& admitted)
        : addresses(false), dns(std::move(executor), dns_ttl) {
        for (const boost::asio::ip::address& address : admitted) {
            addresses.admit(address);
        }
    }

    fetch::AddressGuard addresses;
    fetch::DnsCache dns;
};

class PageGuard {
  public:
    // `main_frame_id` is the tab's target id, which Chromium also gives its main frame.
    PageGuard(CdpClient& cdp, RequestGuard& guard, std::string session_id,
              std::string main_frame_id);
    // Ends a guard not stopped (its coroutine then touches nothing of the load).
    ~PageGuard();
    PageGuard(const PageGuard&) = delete;
    PageGuard& operator=(const PageGuard&) = delete;

    // Pauses every request of the tab and starts answering them until stop() or `deadline`.
    // Call before navigating.
    boost::asio::awaitable<CdpOutcome<boost::json::object>> start(SteadyTime deadline);

    // Stops answering and waits until the guard has let go of the load's resources. Requests
    // still paused stay so until the tab is closed.
    boost::asio::awaitable<void> stop();

    // Whether a request for the main frame's document was refused: the navigation or a redirect.
    bool main_document_blocked() const;

    struct State;

  private:
    std::shared_ptr<State> state_;
};

}  // namespace asyncscrape::browser
