#include "browser/page_load.hpp"

#include "browser/cdp_fields.hpp"
#include "browser/dialog_answerer.hpp"
#include "browser/main_document.hpp"
#include "browser/page_actions.hpp"
#include "browser/page_guard.hpp"
#include "fetch/ssrf_guard.hpp"
#include "util/base64.hpp"

#include <boost/asio/this_coro.hpp>

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <utility>

namespace asyncscrape::browser {

namespace asio = boost::asio;
namespace json = boost::json;
using std::chrono::steady_clock;
using Millis = std::chrono::milliseconds;

namespace {

// What a page that never finishes loading leaves for the actions and the capture: a fifth of the
// request's time, and never less than this.
constexpr Millis min_capture_reserve{500};

// Why a load stopped early: its final status and the sentence that says why.
struct Stop {
    JobStatus status;
    std::string error;
};

std::int64_t elapsed_ms(steady_clock::time_point since) {
    return std::chrono::duration_cast<Millis>(steady_clock::now() - since).count();
}

std::string action_label(std::size_t index, const Action& action) {
    return "action " + std::to_string(index + 1) + " (" + std::string(to_string(action.type)) + ")";
}

class PageSession {
  public:
    PageSession(CdpClient& cdp, const Request& request, SteadyTime deadline, Viewport viewport,
                RequestGuard* request_guard)
        : cdp_(cdp),
          request_(request),
          deadline_(deadline),
          viewport_(viewport),
          request_guard_(request_guard),
          started_(steady_clock::now()) {}

    asio::awaitable<PageLoadResult> run(std::string context_id) {
        PageLoadResult result;
        std::optional<Stop> stop = co_await open_tab(std::move(context_id));
        if (!stop) {
            stop = co_await navigate();
        }
        if (!stop) {
            stop = co_await wait_for_load();
        }
        if (!stop) {
            stop = co_await run_actions(result.actions);
        }
        if (!stop) {
            stop = co_await capture(result);
        }
        if (page_guard_) {
            co_await page_guard_->stop();
            // A later navigation of the page's own (a script, a click) that was refused.
            if (!stop && page_guard_->main_document_blocked()) {
                stop = blocked_stop();
            }
        }
        co_await take_responses();
        take_main_document(result);
        if (stop) {
            result.status = stop->status;
            result.error = stop->error;
            result.browser_lost = stop->status == JobStatus::failed && !cdp_.connected();
            mark_actions_not_run(result.actions, request_, stop->error);
        } else if (result.status_code && *result.status_code >= 400) {
            result.status = JobStatus::failed;
            result.error = "HTTP status " + std::to_string(*result.status_code);
        } else {
            result.status = JobStatus::success;
        }
        co_return result;
    }

  private:
    static Stop blocked_stop() { return {JobStatus::failed, std::string(fetch::blocked_message)}; }

    asio::awaitable<CdpOutcome<json::object>> call(std::string method, json::object params,
                                                   SteadyTime deadline) {
        co_return co_await cdp_.call(std::move(method), std::move(params), session_, deadline);
    }

    // The stop a failed CDP operation means for the load; `step` names what was going on.
    template <class T>
    Stop stop_for(const CdpOutcome<T>& outcome, std::string_view step) const {
        if (!cdp_.connected()) {
            return {JobStatus::failed, cdp_.disconnect_reason()};
        }
        switch (outcome.error) {
            case CdpError::cancelled:
                return {JobStatus::cancelled, "cancelled"};
            case CdpError::timeout:
                return {JobStatus::timeout, "timeout: the deadline of " +
                                                std::to_string(request_.timeout_ms) +
                                                " ms passed while " + std::string(step)};
            case CdpError::session_detached:
                return {JobStatus::failed,
                        "the page's tab crashed or was closed while " + std::string(step)};
            default:
                return {JobStatus::failed, outcome.message};
        }
    }

