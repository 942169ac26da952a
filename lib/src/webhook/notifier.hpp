// Delivers the notice of a run's end to its callback_url: a signed POST (payload.hpp,
// signature.hpp), tried again on the retry schedule until a 2xx answer or the last try. One
// coroutine per delivery on the runtime's io_context; deliveries in flight (connections) are
// bounded, waiting deliveries cost a timer. Every change of a delivery's state is written to the
// store (Store::update_callback) before the wait that follows it, so that a restart goes on
// where delivery stopped (resume()).
#pragma once

#include "webhook/retry_schedule.hpp"

#include <asyncscrape/config.hpp>
#include <asyncscrape/model.hpp>
#include <asyncscrape/store.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace asyncscrape::webhook {

// How a delivery ended (sent or failed); a delivery cut short by stop() has no report.
struct DeliveryReport {
    std::string run_id;
    CallbackStatus status = CallbackStatus::pending;
    int attempts = 0;        // tries made in all, before a restart included
    std::string last_error;  // why the last try failed; empty when sent
};

struct NotifierOptions {
    RetrySchedule schedule{};
    // Tries in flight at once (each one connection); more wait their turn.
    std::size_t max_in_flight = 16;
    // One try, from the first DNS lookup to the end of the answer.
    std::chrono::milliseconds try_timeout{10000};
    // The most of an answer's body read; a 2xx answer with a longer body still delivers.
    std::size_t max_response_bytes = 16 * 1024;
    // Called when a delivery has ended sent or failed (after the store has it): for metrics and
    // tests.
    std::function<void(const DeliveryReport&)> on_settled;
};

// The tenant's own webhook secret, or "" for none (then RuntimeConfig::webhook_secret signs).
using SecretLookup = std::function<std::string(const TenantId&)>;

struct NotifierState;  // what the delivery coroutines share with the notifier

class WebhookNotifier {
  public:
    // Sends with the runtime's user agent and its SSRF guard (config.allow_private_targets);
    // never follows redirects. `store` must outlive the deliveries: await stop() first.
    WebhookNotifier(boost::asio::any_io_executor executor, Store& store,
                    const RuntimeConfig& config, NotifierOptions options = {});
    // Stops the deliveries (see stop()) without waiting for them to end.
    ~WebhookNotifier();
    WebhookNotifier(const WebhookNotifier&) = delete;
    WebhookNotifier& operator=(const WebhookNotifier&) = delete;

    // Looked up at every try, so a reloaded keys file applies to the next one.
    void set_secret_lookup(SecretLookup lookup);

    // Starts delivering the notice of a run that has just ended, whose callback_status pending
    // is already stored with it. Ignored without a callback_url, for a run being delivered
    // already, and once stop() has begun (the store has it pending for the next start).
    void notify(Run ended_run);

    // Goes on with deliveries found pending at start (Store::pending_callbacks): the tries made
    // count, and the next waits for its next_try.
    void resume(std::vector<PendingCallback> pending);

    // Ends every delivery now: waits end at once, tries in flight are cut short and not counted;
    // what was not delivered stays pending in the store. Resumes once every delivery coroutine
    // is gone; the store is not used after that.
    boost::asio::awaitable<void> stop();

    // Deliveries under way (trying, waiting for a slot or for their next try).
    std::size_t active() const;

  private:
    std::shared_ptr<NotifierState> state_;
};

}  // namespace asyncscrape::webhook
