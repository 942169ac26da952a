#include "browser/popup_blocker.hpp"

#include "browser/cdp_fields.hpp"

#include "server/log_failure.hpp"
#include "util/log.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/json/array.hpp>

#include <chrono>
#include <exception>
#include <string>
#include <string_view>
#include <utility>

namespace asyncscrape::browser {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

// The bound of each command about a new page: they take milliseconds, and a browser that stops
// answering is its watchdog's business.
constexpr std::chrono::milliseconds command_timeout{5000};

}  // namespace

struct PopupBlocker::State {
    explicit State(CdpClient& cdp) : cdp(&cdp) {}

    CdpClient* cdp;                  // none once the blocker is gone
    asio::cancellation_signal stop;  // ends the wait for new pages
    bool waiting_for_pages = false;
};

namespace {

using BlockerState = std::shared_ptr<PopupBlocker::State>;

bool bool_field(const json::object& object, std::string_view key) {
    const auto* field = object.if_contains(key);
    return field && field->is_bool() && field->get_bool();
}

// A page Chromium attached: Target.attachedToTarget's params, as far as the blocker cares.
struct NewPage {
    std::string session_id;
    std::string target_id;
    std::string opener_id;  // empty: no popup
    bool can_access_opener = false;
    bool waiting = false;  // paused until told to run
};

NewPage new_page(const json::object& attached) {
    NewPage page;
    page.session_id = std::string(string_field(attached, "sessionId"));
    page.waiting = bool_field(attached, "waitingForDebugger");
    if (const auto* info = attached.if_contains("targetInfo"); info && info->is_object()) {
        const json::object& target = info->get_object();
        page.target_id = std::string(string_field(target, "targetId"));
        page.opener_id = std::string(string_field(target, "openerId"));
        page.can_access_opener = bool_field(target, "canAccessOpener");
    }
    return page;
}

json::object pages_attached_paused() {
    json::object pages_only;
    pages_only["type"] = "page";
    json::object params;
    params["autoAttach"] = true;
    params["waitForDebuggerOnStart"] = true;
    params["flatten"] = true;
    params["filter"] = json::array{pages_only};
    return params;
}

// One command about a new page; none once the blocker is gone.
asio::awaitable<CdpOutcome<json::object>> command(BlockerState state, std::string method,
                                                  json::object params, std::string session_id) {
    if (!state->cdp) {
        co_return CdpOutcome<json::object>{
            CdpError::cancelled, "cdp " + method + ": the popup blocker has stopped", {}};
    }
    co_return co_await state->cdp->call(std::move(method), std::move(params), std::move(session_id),
                                        std::chrono::steady_clock::now() + command_timeout);
}

// A tab of the engine's own: it runs, and the blocker's session on it goes.
asio::awaitable<void> let_run(BlockerState state, std::string session_id) {
    json::object no_params;
    const CdpOutcome<json::object> resumed = co_await command(
        state, "Runtime.runIfWaitingForDebugger", std::move(no_params), session_id);
    if (!resumed.ok()) {
        log(LogLevel::debug, "a new page was not let run: ", resumed.message);
        co_return;
    }
    json::object session;
    session["sessionId"] = std::move(session_id);
    const CdpOutcome<json::object> detached =
        co_await command(state, "Target.detachFromTarget", std::move(session), "");
    if (!detached.ok()) {
        log(LogLevel::debug, "a new page's extra session stays: ", detached.message);
    }
}

// A popup in a renderer of its own: nothing of it has run, nothing of it ever will.
asio::awaitable<void> close_unrun(BlockerState state, std::string target_id) {
    json::object target;
    target["targetId"] = target_id;
    const CdpOutcome<json::object> closed =
        co_await command(state, "Target.closeTarget", std::move(target), "");
    if (closed.ok()) {
        log(LogLevel::debug, "a popup was closed before it ran (target ", target_id, ")");
    } else {
        log(LogLevel::debug, "a popup stays paused: ", closed.message);
    }
}

// A popup in its opener's renderer: it runs (its opener with it), with its requests held, and its
// opener is brought back to the front. One whose requests cannot be held stays paused.
asio::awaitable<void> run_held(BlockerState state, NewPage popup) {
    const std::pair<std::string, json::object> holds[] = {
        {"Fetch.enable", every_request_paused()},
        {"Target.setAutoAttach", children_attached_paused()},
    };
    for (const auto& [method, params] : holds) {
        const CdpOutcome<json::object> held =
            co_await command(state, method, params, popup.session_id);
        if (!held.ok()) {
            log(LogLevel::debug, "a popup stays paused: ", held.message);
            co_return;
        }
    }
    json::object no_params;
    const CdpOutcome<json::object> resumed = co_await command(
        state, "Runtime.runIfWaitingForDebugger", std::move(no_params), popup.session_id);
    if (!resumed.ok()) {
        log(LogLevel::debug, "a popup stays paused: ", resumed.message);
        co_return;
    }
    log(LogLevel::debug, "a popup runs with its requests held (target ", popup.target_id, ")");
    json::object opener;
    opener["targetId"] = std::move(popup.opener_id);
    const CdpOutcome<json::object> activated =
        co_await command(state, "Target.activateTarget", std::move(opener), "");
    if (!activated.ok()) {
        log(LogLevel::debug, "a popup's opener was not brought to the front: ", activated.message);
    }
}

asio::awaitable<void> handle_new_page(BlockerState state, json::object attached) {
    NewPage page = new_page(attached);
    if (!page.opener_id.empty()) {
        if (page.can_access_opener) {
            co_await run_held(std::move(state), std::move(page));
        } else {
            co_await close_unrun(std::move(state), std::move(page.target_id));
        }
    } else if (page.waiting) {
        co_await let_run(std::move(state), std::move(page.session_id));
    }
    // Otherwise an attach of the engine's own (a page load's session on its tab) or a tab open
    // before the blocker started: running already, and none of the blocker's business.
}

// Hands every page attached to a coroutine of its own, so that one page's commands hold up no
// other, until stopped or the browser is gone.
asio::awaitable<void> handle_new_pages(BlockerState state, CdpSubscription attached) {
    co_await asio::this_coro::throw_if_cancelled(false);
    const auto executor = co_await asio::this_coro::executor;
    while (true) {
        CdpOutcome<CdpEvent> event = co_await attached.next(SteadyTime::max());
        if (!event.ok() || !state->cdp) {
            co_return;
        }
        asio::co_spawn(executor, handle_new_page(state, std::move(event.value.params)),
                       server::LogFailure{"handling a new page"});
    }
}

struct StoppedWaiting {
    BlockerState state;