    asio::awaitable<std::optional<Stop>> open_tab(std::string context_id) {
        json::object target_params;
        target_params["url"] = "about:blank";
        target_params["browserContextId"] = std::move(context_id);
        const CdpOutcome<json::object> target =
            co_await cdp_.call("Target.createTarget", std::move(target_params), "", deadline_);
        if (!target.ok()) {
            co_return stop_for(target, "opening a tab");
        }
        json::object attach_params;
        attach_params["targetId"] = target.value.at("targetId");
        attach_params["flatten"] = true;
        const CdpOutcome<json::object> attached =
            co_await cdp_.call("Target.attachToTarget", std::move(attach_params), "", deadline_);
        if (!attached.ok()) {
            co_return stop_for(attached, "opening a tab");
        }
        session_ = std::string(attached.value.at("sessionId").as_string());
        std::string target_id(target.value.at("targetId").as_string());
        // Subscribed before any domain is enabled, so that no event of the navigation is missed.
        responses_.emplace(
            cdp_.subscribe(session_, {"Network.responseReceived", "Network.loadingFailed"}));
        lifecycle_.emplace(cdp_.subscribe(session_, {"Page.lifecycleEvent"}));
        // Before Page.enable: a dialog would stall every later command of the tab.
        const auto executor = co_await asio::this_coro::executor;
        dialogs_.emplace(executor, cdp_, session_, deadline_);

        json::object lifecycle_params;
        lifecycle_params["enabled"] = true;
        json::object metrics_params;
        metrics_params["width"] = viewport_.width;
        metrics_params["height"] = viewport_.height;
        metrics_params["deviceScaleFactor"] = 1;
        metrics_params["mobile"] = false;
        const std::pair<std::string, json::object> setup[] = {
            {"Page.enable", {}},
            {"Network.enable", {}},
            {"Runtime.enable", {}},
            {"Page.setLifecycleEventsEnabled", lifecycle_params},
            {"Emulation.setDeviceMetricsOverride", metrics_params},
        };
        for (const auto& [method, params] : setup) {
            const CdpOutcome<json::object> done = co_await call(method, params, deadline_);
            if (!done.ok()) {
                co_return stop_for(done, "preparing the tab");
            }
        }
        if (request_guard_) {
            page_guard_.emplace(cdp_, *request_guard_, session_, std::move(target_id));
            const CdpOutcome<json::object> guarded = co_await page_guard_->start(deadline_);
            if (!guarded.ok()) {
                co_return stop_for(guarded, "preparing the tab");
            }
        }
        co_return std::nullopt;
    }

    // Page.navigate answers once the main document has committed, or with its error.
    asio::awaitable<std::optional<Stop>> navigate() {
        json::object params;
        params["url"] = request_.url;
        const CdpOutcome<json::object> navigated =
            co_await call("Page.navigate", std::move(params), deadline_);
        if (!navigated.ok()) {
            co_return stop_for(navigated, "waiting for a response from " + request_.url);
        }
        main_frame_id_ = std::string(string_field(navigated.value, "frameId"));
        loader_id_ = std::string(string_field(navigated.value, "loaderId"));
        const std::string error_text(string_field(navigated.value, "errorText"));
        if (error_text.empty()) {
            co_return std::nullopt;
        }
        // The guard's refusal, not Chromium's net::ERR_BLOCKED_BY_CLIENT, says why.
        if (page_guard_ && page_guard_->main_document_blocked()) {
            co_return blocked_stop();
        }
        // An error page of the server (e.g. a 404 without a body) is the status's failure.
        co_await take_responses();
        if (main_document_ && main_document_->status >= 400) {
            co_return Stop{JobStatus::failed,
                           "HTTP status " + std::to_string(main_document_->status)};
        }
        co_return Stop{JobStatus::failed, error_text};
    }

    // Waits for the load event, but not past the point that leaves time for the actions and the
    // capture: a page that never finishes loading is captured as it stands.
    asio::awaitable<std::optional<Stop>> wait_for_load() {
        const auto reserve =
            std::max<steady_clock::duration>(min_capture_reserve, (deadline_ - started_) / 5);
        const SteadyTime give_up = deadline_ - reserve;
        while (true) {
            const CdpOutcome<CdpEvent> event = co_await lifecycle_->next(give_up);
            if (event.error == CdpError::timeout) {
                co_return std::nullopt;
            }
            if (!event.ok()) {
                co_return stop_for(event, "loading the page");
            }
            if (is_load_event(event.value)) {
                co_return std::nullopt;
            }
        }
    }

    // The load event of this navigation's document: the initial about:blank of the tab may
    // still report its own.
    bool is_load_event(const CdpEvent& event) const {
        return string_field(event.params, "name") == "load" &&
               string_field(event.params, "frameId") == main_frame_id_ &&
               (loader_id_.empty() || string_field(event.params, "loaderId") == loader_id_);
    }

