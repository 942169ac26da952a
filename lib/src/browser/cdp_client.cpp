#include "browser/cdp_client.hpp"

#include "browser/cdp_framer.hpp"
#include "server/log_failure.hpp"
#include "util/log.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <deque>
#include <map>
#include <optional>
#include <utility>

namespace asyncscrape::browser {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

// Bytes asked of the pipe per read: large, because screenshots arrive as megabytes of base64.
constexpr std::size_t read_chunk_bytes = 256 * 1024;

// A caller waiting for its reply: the timer runs until the caller's deadline and is cancelled
// early when the reply (or the end of the connection) fills `outcome`.
struct PendingCall {
    asio::steady_timer timer;
    std::optional<CdpOutcome<json::object>> outcome;
};

template <class T>
CdpOutcome<T> failure(CdpError error, std::string message) {
    CdpOutcome<T> outcome;
    outcome.error = error;
    outcome.message = std::move(message);
    return outcome;
}

}  // namespace

struct CdpClient::State : std::enable_shared_from_this<State> {
    State(CdpPipe pipe, CdpClientOptions options)
        : executor(pipe.from_browser.get_executor()),
          pipe(std::move(pipe)),
          framer(options.max_message_bytes),
          on_disconnect(std::move(options.on_disconnect)) {}

    asio::any_io_executor executor;
    CdpPipe pipe;
    CdpFramer framer;
    CdpDispatcher dispatcher;
    std::function<void()> on_disconnect;
    std::map<CommandId, PendingCall*> calls;
    std::map<SubscriptionId, asio::steady_timer*> event_waiters;
    std::deque<std::string> outgoing;  // framed messages; the front one is being written
    bool writing = false;
    std::string disconnect_reason;  // set once the connection has ended

    bool connected() const { return disconnect_reason.empty(); }

    void send(std::string text) {
        outgoing.push_back(CdpFramer::frame(text));
        if (!writing) {
            writing = true;
            asio::co_spawn(executor, write_messages(shared_from_this()),
                           server::LogFailure{"cdp writer"});
        }
    }

    void deliver(std::string_view message) {
        IncomingMessage incoming = dispatcher.receive(message);
        if (auto* reply = std::get_if<ReplyReceived>(&incoming)) {
            if (const auto call = calls.find(reply->id); call != calls.end()) {
                call->second->outcome = std::move(reply->outcome);
                call->second->timer.cancel();
            }
        } else if (auto* event = std::get_if<EventReceived>(&incoming)) {
            for (const SubscriptionId id : event->subscriptions) {
                wake_subscription(id);
            }
        } else {
            log(LogLevel::debug,
                "cdp message ignored: ", std::get<MessageIgnored>(incoming).reason);
        }
    }

    void wake_subscription(SubscriptionId id) {
        if (const auto waiter = event_waiters.find(id); waiter != event_waiters.end()) {
            waiter->second->cancel();
        }
    }

    // Ends the connection once: closes the pipe, fails every waiting call and wakes every
    // subscription. `by_browser` tells the owner that the browser went away by itself.
    void disconnect(std::string reason, bool by_browser) {
        if (!connected()) {
            return;
        }
        disconnect_reason = std::move(reason);
        log(by_browser ? LogLevel::warn : LogLevel::debug,
            "cdp connection ended: ", disconnect_reason);
        boost::system::error_code ignored;
        pipe.to_browser.close(ignored);
        pipe.from_browser.close(ignored);
        for (const CommandId id : dispatcher.close()) {
            if (const auto call = calls.find(id); call != calls.end()) {
                call->second->outcome =
                    failure<json::object>(CdpError::browser_gone, disconnect_reason);
                call->second->timer.cancel();
            }
        }
        for (const auto& [id, waiter] : event_waiters) {
            waiter->cancel();
        }
        if (by_browser && on_disconnect) {
            on_disconnect();
        }
    }

    static asio::awaitable<void> write_messages(std::shared_ptr<State> state);
    static asio::awaitable<void> read_messages(std::shared_ptr<State> state);
};

namespace {

// Keeps a waiting call reachable by its reply for as long as its frame lives; afterwards a reply
// to it is ignored.
class CallRegistration {
  public:
    CallRegistration(std::shared_ptr<CdpClient::State> state, CommandId id, PendingCall& call)
        : state_(std::move(state)), id_(id) {
        state_->calls.emplace(id_, &call);
    }
    ~CallRegistration() {
        state_->calls.erase(id_);
        state_->dispatcher.abandon(id_);
    }
    CallRegistration(const CallRegistration&) = delete;
    CallRegistration& operator=(const CallRegistration&) = delete;

  private:
    std::shared_ptr<CdpClient::State> state_;
    CommandId id_;
};

// The same for the one coroutine waiting on a subscription.
class EventWaiterRegistration {
  public:
    EventWaiterRegistration(std::shared_ptr<CdpClient::State> state, SubscriptionId id,
                            asio::steady_timer& timer)
        : state_(std::move(state)), id_(id) {
        state_->event_waiters[id_] = &timer;
    }
    ~EventWaiterRegistration() { state_->event_waiters.erase(id_); }
    EventWaiterRegistration(const EventWaiterRegistration&) = delete;
    EventWaiterRegistration& operator=(const EventWaiterRegistration&) = delete;

  private:
    std::shared_ptr<CdpClient::State> state_;
    SubscriptionId id_;
};

}  // namespace

