#include "browser/page_actions.hpp"

#include "browser/cdp_fields.hpp"
#include "browser/key_definitions.hpp"
#include "browser/selector_script.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

namespace asyncscrape::browser {

namespace asio = boost::asio;
namespace json = boost::json;
using std::chrono::steady_clock;
using Millis = std::chrono::milliseconds;

namespace {

// How often an action looks again for the element it waits for.
constexpr Millis poll_interval{75};
// scroll-to-bottom's defaults: enough for most infinite lists, and time for a page to fetch the
// next batch after each scroll.
constexpr std::int64_t default_max_scrolls = 20;
constexpr Millis default_scroll_delay{500};

// The viewport, and how far the page reaches below it.
constexpr std::string_view scroll_metrics_script = R"((() => {
  const page = document.scrollingElement || document.documentElement;
  return {width: innerWidth, height: innerHeight, page_height: page.scrollHeight,
          below: page.scrollHeight - scrollY - innerHeight};
})())";

// Resolves once the scroll position has held still for three frames: a wheel scroll shows in
// the next frame, or moves over several where scrolling is smooth. A page that draws no frames
// is looked at every tenth of a second instead.
constexpr std::string_view scroll_settled_script = R"(new Promise(resolve => {
  let last = [scrollX, scrollY], still = 0;
  const check = () => {
    if (scrollX === last[0] && scrollY === last[1]) {
      if (++still === 3) return resolve(true);
    } else {
      last = [scrollX, scrollY];
      still = 0;
    }
    nextFrame();
  };
  const nextFrame = () => {
    let called = false;
    const once = () => { if (!called) { called = true; check(); } };
    requestAnimationFrame(once);
    setTimeout(once, 100);
  };
  nextFrame();
}))";

// A mouse event of a click, as a mouse sends them: `buttons` held after it.
struct MouseStep {
    std::string_view type;
    std::string_view button;
    int buttons;
    int click_count;
};

constexpr MouseStep move_step{"mouseMoved", "none", 0, 0};
constexpr MouseStep click_steps[] = {
    move_step,
    {"mousePressed", "left", 1, 1},
    {"mouseReleased", "left", 0, 1},
};

double number_field(const json::value& value, std::string_view key) {
    if (const auto* object = value.if_object()) {
        if (const auto* field = object->if_contains(key); field && field->is_number()) {
            return field->to_number<double>();
        }
    }
    return 0;
}

// The state a selector script answered with (see selector_script.hpp).
std::string_view state_of(const json::value& value) {
    if (const auto* object = value.if_object()) {
        return string_field(*object, "state");
    }
    return {};
}

bool is_true(const json::value& value) {
    return value.is_bool() && value.get_bool();
}

bool is_ready(const json::value& value) {
    return state_of(value) == "ready";
}

// select-option waits for its <select> and for the option (both may come later); an element
// that is no <select> will not become one.
bool option_settled(const json::value& value) {
    return is_ready(value) || state_of(value) == "not-select";
}

// The first line of a page exception, e.g. "Error: boom" or "ReferenceError: x is not defined".
std::string exception_text(const json::object& details) {
    std::string text;
    if (const auto* exception = details.if_contains("exception");
        exception && exception->is_object()) {
        if (const auto* description = exception->get_object().if_contains("description");
            description && description->is_string()) {
            text = std::string(description->get_string());
        } else if (const auto* value = exception->get_object().if_contains("value")) {
            text = "Uncaught " + json::serialize(*value);
        }
    }
    if (text.empty()) {
        if (const auto* summary = details.if_contains("text"); summary && summary->is_string()) {
            text = std::string(summary->get_string());
        }
    }
    if (const auto line_end = text.find('\n'); line_end != std::string::npos) {
        text.resize(line_end);
    }
    return text.empty() ? "the script threw" : text;
}

// A CDP operation's failure as the action's end; a timeout's CDP message says nothing a user
// needs.
template <class T>
ActionEnd ended_by(const CdpOutcome<T>& outcome) {
    return {outcome.error, outcome.error == CdpError::timeout ? "" : outcome.message, std::nullopt};
}

const ActionEnd action_cancelled{CdpError::cancelled, "cancelled", std::nullopt};
const ActionEnd deadline_passed{CdpError::timeout, "", std::nullopt};

// What an evaluation ended with and, when it succeeded, its value.
struct Evaluated {
    ActionEnd end;
    json::value value;
};

// Where a click lands, or why it cannot.
struct ClickPoint {
    ActionEnd end;
    double x = 0;
    double y = 0;
};

using SettledTest = bool (*)(const json::value&);

class ActionRunner {
  public:
    ActionRunner(CdpClient& cdp, std::string session_id, const Action& action, SteadyTime deadline)
        : cdp_(cdp), session_(std::move(session_id)), action_(action), deadline_(deadline) {}

