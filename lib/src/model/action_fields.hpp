// Which fields each action type takes beyond the common `type`, `on_error` and `timeout` (the
// contract's "Actions" section). One table drives what the parser accepts, what validation
// checks and what the JSON output shows, so the three cannot drift apart.
#pragma once

#include <asyncscrape/model.hpp>

#include <optional>
#include <span>
#include <string_view>

namespace asyncscrape {

enum class ActionField {
    time,
    selector,
    state,
    value,
    text,
    delay,
    key,
    x,
    y,
    max_scrolls,
    script
};

struct ActionFieldUse {
    ActionField field;
    bool required;
};

// In the order the contract lists them.
std::span<const ActionFieldUse> fields_of(ActionType type);

std::string_view to_string(ActionField field);
std::optional<ActionField> parse_action_field(std::string_view text);

}  // namespace asyncscrape
