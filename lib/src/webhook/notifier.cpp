#include "webhook/notifier.hpp"

#include "fetch/http_client.hpp"
#include "util/log.hpp"
#include "webhook/delivery_slots.hpp"
#include "webhook/payload.hpp"
#include "webhook/signature.hpp"
#include "webhook/try_verdict.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <exception>
#include <list>
#include <random>
#include <unordered_map>

namespace asyncscrape::webhook {

namespace asio = boost::asio;
using std::chrono::steady_clock;

namespace {

// The outbound client as jobs use it, with what a webhook needs besides: no redirects (a 3xx
// is a failed try), a small answer, no idle connections kept (deliveries are rare, and a POST on
// a pooled connection the receiver has closed meanwhile would fail the try), and room for every
// try in flight to one receiver without queueing in the pool.
RuntimeConfig client_config(RuntimeConfig config, const NotifierOptions& options) {
    config.max_redirects = 0;
    config.max_response_bytes = options.max_response_bytes;
    config.idle_connections_per_host = 0;
    config.per_host = std::max<std::size_t>(options.max_in_flight, 1);
    return config;
}

std::int64_t unix_seconds(TimePoint time) {
    return std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch()).count();
}

}  // namespace

// One delivery under way. Lives in NotifierState::deliveries until its coroutine has completed,
// so that the cancellation signal its slot belongs to outlives the coroutine.
struct Delivery {
    Run run;
    int attempts = 0;
    std::optional<TimePoint> next_try;
    asio::cancellation_signal stop_signal;
};

struct NotifierState {
    NotifierState(asio::any_io_executor executor_, Store& store_, const RuntimeConfig& config_,
                  NotifierOptions options_)
        : executor(executor_),
          store(store_),
          fallback_secret(config_.webhook_secret),
          options(std::move(options_)),
          client(executor_, client_config(config_, options)),
          slots(executor_, options.max_in_flight),
          random(std::random_device{}()),
          all_ended(executor_, asio::steady_timer::time_point::max()) {}

    asio::any_io_executor executor;
    Store& store;
    std::string fallback_secret;
    NotifierOptions options;
    SecretLookup secret_lookup;
    fetch::HttpClient client;
    DeliverySlots slots;
    std::mt19937_64 random;
    std::list<Delivery> deliveries;
    std::unordered_map<std::string, std::list<Delivery>::iterator> by_run_id;
    bool stopping = false;
    asio::steady_timer all_ended;  // cancelled when the last delivery has ended

    std::string secret_for(const TenantId& tenant) const {
        std::string secret = secret_lookup ? secret_lookup(tenant) : std::string();
        return secret.empty() ? fallback_secret : secret;
    }

    double draw() { return std::uniform_real_distribution<double>(0.0, 1.0)(random); }
};

namespace {

// Ends a delivery's life: forgets it, and wakes stop() after the last one.
struct DeliveryEnded {
    std::shared_ptr<NotifierState> state;
    std::list<Delivery>::iterator delivery;