    asio::awaitable<ActionEnd> run() {
        switch (action_.type) {
            case ActionType::wait_for_timeout:
                co_return co_await sleep_for(Millis{action_.time_ms});
            case ActionType::wait_for_selector:
                co_return co_await wait_for_selector();
            case ActionType::evaluate:
                co_return co_await evaluate();
            case ActionType::click:
                co_return co_await click();
            case ActionType::hover:
                co_return co_await hover();
            case ActionType::fill:
                co_return co_await fill();
            case ActionType::type:
                co_return co_await type_text();
            case ActionType::press:
                co_return co_await press();
            case ActionType::select_option:
                co_return co_await select_option();
            case ActionType::scroll:
                co_return co_await scroll();
            case ActionType::scroll_to_bottom:
                co_return co_await scroll_to_bottom();
            case ActionType::wait_for_navigation:
                break;
        }
        co_return ActionEnd{CdpError::command_failed, "not an action on the page", std::nullopt};
    }

  private:
    asio::awaitable<ActionEnd> command(std::string method, json::object params) {
        const CdpOutcome<json::object> done =
            co_await cdp_.call(std::move(method), std::move(params), session_, deadline_);
        co_return ended_by(done);
    }

    // Sleeps `duration`, or until the deadline when that comes first.
    asio::awaitable<ActionEnd> sleep_for(Millis duration) {
        const SteadyTime wake = steady_clock::now() + duration;
        const auto cancellation = co_await asio::this_coro::cancellation_state;
        if (cancellation.cancelled() != asio::cancellation_type::none) {
            co_return action_cancelled;
        }
        asio::steady_timer timer(co_await asio::this_coro::executor, std::min(wake, deadline_));
        const auto [error] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
        if (error) {
            co_return action_cancelled;
        }
        co_return wake > deadline_ ? deadline_passed : ActionEnd{};
    }

    // Runtime.evaluate, awaiting a promise; a script that throws fails the action.
    asio::awaitable<Evaluated> evaluate_value(std::string expression) {
        const CdpOutcome<json::object> evaluated = co_await cdp_.call(
            "Runtime.evaluate", evaluation_params(std::move(expression)), session_, deadline_);
        if (!evaluated.ok()) {
            co_return Evaluated{ended_by(evaluated), nullptr};
        }
        if (const auto* details = evaluated.value.if_contains("exceptionDetails");
            details && details->is_object()) {
            co_return Evaluated{
                {CdpError::command_failed, exception_text(details->get_object()), std::nullopt},
                nullptr};
        }
        json::value value;
        if (const auto* remote = evaluated.value.if_contains("result");
            remote && remote->is_object()) {
            if (const auto* field = remote->get_object().if_contains("value")) {
                value = *field;
            }
        }
        co_return Evaluated{ActionEnd{}, std::move(value)};
    }

    // Evaluates `script` every poll interval until `settled` holds for its value. A timeout
    // keeps the last value, which tells what was still missing.
    asio::awaitable<Evaluated> poll(std::string script, SettledTest settled) {
        json::value last;
        while (true) {
            Evaluated answer = co_await evaluate_value(script);
            if (answer.end.error == CdpError::timeout) {
                co_return Evaluated{answer.end, std::move(last)};
            }
            if (answer.end.error != CdpError::none || settled(answer.value)) {
                co_return answer;
            }
            last = std::move(answer.value);
            const ActionEnd slept = co_await sleep_for(poll_interval);
            if (slept.error != CdpError::none) {
                co_return Evaluated{slept, std::move(last)};
            }
        }
    }

    // What a selector script's state means, named for the user.
    std::string explain(std::string_view state) const {
        const std::string subject = "'" + action_.selector + "'";
        if (state == "missing") {
            return "no element matches " + subject;
        }
        if (state == "hidden") {
            return subject + " is not visible";
        }
        if (state == "covered") {
            return subject + " is covered by another element";
        }
        if (state == "not-editable") {
            return subject + " is not a text field or an editable element";
        }
        if (state == "disabled") {
            return subject + " is disabled";
        }
        if (state == "read-only") {
            return subject + " is read-only";
        }
        if (state == "not-select") {
            return subject + " is not a <select>";
        }
        if (state == "no-option") {
            return "no option of " + subject + " has the value or label '" + action_.value + "'";
        }
        return {};
    }

    // The end of a selector script that did not answer "ready": out of time, or failed, with
    // the reason the page gave.
    ActionEnd not_ready(Evaluated answer) const {
        if (answer.end.error == CdpError::none) {
            answer.end.error = CdpError::command_failed;
        }
        if (answer.end.error == CdpError::timeout || answer.end.error == CdpError::command_failed) {
            if (std::string reason = explain(state_of(answer.value)); !reason.empty()) {
                answer.end.message = std::move(reason);
            }
        }
        return std::move(answer.end);
    }

