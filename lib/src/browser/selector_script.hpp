// The JavaScript that wait-for-selector evaluates again and again: an expression that is true once
// the selector's element is in the wanted state. Pure text generation, so that it can be unit
// tested without a browser.
#pragma once

#include <asyncscrape/model.hpp>

#include <string>
#include <string_view>

namespace asyncscrape::browser {

// True for XPath selectors (those starting with '/'), false for CSS.
bool is_xpath_selector(std::string_view selector);

// A self-contained JS expression evaluating to a boolean: whether the first element `selector`
// matches is attached / visible / hidden (no element counts as hidden). The selector is embedded
// as a JSON string literal, so no selector text can break out of it. An invalid selector makes the
// expression throw, which the action reports.
std::string selector_state_script(std::string_view selector, SelectorState state);

}  // namespace asyncscrape::browser
