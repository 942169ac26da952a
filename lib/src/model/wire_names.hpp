// Inverse spellings the public model.hpp does not declare: only the JSON parser needs them.
#pragma once

#include <asyncscrape/model.hpp>

#include <optional>
#include <string_view>

namespace asyncscrape {

std::optional<OnError> parse_on_error(std::string_view text);
std::optional<SelectorState> parse_selector_state(std::string_view text);

}  // namespace asyncscrape
