// The private-address guard of one page: with the Fetch domain every request of the tab (the
// navigation, its redirects and the subresources) pauses until the guard has judged its host, and
// one refused by the AddressGuard fails as BlockedByClient instead of leaving the browser. The
// targets a page starts that make requests of their own (out-of-process iframes, service workers,
// and their children in turn) are attached as they appear, paused before they run, and let run
// only once their requests pause likewise; one whose requests cannot be paused stays paused until
// the tab is closed. A dedicated worker has no Fetch domain of its own, but its requests pause in
// the frame that owns it. Each target's requests are answered one at a time, in the order they
// paused; the DnsCache makes a page's repeated hosts cheap.
//
// What no target's interception sees is off in the browser itself (chromium_process.cpp): shared
// workers, which belong to the browser rather than to a page, and the loads Chromium makes on its
// own (speculative prefetch and prerender, preconnects, DNS prefetch). A popup (a tab the page
// opens) is no child of the page either: the browser keeps it off the network (popup_blocker.hpp),
// and what the initial document of a popup that can reach its opener requests at the opener's
// bidding pauses here, in the opener's interception.
//
// Known gaps: Chromium resolves a name again itself when it connects, so a DNS answer that changes
// between our check and its connection (DNS rebinding) is not caught: the Fetch domain can change
// a request's URL but not the address it connects to, and a URL rewritten to the checked address
// breaks TLS and virtual hosts; closing it needs a resolver shared with Chromium. WebSockets are
// not paused by the Fetch domain.
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
    // `session_id` is the tab's flat session; `main_frame_id` the tab's target id, which Chromium
    // also gives its main frame.
    PageGuard(CdpClient& cdp, RequestGuard& guard, std::string session_id,
              std::string main_frame_id);
    // Ends a guard not stopped (its coroutines then touch nothing of the load).
    ~PageGuard();
    PageGuard(const PageGuard&) = delete;
    PageGuard& operator=(const PageGuard&) = delete;

    // Pauses every request of the tab and of the children it will start, and answers them until
    // stop() or `deadline`. Call before navigating.
    boost::asio::awaitable<CdpOutcome<boost::json::object>> start(SteadyTime deadline);

    // Stops answering and waits until the guard has let go of the load's resources. Requests
    // and children still paused stay so until the tab is closed.
    boost::asio::awaitable<void> stop();

    // Whether a request for the main frame's document was refused: the navigation or a redirect.
    bool main_document_blocked() const;

    struct State;

  private:
    std::shared_ptr<State> state_;
};

}  // namespace asyncscrape::browser