    void operator()(std::exception_ptr error) const {
        if (error) {
            log(LogLevel::error, "webhook delivery for run ", delivery->run.run_id,
                " ended with an exception: ", describe(error));
        }
        state->by_run_id.erase(delivery->run.run_id);
        state->deliveries.erase(delivery);
        if (state->deliveries.empty()) {
            state->all_ended.cancel();
        }
    }
};

// Records where a delivery stands. A store that cannot write is logged, and delivery goes on:
// the notice is worth more than its bookkeeping (a restart then repeats a try at worst).
asio::awaitable<void> record(NotifierState& state, const std::string& run_id, CallbackStatus status,
                             int attempts, std::optional<TimePoint> next_try) {
    try {
        co_await state.store.update_callback(run_id, status, attempts, next_try);
    } catch (const std::exception& e) {
        log(LogLevel::warn, "webhook for run ", run_id, ": could not record ", to_string(status),
            " after ", attempts, " tries: ", e.what());
    }
}

// One POST of the notice. A new body every try: its timestamp is the signature's, which
// receivers check for freshness.
asio::awaitable<fetch::FetchResult> try_once(NotifierState& state, const Run& run) {
    const std::int64_t now = unix_seconds(Clock::now());
    fetch::FetchRequest request;
    request.method = "POST";
    request.url = *run.callback_url;
    request.body = webhook_payload(run, now);
    request.headers.emplace_back("Content-Type", "application/json");
    const std::string secret = state.secret_for(run.tenant);
    if (!secret.empty()) {
        request.headers.emplace_back(std::string(signature_header),
                                     webhook_signature(secret, now, *request.body));
    }
    request.deadline = steady_clock::now() + state.options.try_timeout;
    co_return co_await state.client.fetch(std::move(request));
}

// Waits until `when`, or less when stop() cuts the wait short.
asio::awaitable<void> wait_until(NotifierState& state, TimePoint when) {
    const auto remaining = when - Clock::now();
    if (remaining <= Clock::duration::zero()) {
        co_return;
    }
    asio::steady_timer timer(state.executor,
                             std::chrono::duration_cast<steady_clock::duration>(remaining));
    // Expired or cancelled alike: the caller looks at `stopping`.
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
}

void report(NotifierState& state, const Run& run, CallbackStatus status, int attempts,
            std::string last_error) {
    if (state.options.on_settled) {
        state.options.on_settled(
            DeliveryReport{run.run_id, status, attempts, std::move(last_error)});
    }
}

asio::awaitable<void> deliver(std::shared_ptr<NotifierState> state, Delivery& delivery) {
    // Stopping cancels this coroutine; a try that ended meanwhile must still be recorded, so the
    // store's calls after the cancellation must run, not throw.
    co_await asio::this_coro::throw_if_cancelled(false);
    const Run& run = delivery.run;
    const int max_tries = state->options.schedule.max_tries();
    int attempts = delivery.attempts;
    std::optional<TimePoint> next_try = delivery.next_try;
    std::string last_error = "no try left after the restart";

    while (attempts < max_tries) {
        // Checked before and after the wait: a wait begun after stop() emitted its cancellation
        // would not be cut short by it.
        if (state->stopping) {
            co_return;  // pending in the store, with the tries made and the next one
        }
        if (next_try) {
            co_await wait_until(*state, *next_try);
            if (state->stopping) {
                co_return;
            }
        }
        if (!co_await state->slots.acquire()) {
            co_return;  // stopping
        }
        if (state->stopping) {
            // Granted a slot as stop() began: a try started now would not see the cancellation.
            state->slots.release();
            co_return;
        }
        fetch::FetchResult result;
        try {
            result = co_await try_once(*state, run);
        } catch (const std::exception& e) {
            result.error = fetch::FetchError::protocol;
            result.error_message = std::string("internal error: ") + e.what();
        }
        state->slots.release();
        if (result.error == fetch::FetchError::cancelled) {
            co_return;  // cut short by stop(): no try, the next start makes it again
        }

        ++attempts;
        TryOutcome outcome = judge_try(result);
        if (outcome.verdict == TryVerdict::delivered) {
            co_await record(*state, run.run_id, CallbackStatus::sent, attempts, std::nullopt);
            log(LogLevel::info, "webhook for run ", run.run_id, " delivered (try ", attempts,
                ", HTTP status ", result.status, ")");
            report(*state, run, CallbackStatus::sent, attempts, {});
            co_return;
        }
        last_error = std::move(outcome.reason);
        if (outcome.verdict == TryVerdict::give_up || attempts >= max_tries) {
            co_await record(*state, run.run_id, CallbackStatus::failed, attempts, std::nullopt);
            log(LogLevel::warn, "webhook for run ", run.run_id, ": try ", attempts, " of ",
                max_tries, " failed: ", last_error, "; giving up");
            report(*state, run, CallbackStatus::failed, attempts, std::move(last_error));
            co_return;
        }
        const auto pause = state->options.schedule.delay_before(attempts + 1, state->draw());
        next_try = Clock::now() + std::chrono::duration_cast<Clock::duration>(pause);
        // Written before the wait, so that a restart during it goes on with the next try.
        co_await record(*state, run.run_id, CallbackStatus::pending, attempts, next_try);
        log(LogLevel::warn, "webhook for run ", run.run_id, ": try ", attempts, " of ", max_tries,
            " failed: ", last_error, "; next try in ",
            std::chrono::duration_cast<std::chrono::milliseconds>(pause).count(), " ms");
    }
    // Found pending with every try made (the process ended before it recorded the last one).
    co_await record(*state, run.run_id, CallbackStatus::failed, attempts, std::nullopt);
    log(LogLevel::warn, "webhook for run ", run.run_id, ": ", last_error, "; failed");
    report(*state, run, CallbackStatus::failed, attempts, std::move(last_error));
}

void launch(const std::shared_ptr<NotifierState>& state, Run run, int attempts,
            std::optional<TimePoint> next_try) {
    if (state->stopping || !run.callback_url || state->by_run_id.contains(run.run_id)) {
        return;
    }
    state->deliveries.emplace_back();
    const auto delivery = std::prev(state->deliveries.end());
    delivery->run = std::move(run);
    delivery->attempts = attempts;
    delivery->next_try = next_try;
    state->by_run_id.emplace(delivery->run.run_id, delivery);
    asio::co_spawn(
        state->executor, deliver(state, *delivery),
        asio::bind_cancellation_slot(delivery->stop_signal.slot(), DeliveryEnded{state, delivery}));
}

void begin_stop(NotifierState& state) {
    if (state.stopping) {
        return;
    }
    state.stopping = true;
    state.slots.close();
    for (Delivery& delivery : state.deliveries) {
        delivery.stop_signal.emit(asio::cancellation_type::terminal);
    }
}

}  // namespace

WebhookNotifier::WebhookNotifier(asio::any_io_executor executor, Store& store,
                                 const RuntimeConfig& config, NotifierOptions options)
    : state_(std::make_shared<NotifierState>(std::move(executor), store, config,
                                             std::move(options))) {}

WebhookNotifier::~WebhookNotifier() {
    begin_stop(*state_);
}

void WebhookNotifier::set_secret_lookup(SecretLookup lookup) {
    state_->secret_lookup = std::move(lookup);
}

void WebhookNotifier::notify(Run ended_run) {
    launch(state_, std::move(ended_run), 0, std::nullopt);
}

void WebhookNotifier::resume(std::vector<PendingCallback> pending) {
    for (PendingCallback& callback : pending) {
        launch(state_, std::move(callback.run), callback.attempts, callback.next_try);
    }
}

asio::awaitable<void> WebhookNotifier::stop() {
    begin_stop(*state_);
    // Keeps the state alive until the last coroutine is gone, also if the notifier is not.
    const std::shared_ptr<NotifierState> state = state_;
    while (!state->deliveries.empty()) {
        co_await state->all_ended.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    state->client.shutdown();
}

std::size_t WebhookNotifier::active() const {
    return state_->deliveries.size();
}

}  // namespace asyncscrape::webhook