asio::awaitable<void> CdpClient::State::write_messages(std::shared_ptr<State> state) {
    while (!state->outgoing.empty()) {
        // The front stays in place while it is written (deque::push_back keeps references valid).
        const std::string& message = state->outgoing.front();
        const auto [error, written] = co_await asio::async_write(
            state->pipe.to_browser, asio::buffer(message), asio::as_tuple(asio::use_awaitable));
        if (error) {
            state->disconnect("browser unavailable: chromium exited (" + error.message() + ")",
                              error != asio::error::operation_aborted);
            state->outgoing.clear();
            break;
        }
        state->outgoing.pop_front();
    }
    state->writing = false;
}

asio::awaitable<void> CdpClient::State::read_messages(std::shared_ptr<State> state) {
    std::string chunk(read_chunk_bytes, '\0');
    while (state->connected()) {
        const auto [error, read] = co_await state->pipe.from_browser.async_read_some(
            asio::buffer(chunk), asio::as_tuple(asio::use_awaitable));
        if (error) {
            const bool by_browser = error != asio::error::operation_aborted;
            state->disconnect("browser unavailable: chromium exited", by_browser);
            break;
        }
        if (!state->framer.feed(std::string_view(chunk.data(), read))) {
            state->disconnect("browser unavailable: a CDP message exceeded the size limit", true);
            break;
        }
        while (std::optional<std::string> message = state->framer.next_message()) {
            state->deliver(*message);
        }
    }
}

CdpClient::CdpClient(CdpPipe pipe, CdpClientOptions options)
    : state_(std::make_shared<State>(std::move(pipe), std::move(options))) {
    asio::co_spawn(state_->executor, State::read_messages(state_),
                   server::LogFailure{"cdp reader"});
}

CdpClient::~CdpClient() {
    state_->on_disconnect = nullptr;  // its owner may be going away too
    close();
}

asio::awaitable<CdpOutcome<json::object>> CdpClient::call(std::string method, json::object params,
                                                          std::string session_id,
                                                          SteadyTime deadline) {
    const std::shared_ptr<State> state = state_;
    if (!state->connected()) {
        co_return failure<json::object>(CdpError::browser_gone, state->disconnect_reason);
    }
    // Checked here because awaiting an operation after a cancellation would throw.
    const auto cancellation = co_await asio::this_coro::cancellation_state;
    if (cancellation.cancelled() != asio::cancellation_type::none) {
        co_return failure<json::object>(CdpError::cancelled, "cdp " + method + ": cancelled");
    }
    CdpDispatcher::Command command = state->dispatcher.start_command(method, params, session_id);
    PendingCall pending{asio::steady_timer(state->executor, deadline), std::nullopt};
    const CallRegistration registration(state, command.id, pending);
    state->send(std::move(command.text));

    const auto [wait_error] =
        co_await pending.timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (pending.outcome) {
        co_return std::move(*pending.outcome);
    }
    // No reply: the caller's deadline or cancellation ended the wait; a late reply is ignored.
    if (wait_error == asio::error::operation_aborted) {
        co_return failure<json::object>(CdpError::cancelled, "cdp " + method + ": cancelled");
    }
    co_return failure<json::object>(CdpError::timeout,
                                    "cdp " + method + ": no reply before the deadline");
}

CdpSubscription CdpClient::subscribe(std::string session_id, std::vector<std::string> methods) {
    return CdpSubscription(state_,
                           state_->dispatcher.subscribe(std::move(session_id), std::move(methods)));
}

bool CdpClient::connected() const {
    return state_->connected();
}

const std::string& CdpClient::disconnect_reason() const {
    return state_->disconnect_reason;
}

void CdpClient::close() {
    state_->disconnect("browser unavailable: connection closed", false);
}

CdpSubscription::CdpSubscription(std::shared_ptr<CdpClient::State> state, SubscriptionId id)
    : state_(std::move(state)), id_(id) {}

CdpSubscription::CdpSubscription(CdpSubscription&& other) noexcept
    : state_(std::move(other.state_)), id_(other.id_) {}

CdpSubscription& CdpSubscription::operator=(CdpSubscription&& other) noexcept {
    if (this != &other) {
        release();
        state_ = std::move(other.state_);
        id_ = other.id_;
    }
    return *this;
}

CdpSubscription::~CdpSubscription() {
    release();
}

void CdpSubscription::release() {
    if (state_) {
        state_->dispatcher.unsubscribe(id_);
        state_.reset();
    }
}

asio::awaitable<CdpOutcome<CdpEvent>> CdpSubscription::next(SteadyTime deadline) {
    const std::shared_ptr<CdpClient::State> state = state_;
    const SubscriptionId id = id_;
    asio::steady_timer timer(state->executor, deadline);
    bool deadline_passed = false;
    while (true) {
        // Buffered events first: an event that came with the deadline is still delivered.
        if (std::optional<CdpEvent> event = state->dispatcher.take_event(id)) {
            CdpOutcome<CdpEvent> outcome;
            outcome.value = std::move(*event);
            co_return outcome;
        }
        if (state->dispatcher.session_detached(id)) {
            co_return failure<CdpEvent>(CdpError::session_detached, "cdp session detached");
        }
        if (!state->connected()) {
            co_return failure<CdpEvent>(CdpError::browser_gone, state->disconnect_reason);
        }
        if (deadline_passed) {
            co_return failure<CdpEvent>(CdpError::timeout, "cdp: no event before the deadline");
        }
        const auto cancellation = co_await asio::this_coro::cancellation_state;
        if (cancellation.cancelled() != asio::cancellation_type::none) {
            co_return failure<CdpEvent>(CdpError::cancelled, "cdp: wait for an event cancelled");
        }
        // Events and the end of the connection cancel the timer; so does the caller's
        // cancellation, through the awaiting coroutine's slot.
        const EventWaiterRegistration registration(state, id, timer);
        const auto [wait_error] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
        deadline_passed = !wait_error;
    }
}

}  // namespace asyncscrape::browser