    asio::awaitable<std::optional<Stop>> run_actions(std::vector<ActionOutcome>& outcomes) {
        for (std::size_t i = 0; i < request_.actions.size(); ++i) {
            const Action& action = request_.actions[i];
            const auto started = steady_clock::now();
            const SteadyTime action_deadline =
                std::min<SteadyTime>(started + Millis{action.timeout_ms}, deadline_);
            ActionEnd end = co_await run_action(action, action_deadline);
            ActionOutcome outcome{action.type, ActionStatus::ok, elapsed_ms(started), std::nullopt,
                                  std::move(end.value_json)};
            if (end.error == CdpError::none) {
                outcomes.push_back(std::move(outcome));
                continue;
            }
            outcome.status = ActionStatus::failed;
            const bool request_deadline_passed =
                end.error == CdpError::timeout && steady_clock::now() >= deadline_;
            if (end.error == CdpError::timeout && !request_deadline_passed) {
                const std::string waiting_for = end.message.empty() ? "" : ": " + end.message;
                end.message =
                    "timed out after " + std::to_string(action.timeout_ms) + " ms" + waiting_for;
                end.error = CdpError::command_failed;
            }
            if (end.error != CdpError::command_failed) {
                // The load itself ends: cancelled, out of time, or without a browser.
                CdpOutcome<json::object> failure{end.error, end.message, {}};
                Stop stop = stop_for(failure, "running " + action_label(i, action));
                outcome.error = stop.error;
                outcomes.push_back(std::move(outcome));
                co_return stop;
            }
            outcome.error = end.message;
            outcomes.push_back(std::move(outcome));
            // A document the guard refused ends the load as a refused first navigation does.
            if (page_guard_ && page_guard_->main_document_blocked()) {
                co_return blocked_stop();
            }
            if (action.on_error == OnError::fail) {
                co_return Stop{JobStatus::failed,
                               action_label(i, action) + " failed: " + end.message};
            }
        }
        co_return std::nullopt;
    }

    asio::awaitable<ActionEnd> run_action(const Action& action, SteadyTime action_deadline) {
        if (action.type == ActionType::wait_for_navigation) {
            co_return co_await wait_for_navigation(action_deadline);
        }
        co_return co_await run_page_action(cdp_, session_, action, action_deadline);
    }

    // The main frame's next document: a load event of a loader other than the current one's.
    // The lifecycle events are buffered since the tab opened, so a navigation that the previous
    // action started (and that may be over by now) is seen too.
    asio::awaitable<ActionEnd> wait_for_navigation(SteadyTime action_deadline) {
        bool committed = false;  // a new document is there, its load still to come
        while (true) {
            const CdpOutcome<CdpEvent> event = co_await lifecycle_->next(action_deadline);
            if (!event.ok()) {
                co_return ActionEnd{event.error,
                                    committed ? "the new document did not finish loading"
                                              : "the page did not navigate",
                                    std::nullopt};
            }
            const std::string_view loader = string_field(event.value.params, "loaderId");
            if (string_field(event.value.params, "frameId") != main_frame_id_ ||
                loader == loader_id_) {
                continue;
            }
            committed = true;
            if (string_field(event.value.params, "name") == "load") {
                loader_id_ = std::string(loader);
                break;
            }
        }
        co_await take_responses();
        if (page_guard_ && page_guard_->main_document_blocked()) {
            co_return ActionEnd{CdpError::command_failed, std::string(fetch::blocked_message),
                                std::nullopt};
        }
        // The old document's response is not the new one's. A document without a response of
        // its own (about:blank) reports none; Chromium's error page for a document that could
        // not be loaded (it fires load too) reports none either, and fails the action.
        if (main_document_loader_ != loader_id_) {
            main_document_.reset();
        }
        if (const auto failure = document_failures_.find(loader_id_);
            failure != document_failures_.end()) {
            co_return ActionEnd{CdpError::command_failed, failure->second, std::nullopt};
        }
        co_return ActionEnd{};
    }

