#include "browser/page_guard.hpp"

#include "browser/cdp_fields.hpp"
#include "browser/request_verdict.hpp"
#include "server/log_failure.hpp"
#include "util/log.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/array.hpp>

#include <cstddef>
#include <exception>
#include <list>
#include <optional>
#include <string_view>
#include <utility>
#include <variant>

namespace asyncscrape::browser {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

// One coroutine of the guard (a target's answering, a child's setting up, a child told to run),
// which stop() ends.
struct GuardTask {
    asio::cancellation_signal stop;
    bool running = true;
};

// What the guard listens to on each target's session: the requests it pauses and the children
// it attaches.
const std::vector<std::string> guarded_events{"Fetch.requestPaused", "Target.attachedToTarget"};

// A dedicated worker has no Fetch domain of its own: its requests pause in the frame that owns it.
bool requests_pause_in_owner(std::string_view target_type) {
    return target_type == "worker";
}

}  // namespace

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
    std::optional<asio::any_io_executor> executor;
    std::list<GuardTask> tasks;  // a list: a cancellation signal cannot move
    std::size_t running = 0;
    bool stopping = false;
    std::optional<asio::steady_timer> finished;  // cancelled when the last coroutine has ended
    bool main_document_blocked = false;
};

namespace {

using GuardState = std::shared_ptr<PageGuard::State>;

std::string_view request_url(const json::object& paused) {
    if (const auto* request = paused.if_contains("request"); request && request->is_object()) {
        return string_field(request->get_object(), "url");
    }
    return {};
}

std::string_view target_type(const json::object& attached) {
    if (const auto* info = attached.if_contains("targetInfo"); info && info->is_object()) {
        return string_field(info->get_object(), "type");
    }
    return {};
}

// Judges one paused request of the target `session_id` and answers it: none, or why the
// target's guarding must end.
asio::awaitable<CdpError> answer(GuardState state, const std::string& session_id,
                                 const json::object& paused) {
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
    const CdpOutcome<json::object> answered =
        co_await state->cdp.call(std::move(method), std::move(reply), session_id, state->deadline);
    // A request the page dropped meanwhile has no interception left to answer: not the guard's end.
    co_return answered.error == CdpError::command_failed ? CdpError::none : answered.error;
}

// Pauses every request of the target `session_id`, and attaches its children, paused, as they
// appear. `type` is the target's ("page" for the tab).
asio::awaitable<CdpOutcome<json::object>> intercept(GuardState state, std::string session_id,
                                                    std::string type) {
    json::object every_request = every_request_paused();
    const CdpOutcome<json::object> enabled = co_await state->cdp.call(
        "Fetch.enable", std::move(every_request), session_id, state->deadline);
    const bool paused_elsewhere =
        enabled.error == CdpError::command_failed && requests_pause_in_owner(type);
    if (!enabled.ok() && !paused_elsewhere) {
        co_return enabled;
    }
    json::object children = children_attached_paused();
    co_return co_await state->cdp.call("Target.setAutoAttach", std::move(children),
                                       std::move(session_id), state->deadline);
}

struct TaskFinished {
    GuardState state;
    GuardTask* task;

