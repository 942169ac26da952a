#include "browser/page_guard.hpp"

#include "browser/request_verdict.hpp"
#include "server/log_failure.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/array.hpp>

#include <optional>
#include <string_view>
#include <utility>
#include <variant>

namespace asyncscrape::browser {

namespace asio = boost::asio;
namespace json = boost::json;

struct PageGuard::State {
    State(CdpClient& cdp, RequestGuard& guard, std::string session_id, std::string main_frame_id)
        : cdp(cdp),
          guard(guard),
          session_id(std::move(session_id)),
          main_frame_id(std::move(main_frame_id)) {}

    CdpClient& cdp;
    RequestGuard& guard;
    std::string session_id;
    std::string main_frame_id;
    SteadyTime deadline;
    std::optional<CdpSubscription> paused;
    asio::cancellation_signal stop;
    bool running = false;
    std::optional<asio::steady_timer> finished;  // cancelled when the coroutine has ended
    bool main_document_blocked = false;
};

namespace {

using GuardState = std::shared_ptr<PageGuard::State>;

std::string_view string_field(const json::object& object, std::string_view key) {
    if (const auto* field = object.if_contains(key); field && field->is_string()) {
        return field->get_string();
    }
    return {};
}

std::string_view request_url(const json::object& paused) {
    if (const auto* request = paused.if_contains("request"); request && request->is_object()) {
        return string_field(request->get_object(), "url");
    }
    return {};
}

// Judges one paused request and answers it: none, or why the guard must end.
asio::awaitable<CdpError> answer(GuardState state, const json::object& paused) {
    std::variant<RequestVerdict, std::string> verdict =
        verdict_for_url(state->guard.addresses, request_url(paused));
    if (auto* host = std::get_if<std::string>(&verdict)) {
        const fetch::DnsAnswer resolved =
            co_await state->guard.dns.resolve(std::move(*host), state->deadline);
        if (resolved.error == asio::error::operation_aborted) {
            co_return CdpError::cancelled;
        }
        // A name that does not resolve here fails to resolve in the browser too.
        verdict = resolved.error
                      ? RequestVerdict::proceed
                      : verdict_for_addresses(state->guard.addresses, resolved.addresses);
    }
    json::object reply;
    reply["requestId"] = string_field(paused, "requestId");
    std::string method = "Fetch.continueRequest";
    if (std::get<RequestVerdict>(verdict) == RequestVerdict::block) {
        if (string_field(paused, "resourceType") == "Document" &&
            string_field(paused, "frameId") == state->main_frame_id) {
            state->main_document_blocked = true;
        }
        reply["errorReason"] = "BlockedByClient";
        method = "Fetch.failRequest";
    }
    const CdpOutcome<json::object> answered = co_await state->cdp.call(
        std::move(method), std::move(reply), state->session_id, state->deadline);
    // A request the page dropped meanwhile has no interception left to answer: not the guard's end.
    co_return answered.error == CdpError::command_failed ? CdpError::none : answered.error;
}

asio::awaitable<void> answer_paused_requests(GuardState state) {
    // Being stopped is the guard's normal end, not an exception.
    co_await asio::this_coro::throw_if_cancelled(false);
    while (true) {
        const CdpOutcome<CdpEvent> paused = co_await state->paused->next(state->deadline);
        if (!paused.ok()) {
            co_return;  // stopped, out of time, or the tab or the browser is gone
        }
        if (co_await answer(state, paused.value.params) != CdpError::none) {
            co_return;
        }
    }
}

struct GuardFinished {
    GuardState state;

    void operator()(const std::exception_ptr& failure) const {
        server::LogFailure{"the private-address guard of a page"}(failure);
        state->running = false;
        state->finished->cancel();
    }
};

}  // namespace

PageGuard::PageGuard(CdpClient& cdp, RequestGuard& guard, std::string session_id,
                     std::string main_frame_id)
    : state_(std::make_shared<State>(cdp, guard, std::move(session_id), std::move(main_frame_id))) {
}

PageGuard::~PageGuard() {
    if (state_->running) {
        state_->stop.emit(asio::cancellation_type::terminal);
    }
}

asio::awaitable<CdpOutcome<json::object>> PageGuard::start(SteadyTime deadline) {
    state_->deadline = deadline;
    // Subscribed before Fetch.enable: no paused request is missed.
    state_->paused.emplace(state_->cdp.subscribe(state_->session_id, {"Fetch.requestPaused"}));
    json::object every_request;
    every_request["urlPattern"] = "*";
    every_request["requestStage"] = "Request";
    json::object params;
    params["patterns"] = json::array{every_request};
    CdpOutcome<json::object> enabled =
        co_await state_->cdp.call("Fetch.enable", std::move(params), state_->session_id, deadline);
    if (enabled.ok()) {
        const asio::any_io_executor executor = co_await asio::this_coro::executor;
        state_->finished.emplace(executor, SteadyTime::max());
        state_->running = true;
        asio::co_spawn(executor, answer_paused_requests(state_),
                       asio::bind_cancellation_slot(state_->stop.slot(), GuardFinished{state_}));
    }
    co_return enabled;
}

asio::awaitable<void> PageGuard::stop() {
    if (!state_->running) {
        co_return;
    }
    state_->stop.emit(asio::cancellation_type::terminal);
    while (state_->running) {
        // Not bound to the load's cancellation: the guard ends promptly once stopped, and the
        // load's resources must outlive it.
        co_await state_->finished->async_wait(asio::bind_cancellation_slot(
            asio::cancellation_slot(), asio::as_tuple(asio::use_awaitable)));
    }
}

bool PageGuard::main_document_blocked() const {
    return state_->main_document_blocked;
}

}  // namespace asyncscrape::browser
