#include "browser/selector_script.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

namespace asyncscrape::browser {

namespace {

// "Visible" as a user would see it: rendered, not visibility:hidden, with a non-empty box. An
// XPath match that is a text node is judged by its parent element.
constexpr std::string_view visibility_check = R"(
  const element = node && node.nodeType !== Node.ELEMENT_NODE ? node.parentElement : node;
  const visible = !!element && element.isConnected &&
    getComputedStyle(element).visibility !== 'hidden' &&
    element.getBoundingClientRect().width > 0 && element.getBoundingClientRect().height > 0;
)";

constexpr std::string_view missing_check = R"(
  if (!node || !node.isConnected) return {state: 'missing'};
  const element = node.nodeType !== Node.ELEMENT_NODE ? node.parentElement : node;
)";

// Scrolls only when needed, as a user would, and to the middle, where sticky headers and
// footers cover nothing. The hit test is the one the click itself will get; a label lying over
// its own field (a floating label) passes the click on to it.
constexpr std::string_view click_point_body = R"(  if (!visible) return {state: 'hidden'};
  let box = element.getBoundingClientRect();
  if (box.top < 0 || box.left < 0 || box.bottom > innerHeight || box.right > innerWidth) {
    element.scrollIntoView({block: 'center', inline: 'center', behavior: 'instant'});
    box = element.getBoundingClientRect();
  }
  const left = Math.max(box.left, 0), right = Math.min(box.right, innerWidth);
  const top = Math.max(box.top, 0), bottom = Math.min(box.bottom, innerHeight);
  if (left >= right || top >= bottom) return {state: 'hidden'};
  const x = (left + right) / 2, y = (top + bottom) / 2;
  const hit = document.elementFromPoint(x, y);
  const label = hit && hit.closest('label');
  const reaches = !!hit && (element.contains(hit) || (!!label && label.control === element));
  if (!reaches) return {state: 'covered'};
  return {state: 'ready', x, y};
)";

// The input types a user types text into; the others (date, checkbox, file...) have pickers.
constexpr std::string_view fill_selection_body =
    R"(  const textTypes = ['text', 'search', 'url', 'tel', 'email', 'password', 'number'];
  const field = element instanceof HTMLTextAreaElement ||
    (element instanceof HTMLInputElement && textTypes.includes(element.type));
  if (!field && !element.isContentEditable) return {state: 'not-editable'};
  if (element.disabled) return {state: 'disabled'};
  if (element.readOnly) return {state: 'read-only'};
  if (document.activeElement !== element) element.focus();
  if (field) {
    element.select();
  } else {
    const range = document.createRange();
    range.selectNodeContents(element);
    getSelection().removeAllRanges();
    getSelection().addRange(range);
  }
  return {state: 'ready'};
)";

constexpr std::string_view select_option_body =
    R"(  if (!(element instanceof HTMLSelectElement)) return {state: 'not-select'};
  const options = Array.from(element.options);
  const option = options.find(o => o.value === value) || options.find(o => o.label === value);
  if (!option) return {state: 'no-option'};
  for (const o of options) o.selected = o === option;
  element.dispatchEvent(new Event('input', {bubbles: true}));
  element.dispatchEvent(new Event('change', {bubbles: true}));
  return {state: 'ready'};
)";

std::string string_literal(std::string_view text) {
    return boost::json::serialize(boost::json::string(text));
}

// Opens the arrow function and finds the first node `selector` matches as `node`.
std::string find_node(std::string_view selector) {
    std::string script = "(() => {\n  const selector = " + string_literal(selector) + ";\n";
    script += "  const node = ";
    script += is_xpath_selector(selector)
                  ? "document.evaluate(selector, document, null, "
                    "XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue;"
                  : "document.querySelector(selector);";
    return script;
}

constexpr std::string_view function_end = "})()";

std::string_view state_test(SelectorState state) {
    switch (state) {
        case SelectorState::attached:
            return "return !!node && node.isConnected;";
        case SelectorState::visible:
            return "return visible;";
        case SelectorState::hidden:
            return "return !visible;";
    }
    return "return false;";
}

}  // namespace

bool is_xpath_selector(std::string_view selector) {
    return !selector.empty() && selector.front() == '/';
}

std::string selector_state_script(std::string_view selector, SelectorState state) {
    std::string script = find_node(selector);
    if (state != SelectorState::attached) {
        script += visibility_check;
    } else {
        script += "\n";
    }
    script += "  ";
    script += state_test(state);
    script += "\n";
    script += function_end;
    return script;
}

std::string click_point_script(std::string_view selector) {
    std::string script = find_node(selector);
    script += "\n  if (!node || !node.isConnected) return {state: 'missing'};";
    script += visibility_check;
    script += click_point_body;
    script += function_end;
    return script;
}

std::string fill_selection_script(std::string_view selector) {
    std::string script = find_node(selector);
    script += missing_check;
    script += fill_selection_body;
    script += function_end;
    return script;
}

std::string select_option_script(std::string_view selector, std::string_view value) {
    std::string script = find_node(selector);
    script += "\n  const value = " + string_literal(value) + ";";
    script += missing_check;
    script += select_option_body;
    script += function_end;
    return script;
}

}  // namespace asyncscrape::browser
