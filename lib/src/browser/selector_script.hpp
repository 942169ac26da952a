// The JavaScript the selector actions evaluate in the page: self-contained expressions that find
// the first node a selector matches and report on it, or prepare it for input. Pure text
// generation, so that it can be unit tested without a browser. Selectors and values are embedded
// as JSON string literals, so no text of a request can break out of them; an invalid selector
// makes the expression throw, which the action reports.
#pragma once

#include <asyncscrape/model.hpp>

#include <string>
#include <string_view>

namespace asyncscrape::browser {

// True for XPath selectors (those starting with '/'), false for CSS.
bool is_xpath_selector(std::string_view selector);

// Evaluates to a boolean: whether the first element `selector` matches is attached / visible /
// hidden (no element counts as hidden).
std::string selector_state_script(std::string_view selector, SelectorState state);

// Where a user would click the element `selector` matches. A visible element not wholly in the
// viewport is first scrolled to its middle, at once whatever the page's scroll-behavior.
// Evaluates to {state}: "missing", "hidden", "covered" (another element, not its own label, is on
// top of its centre), or "ready" with x and y, the centre of its box's visible part in CSS pixels
// of the viewport.
std::string click_point_script(std::string_view selector);

// After the click that focused the field `selector` matches: selects its whole content, so that
// what is typed next replaces it. Evaluates to {state}: "ready", "missing", "not-editable" (not a
// text input, a textarea or contenteditable), "disabled" or "read-only".
std::string fill_selection_script(std::string_view selector);

// Selects the option of the <select> `selector` matches whose value is `value`, or else whose
// label is, deselecting the others, and dispatches input and change as a user's choice would.
// Evaluates to {state}: "ready", "missing", "not-select" or "no-option".
std::string select_option_script(std::string_view selector, std::string_view value);

}  // namespace asyncscrape::browser
