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
    const std::string literal = boost::json::serialize(boost::json::string(selector));
    std::string script = "(() => {\n  const selector = " + literal + ";\n  const node = ";
    script += is_xpath_selector(selector)
                  ? "document.evaluate(selector, document, null, "
                    "XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue;"
                  : "document.querySelector(selector);";
    if (state != SelectorState::attached) {
        script += visibility_check;
    } else {
        script += "\n";
    }
    script += "  ";
    script += state_test(state);
    script += "\n})()";
    return script;
}

}  // namespace asyncscrape::browser