    asio::awaitable<std::optional<Stop>> capture(PageLoadResult& result) {
        const CdpOutcome<json::object> html = co_await call(
            "Runtime.evaluate", evaluation_params("document.documentElement.outerHTML"), deadline_);
        if (!html.ok()) {
            co_return stop_for(html, "capturing the page");
        }
        if (const auto* remote = html.value.if_contains("result"); remote && remote->is_object()) {
            if (const auto* value = remote->get_object().if_contains("value");
                value && value->is_string()) {
                result.html = std::string(value->get_string());
            }
        }
        if (!request_.screenshot) {
            co_return std::nullopt;
        }
        json::object params;
        params["format"] = "png";
        const CdpOutcome<json::object> shot =
            co_await call("Page.captureScreenshot", std::move(params), deadline_);
        if (!shot.ok()) {
            co_return stop_for(shot, "taking the screenshot");
        }
        const auto* data = shot.value.if_contains("data");
        std::optional<std::string> png;
        if (data && data->is_string()) {
            png = decode_base64(data->get_string());
        }
        if (!png) {
            co_return Stop{JobStatus::failed, "the browser sent a screenshot that is not base64"};
        }
        result.screenshot_png = std::move(png);
        co_return std::nullopt;
    }

    // Takes the network events buffered so far: the main document's last response, and the
    // failures of documents, which a later navigation may need to explain itself.
    asio::awaitable<void> take_responses() {
        if (!responses_) {
            co_return;
        }
        while (true) {
            // A deadline already passed only hands out what is buffered.
            const CdpOutcome<CdpEvent> event = co_await responses_->next(SteadyTime{});
            if (!event.ok()) {
                co_return;
            }
            const json::object& params = event.value.params;
            if (event.value.method == "Network.loadingFailed") {
                // A document's request id is its loader's id; the first failure says why.
                if (string_field(params, "type") == "Document") {
                    document_failures_.emplace(string_field(params, "requestId"),
                                               string_field(params, "errorText"));
                }
            } else if (auto response = main_document_response(params, main_frame_id_)) {
                main_document_ = std::move(response);
                main_document_loader_ = std::string(string_field(params, "loaderId"));
            }
        }
    }

    void take_main_document(PageLoadResult& result) {
        // Without a main-document response (about:, a failed navigation) the URL asked for stands.
        result.final_url = request_.url;
        if (!main_document_) {
            return;
        }
        result.status_code = main_document_->status;
        result.headers = main_document_->headers;
        result.final_url = main_document_->url;
        if (main_document_->ttfb_ms) {
            result.timings.ttfb_ms = *main_document_->ttfb_ms;
        }
    }

    CdpClient& cdp_;
    const Request& request_;
    SteadyTime deadline_;
    Viewport viewport_;
    RequestGuard* request_guard_;  // none when private targets are allowed
    steady_clock::time_point started_;
    std::string session_;
    std::string main_frame_id_;
    std::string loader_id_;  // of the main frame's current document
    std::optional<CdpSubscription> responses_;
    std::optional<CdpSubscription> lifecycle_;
    std::optional<MainDocumentResponse> main_document_;
    std::string main_document_loader_;  // the loader main_document_ came with
    std::map<std::string, std::string, std::less<>> document_failures_;  // loader id → errorText
    std::optional<PageGuard> page_guard_;
    std::optional<DialogAnswerer> dialogs_;
};

}  // namespace

asio::awaitable<PageLoadResult> load_page(CdpClient& cdp, std::string context_id,
                                          const Request& request, SteadyTime deadline,
                                          Viewport viewport, RequestGuard* request_guard) {
    PageSession session(cdp, request, deadline, viewport, request_guard);
    co_return co_await session.run(std::move(context_id));
}

PageLoadResult stopped_before_loading(const Request& request, JobStatus status, std::string error) {
    PageLoadResult result;
    result.status = status;
    result.final_url = request.url;
    mark_actions_not_run(result.actions, request, error);
    result.error = std::move(error);
    return result;
}

void mark_actions_not_run(std::vector<ActionOutcome>& outcomes, const Request& request,
                          std::string_view why) {
    for (std::size_t i = outcomes.size(); i < request.actions.size(); ++i) {
        outcomes.push_back(ActionOutcome{request.actions[i].type, ActionStatus::skipped, 0,
                                         "not run: " + std::string(why), std::nullopt});
    }
}

}  // namespace asyncscrape::browser