    void operator()(const std::exception_ptr& failure) const {
        server::LogFailure{"the private-address guard of a page"}(failure);
        task->running = false;
        if (--state->running == 0) {
            state->finished->cancel();
        }
    }
};

// Starts `work` as a coroutine of the guard, which stop() ends and waits for.
void spawn_task(const GuardState& state, asio::awaitable<void> work) {
    // Once stopping, a child attached or set up meanwhile stays paused: nobody would answer its
    // requests.
    if (state->stopping) {
        return;
    }
    GuardTask& task = state->tasks.emplace_back();
    ++state->running;
    asio::co_spawn(*state->executor, std::move(work),
                   asio::bind_cancellation_slot(task.stop.slot(), TaskFinished{state, &task}));
}

void stop_tasks(PageGuard::State& state) {
    state.stopping = true;
    for (GuardTask& task : state.tasks) {
        if (task.running) {
            task.stop.emit(asio::cancellation_type::terminal);
        }
    }
}

// Lets the paused target of session `session_id` run.
asio::awaitable<void> let_run(GuardState state, std::string session_id) {
    co_await asio::this_coro::throw_if_cancelled(false);
    json::object no_params;
    const CdpOutcome<json::object> resumed =
        co_await state->cdp.call("Runtime.runIfWaitingForDebugger", std::move(no_params),
                                 std::move(session_id), state->deadline);
    if (!resumed.ok()) {
        log(LogLevel::debug, "a child of a guarded page was not resumed: ", resumed.message);
    }
}

asio::awaitable<void> guard_child(GuardState state, CdpSubscription events, std::string session_id,
                                  std::string type);

// Answers the requests of the target `session_id` in the order they paused, and guards each
// child it starts, until stopped or the target is gone.
asio::awaitable<void> answer_requests(GuardState state, CdpSubscription events,
                                      std::string session_id) {
    co_await asio::this_coro::throw_if_cancelled(false);
    while (true) {
        const CdpOutcome<CdpEvent> event = co_await events.next(state->deadline);
        if (!event.ok()) {
            co_return;  // stopped, out of time, or the target or the browser is gone
        }
        const json::object& params = event.value.params;
        if (event.value.method == "Target.attachedToTarget") {
            std::string child(string_field(params, "sessionId"));
            // Subscribed before the child is told anything: none of its events is missed.
            CdpSubscription child_events = state->cdp.subscribe(child, guarded_events);
            spawn_task(state, guard_child(state, std::move(child_events), std::move(child),
                                          std::string(target_type(params))));
        } else if (co_await answer(state, session_id, params) != CdpError::none) {
            co_return;
        }
    }
}

// Guards the child target of session `session_id`, attached paused, and lets it run; one that
// cannot be guarded stays paused until the tab is closed. `events` are its session's.
asio::awaitable<void> guard_child(GuardState state, CdpSubscription events, std::string session_id,
                                  std::string type) {
    // Being stopped is the guard's normal end, not an exception.
    co_await asio::this_coro::throw_if_cancelled(false);
    const CdpOutcome<json::object> intercepted = co_await intercept(state, session_id, type);
    if (!intercepted.ok()) {
        log(LogLevel::debug, "a ", type, " of a guarded page stays paused: ", intercepted.message);
        co_return;
    }
    // Told from a coroutine of its own: a service worker answers only once its script has
    // loaded, and that request is one of those answered here meanwhile.
    spawn_task(state, let_run(state, session_id));
    co_await answer_requests(state, std::move(events), std::move(session_id));
}

}  // namespace

PageGuard::PageGuard(CdpClient& cdp, RequestGuard& guard, std::string session_id,
                     std::string main_frame_id)
    : state_(std::make_shared<State>(cdp, guard, std::move(session_id), std::move(main_frame_id))) {
}

PageGuard::~PageGuard() {
    stop_tasks(*state_);
}

asio::awaitable<CdpOutcome<json::object>> PageGuard::start(SteadyTime deadline) {
    state_->deadline = deadline;
    // Subscribed before Fetch.enable: no paused request is missed.
    CdpSubscription events = state_->cdp.subscribe(state_->session_id, guarded_events);
    CdpOutcome<json::object> intercepted = co_await intercept(state_, state_->session_id, "page");
    if (intercepted.ok()) {
        state_->executor = co_await asio::this_coro::executor;
        state_->finished.emplace(*state_->executor, SteadyTime::max());
        spawn_task(state_, answer_requests(state_, std::move(events), state_->session_id));
    }
    co_return intercepted;
}

asio::awaitable<void> PageGuard::stop() {
    stop_tasks(*state_);
    while (state_->running > 0) {
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
