#include "browser/selector_script.hpp"

#include <catch2/catch.hpp>

#include <string>

using asyncscrape::SelectorState;
using asyncscrape::browser::click_point_script;
using asyncscrape::browser::fill_selection_script;
using asyncscrape::browser::is_xpath_selector;
using asyncscrape::browser::select_option_script;
using asyncscrape::browser::selector_state_script;

namespace {

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("a selector starting with a slash is XPath, anything else CSS", "[selector]") {
    CHECK(is_xpath_selector("//div[@id='a']"));
    CHECK(is_xpath_selector("/html/body"));
    CHECK_FALSE(is_xpath_selector("div > p"));
    CHECK_FALSE(is_xpath_selector(""));
    CHECK_FALSE(is_xpath_selector(" /html"));
}

TEST_CASE("CSS selectors are looked up with querySelector, XPath with document.evaluate",
          "[selector]") {
    const std::string css = selector_state_script("#late", SelectorState::attached);
    CHECK(contains(css, "document.querySelector(selector)"));
    CHECK_FALSE(contains(css, "document.evaluate"));
    CHECK(contains(css, R"(const selector = "#late";)"));

    const std::string xpath = selector_state_script("//p[@id='late']", SelectorState::attached);
    CHECK(contains(xpath, "document.evaluate(selector, document"));
    CHECK(contains(xpath, "FIRST_ORDERED_NODE_TYPE"));
    CHECK_FALSE(contains(xpath, "querySelector"));
    CHECK(contains(xpath, R"(const selector = "//p[@id='late']";)"));
}

TEST_CASE("the selector is embedded as a JSON string literal that cannot be broken out of",
          "[selector]") {
    const std::string script =
        selector_state_script("a[title=\"x\"]\\\n\"; alert(1); \"", SelectorState::attached);
    CHECK(contains(script, R"(const selector = "a[title=\"x\"]\\\n\"; alert(1); \"";)"));
    // One statement per line: the newline of the selector stays escaped.
    CHECK_FALSE(contains(script, "\\\n\""));
}

TEST_CASE("each state tests what it names", "[selector]") {
    const std::string attached = selector_state_script("p", SelectorState::attached);
    CHECK(contains(attached, "return !!node && node.isConnected;"));
    CHECK_FALSE(contains(attached, "getComputedStyle"));

    const std::string visible = selector_state_script("p", SelectorState::visible);
    CHECK(contains(visible, "getComputedStyle(element).visibility !== 'hidden'"));
    CHECK(contains(visible, "getBoundingClientRect().width > 0"));
    CHECK(contains(visible, "return visible;"));

    const std::string hidden = selector_state_script("p", SelectorState::hidden);
    CHECK(contains(hidden, "return !visible;"));

    for (const std::string& script : {attached, visible, hidden}) {
        CHECK(script.rfind("(() => {", 0) == 0);
        CHECK(script.substr(script.size() - 4) == "})()");
    }
}

TEST_CASE("every selector script looks its selector up the same way", "[selector]") {
    for (const std::string& script : {click_point_script("#go"), fill_selection_script("#go"),
                                      select_option_script("#go", "v")}) {
        CHECK(script.rfind("(() => {\n  const selector = \"#go\";", 0) == 0);
        CHECK(contains(script, "document.querySelector(selector)"));
        CHECK(contains(script, "return {state: 'missing'};"));
        CHECK(contains(script, "return {state: 'ready'"));
        CHECK(script.substr(script.size() - 4) == "})()");
    }
    for (const std::string& script :
         {click_point_script("//button"), fill_selection_script("//input"),
          select_option_script("//select", "v")}) {
        CHECK(contains(script, "document.evaluate(selector, document"));
        CHECK_FALSE(contains(script, "querySelector"));
    }
}

TEST_CASE("a click point is the visible centre of an element on top, scrolled into view",
          "[selector]") {
    const std::string script = click_point_script("#go");
    CHECK(contains(script, "return {state: 'hidden'};"));
    CHECK(contains(script,
                   "scrollIntoView({block: 'center', inline: 'center', behavior: 'instant'})"));
    CHECK(contains(script, "document.elementFromPoint(x, y)"));
    CHECK(contains(script, "label.control === element"));
    CHECK(contains(script, "return {state: 'covered'};"));
    CHECK(contains(script, "return {state: 'ready', x, y};"));
}

TEST_CASE("fill selects the content of text fields and editable elements only", "[selector]") {
    const std::string script = fill_selection_script("#name");
    CHECK(contains(script, "return {state: 'not-editable'};"));
    CHECK(contains(script, "return {state: 'disabled'};"));
    CHECK(contains(script, "return {state: 'read-only'};"));
    CHECK(contains(script, "element.select();"));
    CHECK(contains(script, "range.selectNodeContents(element);"));
}

TEST_CASE("select-option embeds the value as a string literal and fires input and change",
          "[selector]") {
    const std::string script = select_option_script("#size", "x\"); alert(1); (\"");
    CHECK(contains(script, R"(const value = "x\"); alert(1); (\"";)"));
    CHECK(contains(script, "o.value === value"));
    CHECK(contains(script, "o.label === value"));
    CHECK(contains(script, "return {state: 'not-select'};"));
    CHECK(contains(script, "return {state: 'no-option'};"));
    CHECK(contains(script, "new Event('input', {bubbles: true})"));
    CHECK(contains(script, "new Event('change', {bubbles: true})"));
}
