#include "model/action_fields.hpp"

#include <array>
#include <utility>

namespace asyncscrape {
namespace {

using enum ActionField;

constexpr ActionFieldUse wait_for_timeout_fields[] = {{time, true}};
constexpr ActionFieldUse wait_for_selector_fields[] = {{selector, true}, {state, false}};
constexpr ActionFieldUse selector_only_fields[] = {{selector, true}};
constexpr ActionFieldUse selector_value_fields[] = {{selector, true}, {value, true}};
constexpr ActionFieldUse type_fields[] = {{selector, true}, {text, true}, {delay, false}};
constexpr ActionFieldUse press_fields[] = {{key, true}};
constexpr ActionFieldUse scroll_fields[] = {{x, false}, {y, false}};
constexpr ActionFieldUse scroll_to_bottom_fields[] = {{max_scrolls, false}, {delay, false}};
constexpr ActionFieldUse evaluate_fields[] = {{script, true}};

constexpr std::array<std::pair<ActionField, std::string_view>, 11> field_names{{
    {time, "time"},
    {selector, "selector"},
    {state, "state"},
    {value, "value"},
    {text, "text"},
    {delay, "delay"},
    {key, "key"},
    {x, "x"},
    {y, "y"},
    {max_scrolls, "max_scrolls"},
    {script, "script"},
}};

}  // namespace

std::span<const ActionFieldUse> fields_of(ActionType type) {
    switch (type) {
        case ActionType::wait_for_timeout:
            return wait_for_timeout_fields;
        case ActionType::wait_for_selector:
            return wait_for_selector_fields;
        case ActionType::click:
        case ActionType::hover:
            return selector_only_fields;
        case ActionType::fill:
        case ActionType::select_option:
            return selector_value_fields;
        case ActionType::type:
            return type_fields;
        case ActionType::press:
            return press_fields;
        case ActionType::scroll:
            return scroll_fields;
        case ActionType::scroll_to_bottom:
            return scroll_to_bottom_fields;
        case ActionType::wait_for_navigation:
            return {};
        case ActionType::evaluate:
            return evaluate_fields;
    }
    return {};
}

std::string_view to_string(ActionField field) {
    for (const auto& [f, name] : field_names) {
        if (f == field) {
            return name;
        }
    }
    return "unknown";
}

std::optional<ActionField> parse_action_field(std::string_view text) {
    for (const auto& [field, name] : field_names) {
        if (name == text) {
            return field;
        }
    }
    return std::nullopt;
}

}  // namespace asyncscrape