    asio::awaitable<ActionEnd> evaluate() {
        Evaluated evaluated = co_await evaluate_value(action_.script);
        if (evaluated.end.error == CdpError::none) {
            // undefined has no value: it is kept as null, as JSON.stringify would in an array.
            evaluated.end.value_json = json::serialize(evaluated.value);
        }
        co_return std::move(evaluated.end);
    }

    asio::awaitable<ActionEnd> wait_for_selector() {
        Evaluated found =
            co_await poll(selector_state_script(action_.selector, action_.state), is_true);
        co_return std::move(found.end);
    }

    // Waits until the element is there, visible and on top, and scrolls it into view.
    asio::awaitable<ClickPoint> wait_for_click_point() {
        Evaluated found = co_await poll(click_point_script(action_.selector), is_ready);
        if (!is_ready(found.value)) {
            co_return ClickPoint{not_ready(std::move(found))};
        }
        co_return ClickPoint{ActionEnd{}, number_field(found.value, "x"),
                             number_field(found.value, "y")};
    }

    asio::awaitable<ActionEnd> mouse_event(const MouseStep& step, const ClickPoint& point) {
        json::object params;
        params["type"] = step.type;
        params["x"] = point.x;
        params["y"] = point.y;
        params["button"] = step.button;
        params["buttons"] = step.buttons;
        params["clickCount"] = step.click_count;
        co_return co_await command("Input.dispatchMouseEvent", std::move(params));
    }

    asio::awaitable<ActionEnd> click() {
        const ClickPoint point = co_await wait_for_click_point();
        if (point.end.error != CdpError::none) {
            co_return point.end;
        }
        for (const MouseStep& step : click_steps) {
            ActionEnd sent = co_await mouse_event(step, point);
            if (sent.error != CdpError::none) {
                co_return sent;
            }
        }
        co_return ActionEnd{};
    }

    asio::awaitable<ActionEnd> hover() {
        const ClickPoint point = co_await wait_for_click_point();
        if (point.end.error != CdpError::none) {
            co_return point.end;
        }
        co_return co_await mouse_event(move_step, point);
    }

    asio::awaitable<ActionEnd> key_event(std::string type, const KeyDefinition& key,
                                         int modifiers) {
        json::object params;
        params["type"] = type;
        params["modifiers"] = modifiers;
        params["key"] = key.key;
        params["code"] = key.code;
        params["windowsVirtualKeyCode"] = key.windows_virtual_key_code;
        if (type == "keyDown") {
            params["text"] = key.text;
            params["unmodifiedText"] = key.text;
        }
        co_return co_await command("Input.dispatchKeyEvent", std::move(params));
    }

    // A key down and up. Down is "keyDown" with the text it types, which the page receives as
    // keypress and input (Enter's "\r" submits a form); a key that types nothing goes down raw.
    asio::awaitable<ActionEnd> press_key(const KeyDefinition& key, int modifiers) {
        ActionEnd down =
            co_await key_event(key.text.empty() ? "rawKeyDown" : "keyDown", key, modifiers);
        if (down.error != CdpError::none) {
            co_return down;
        }
        co_return co_await key_event("keyUp", key, modifiers);
    }

    asio::awaitable<ActionEnd> press_chord(const KeyChord& chord) {
        int held = 0;
        for (const ModifierKey& modifier : chord.modifiers) {
            held |= modifier.bit;
            ActionEnd down = co_await key_event("rawKeyDown", modifier.key, held);
            if (down.error != CdpError::none) {
                co_return down;
            }
        }
        ActionEnd pressed = co_await press_key(chord.key, held);
        if (pressed.error != CdpError::none) {
            co_return pressed;
        }
        for (auto modifier = chord.modifiers.rbegin(); modifier != chord.modifiers.rend();
             ++modifier) {
            held &= ~modifier->bit;
            ActionEnd up = co_await key_event("keyUp", modifier->key, held);
            if (up.error != CdpError::none) {
                co_return up;
            }
        }
        co_return ActionEnd{};
    }

    // Text as an input method enters it: one input event, no keys.
    asio::awaitable<ActionEnd> insert_text(std::string text) {
        json::object params;
        params["text"] = std::move(text);
        co_return co_await command("Input.insertText", std::move(params));
    }

    asio::awaitable<ActionEnd> press() {
        const std::optional<KeyChord> chord = parse_key_chord(action_.key);
        if (!chord) {
            co_return ActionEnd{CdpError::command_failed, "unknown key '" + action_.key + "'",
                                std::nullopt};
        }
        co_return co_await press_chord(*chord);
    }