    void operator()(const std::exception_ptr& failure) const {
        server::LogFailure{"the popup blocker"}(failure);
        state->waiting_for_pages = false;
    }
};

}  // namespace

PopupBlocker::PopupBlocker(CdpClient& cdp) : state_(std::make_shared<State>(cdp)) {}

PopupBlocker::~PopupBlocker() {
    state_->cdp = nullptr;
    if (state_->waiting_for_pages) {
        state_->stop.emit(asio::cancellation_type::terminal);
    }
}

asio::awaitable<CdpOutcome<json::object>> PopupBlocker::start(SteadyTime deadline) {
    // Subscribed before the auto-attach: no page attached is missed.
    CdpSubscription attached = state_->cdp->subscribe("", {"Target.attachedToTarget"});
    CdpOutcome<json::object> attaching =
        co_await state_->cdp->call("Target.setAutoAttach", pages_attached_paused(), "", deadline);
    if (attaching.ok()) {
        const auto executor = co_await asio::this_coro::executor;
        state_->waiting_for_pages = true;
        asio::co_spawn(executor, handle_new_pages(state_, std::move(attached)),
                       asio::bind_cancellation_slot(state_->stop.slot(), StoppedWaiting{state_}));
    }
    co_return attaching;
}

}  // namespace asyncscrape::browser
