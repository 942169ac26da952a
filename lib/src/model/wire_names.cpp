// The spellings of the model's enumerations on the wire, and their inverses.
#include "model/wire_names.hpp"

#include <array>
#include <utility>

namespace asyncscrape {
namespace {

template <class Enum, std::size_t N>
using NameTable = std::array<std::pair<Enum, std::string_view>, N>;

// One table per enumeration, so that a spelling and its inverse cannot disagree.
constexpr NameTable<ActionType, 12> action_type_names{{
    {ActionType::wait_for_timeout, "wait-for-timeout"},
    {ActionType::wait_for_selector, "wait-for-selector"},
    {ActionType::click, "click"},
    {ActionType::fill, "fill"},
    {ActionType::type, "type"},
    {ActionType::press, "press"},
    {ActionType::hover, "hover"},
    {ActionType::select_option, "select-option"},
    {ActionType::scroll, "scroll"},
    {ActionType::scroll_to_bottom, "scroll-to-bottom"},
    {ActionType::wait_for_navigation, "wait-for-navigation"},
    {ActionType::evaluate, "evaluate"},
}};

constexpr NameTable<OnError, 2> on_error_names{{
    {OnError::fail, "fail"},
    {OnError::skip, "skip"},
}};

constexpr NameTable<SelectorState, 3> selector_state_names{{
    {SelectorState::attached, "attached"},
    {SelectorState::visible, "visible"},
    {SelectorState::hidden, "hidden"},
}};

constexpr NameTable<RunStatus, 3> run_status_names{{
    {RunStatus::in_progress, "in_progress"},
    {RunStatus::completed, "completed"},
    {RunStatus::cancelled, "cancelled"},
}};

constexpr NameTable<CallbackStatus, 3> callback_status_names{{
    {CallbackStatus::pending, "pending"},
    {CallbackStatus::sent, "sent"},
    {CallbackStatus::failed, "failed"},
}};

constexpr NameTable<JobStatus, 6> job_status_names{{
    {JobStatus::pending, "pending"},
    {JobStatus::running, "running"},
    {JobStatus::success, "success"},
    {JobStatus::failed, "failed"},
    {JobStatus::timeout, "timeout"},
    {JobStatus::cancelled, "cancelled"},
}};

constexpr NameTable<ActionStatus, 3> action_status_names{{
    {ActionStatus::ok, "ok"},
    {ActionStatus::failed, "failed"},
    {ActionStatus::skipped, "skipped"},
}};

template <class Enum, std::size_t N>
std::string_view name_of(const NameTable<Enum, N>& names, Enum e) {
    for (const auto& [value, name] : names) {
        if (value == e) {
            return name;
        }
    }
    return "unknown";  // only a value cast from outside the enumeration gets here
}

template <class Enum, std::size_t N>
std::optional<Enum> value_of(const NameTable<Enum, N>& names, std::string_view text) {
    for (const auto& [value, name] : names) {
        if (name == text) {
            return value;
        }
    }
    return std::nullopt;
}

}  // namespace

std::string_view to_string(ActionType t) {
    return name_of(action_type_names, t);
}
std::string_view to_string(OnError e) {
    return name_of(on_error_names, e);
}
std::string_view to_string(SelectorState s) {
    return name_of(selector_state_names, s);
}
std::string_view to_string(RunStatus s) {
    return name_of(run_status_names, s);
}
std::string_view to_string(CallbackStatus s) {
    return name_of(callback_status_names, s);
}
std::string_view to_string(JobStatus s) {
    return name_of(job_status_names, s);
}
std::string_view to_string(ActionStatus s) {
    return name_of(action_status_names, s);
}

std::optional<ActionType> parse_action_type(std::string_view text) {
    return value_of(action_type_names, text);
}
std::optional<OnError> parse_on_error(std::string_view text) {
    return value_of(on_error_names, text);
}
std::optional<SelectorState> parse_selector_state(std::string_view text) {
    return value_of(selector_state_names, text);
}
std::optional<RunStatus> parse_run_status(std::string_view text) {
    return value_of(run_status_names, text);
}
std::optional<CallbackStatus> parse_callback_status(std::string_view text) {
    return value_of(callback_status_names, text);
}
std::optional<JobStatus> parse_job_status(std::string_view text) {
    return value_of(job_status_names, text);
}

}  // namespace asyncscrape