    // Click into the field, select what it holds, and type over it in one go.
    asio::awaitable<ActionEnd> fill() {
        ActionEnd clicked = co_await click();
        if (clicked.error != CdpError::none) {
            co_return clicked;
        }
        Evaluated selected = co_await evaluate_value(fill_selection_script(action_.selector));
        if (!is_ready(selected.value)) {
            co_return not_ready(std::move(selected));
        }
        if (action_.value.empty()) {
            co_return co_await press_key(*key_definition("Delete"), 0);
        }
        co_return co_await insert_text(action_.value);
    }

    asio::awaitable<ActionEnd> type_text() {
        ActionEnd clicked = co_await click();
        if (clicked.error != CdpError::none) {
            co_return clicked;
        }
        const Millis delay{action_.delay_ms.value_or(0)};
        const std::vector<Keystroke> keystrokes = keystrokes_for(action_.text);
        for (std::size_t i = 0; i < keystrokes.size(); ++i) {
            if (i > 0 && delay > Millis::zero()) {
                ActionEnd slept = co_await sleep_for(delay);
                if (slept.error != CdpError::none) {
                    co_return slept;
                }
            }
            const Keystroke& keystroke = keystrokes[i];
            ActionEnd typed;
            if (keystroke.key) {
                typed = co_await press_key(*keystroke.key, 0);
            } else {
                typed = co_await insert_text(keystroke.inserted_text);
            }
            if (typed.error != CdpError::none) {
                co_return typed;
            }
        }
        co_return ActionEnd{};
    }

    asio::awaitable<ActionEnd> select_option() {
        Evaluated chosen =
            co_await poll(select_option_script(action_.selector, action_.value), option_settled);
        if (!is_ready(chosen.value)) {
            co_return not_ready(std::move(chosen));
        }
        co_return ActionEnd{};
    }

    asio::awaitable<Evaluated> scroll_metrics() {
        co_return co_await evaluate_value(std::string(scroll_metrics_script));
    }

    // Turns the mouse wheel by (dx, dy) at the centre of the viewport and waits until the
    // scrolling it causes is over.
    asio::awaitable<ActionEnd> wheel(const json::value& metrics, double dx, double dy) {
        json::object params;
        params["type"] = "mouseWheel";
        params["x"] = number_field(metrics, "width") / 2;
        params["y"] = number_field(metrics, "height") / 2;
        params["deltaX"] = dx;
        params["deltaY"] = dy;
        ActionEnd turned = co_await command("Input.dispatchMouseEvent", std::move(params));
        if (turned.error != CdpError::none) {
            co_return turned;
        }
        Evaluated settled = co_await evaluate_value(std::string(scroll_settled_script));
        co_return std::move(settled.end);
    }

    asio::awaitable<ActionEnd> scroll() {
        Evaluated metrics = co_await scroll_metrics();
        if (metrics.end.error != CdpError::none) {
            co_return std::move(metrics.end);
        }
        const double dx = static_cast<double>(action_.x.value_or(0));
        const double dy =
            action_.y ? static_cast<double>(*action_.y) : number_field(metrics.value, "height");
        co_return co_await wheel(metrics.value, dx, dy);
    }

    // Scrolls to the bottom and waits, again, as long as the page grows (an infinite list
    // appending its next batch). Reaching max_scrolls is no failure: the page is as far as it
    // went.
    asio::awaitable<ActionEnd> scroll_to_bottom() {
        const std::int64_t max_scrolls = action_.max_scrolls.value_or(default_max_scrolls);
        const Millis delay = action_.delay_ms ? Millis{*action_.delay_ms} : default_scroll_delay;
        Evaluated page = co_await scroll_metrics();
        for (std::int64_t scrolls = 0; scrolls < max_scrolls; ++scrolls) {
            if (page.end.error != CdpError::none) {
                break;
            }
            if (const double below = number_field(page.value, "below"); below > 0) {
                ActionEnd scrolled = co_await wheel(page.value, 0, below);
                if (scrolled.error != CdpError::none) {
                    co_return scrolled;
                }
            }
            ActionEnd waited = co_await sleep_for(delay);
            if (waited.error != CdpError::none) {
                co_return waited;
            }
            Evaluated after = co_await scroll_metrics();
            const bool grew =
                number_field(after.value, "page_height") > number_field(page.value, "page_height");
            page = std::move(after);
            if (!grew) {
                break;
            }
        }
        co_return std::move(page.end);
    }

    CdpClient& cdp_;
    std::string session_;
    const Action& action_;
    SteadyTime deadline_;
};

}  // namespace

json::object evaluation_params(std::string expression) {
    json::object params;
    params["expression"] = std::move(expression);
    params["awaitPromise"] = true;
    params["returnByValue"] = true;
    return params;
}

asio::awaitable<ActionEnd> run_page_action(CdpClient& cdp, std::string session_id,
                                           const Action& action, SteadyTime deadline) {
    ActionRunner runner(cdp, std::move(session_id), action, deadline);
    co_return co_await runner.run();
}

}  // namespace asyncscrape::browser
