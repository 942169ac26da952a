#include "browser/key_definitions.hpp"

#include <catch2/catch.hpp>

#include <string>

using asyncscrape::browser::control_modifier;
using asyncscrape::browser::key_definition;
using asyncscrape::browser::KeyChord;
using asyncscrape::browser::KeyDefinition;
using asyncscrape::browser::Keystroke;
using asyncscrape::browser::keystrokes_for;
using asyncscrape::browser::parse_key_chord;
using asyncscrape::browser::shift_modifier;

namespace {

void check_key(const std::optional<KeyDefinition>& definition, const std::string& key,
               const std::string& code, int windows_virtual_key_code, const std::string& text) {
    REQUIRE(definition);
    CHECK(definition->key == key);
    CHECK(definition->code == code);
    CHECK(definition->windows_virtual_key_code == windows_virtual_key_code);
    CHECK(definition->text == text);
}

}  // namespace

TEST_CASE("named keys carry the code, key code and text a keyboard sends", "[keys]") {
    // Enter types "\r": Chromium submits a form on it.
    check_key(key_definition("Enter"), "Enter", "Enter", 13, "\r");
    check_key(key_definition("Tab"), "Tab", "Tab", 9, "");
    check_key(key_definition("Escape"), "Escape", "Escape", 27, "");
    check_key(key_definition("Backspace"), "Backspace", "Backspace", 8, "");
    check_key(key_definition("Delete"), "Delete", "Delete", 46, "");
    check_key(key_definition("ArrowUp"), "ArrowUp", "ArrowUp", 38, "");
    check_key(key_definition("ArrowDown"), "ArrowDown", "ArrowDown", 40, "");
    check_key(key_definition("ArrowLeft"), "ArrowLeft", "ArrowLeft", 37, "");
    check_key(key_definition("ArrowRight"), "ArrowRight", "ArrowRight", 39, "");
    check_key(key_definition("Home"), "Home", "Home", 36, "");
    check_key(key_definition("End"), "End", "End", 35, "");
    check_key(key_definition("PageUp"), "PageUp", "PageUp", 33, "");
    check_key(key_definition("PageDown"), "PageDown", "PageDown", 34, "");
    check_key(key_definition("Space"), " ", "Space", 32, " ");
    check_key(key_definition("Control"), "Control", "ControlLeft", 17, "");
}

TEST_CASE("printable characters are the keys of a US layout", "[keys]") {
    check_key(key_definition("a"), "a", "KeyA", 65, "a");
    check_key(key_definition("A"), "A", "KeyA", 65, "A");
    check_key(key_definition("z"), "z", "KeyZ", 90, "z");
    check_key(key_definition("0"), "0", "Digit0", 48, "0");
    check_key(key_definition("!"), "!", "Digit1", 49, "!");
    check_key(key_definition(" "), " ", "Space", 32, " ");
    check_key(key_definition("/"), "/", "Slash", 191, "/");
    check_key(key_definition("?"), "?", "Slash", 191, "?");
    check_key(key_definition("\""), "\"", "Quote", 222, "\"");
    check_key(key_definition("\n"), "Enter", "Enter", 13, "\r");
    check_key(key_definition("\t"), "Tab", "Tab", 9, "");
}

TEST_CASE("unknown names are no key", "[keys]") {
    CHECK_FALSE(key_definition("Foo"));
    CHECK_FALSE(key_definition("enter"));
    CHECK_FALSE(key_definition(""));
    CHECK_FALSE(key_definition("ab"));
    CHECK_FALSE(key_definition("\xc3\xa9"));  // é: no key of the layout
}

TEST_CASE("a chord holds its modifiers around the key", "[keys]") {
    const std::optional<KeyChord> select_all = parse_key_chord("Control+A");
    REQUIRE(select_all);
    REQUIRE(select_all->modifiers.size() == 1);
    CHECK(select_all->modifiers[0].key.key == "Control");
    CHECK(select_all->modifiers[0].bit == control_modifier);
    CHECK(select_all->modifier_bits == control_modifier);
    CHECK(select_all->key.key == "A");
    CHECK(select_all->key.windows_virtual_key_code == 65);
    // A shortcut types nothing.
    CHECK(select_all->key.text.empty());

    const std::optional<KeyChord> back_tab = parse_key_chord("Shift+Tab");
    REQUIRE(back_tab);
    CHECK(back_tab->modifier_bits == shift_modifier);
    CHECK(back_tab->key.key == "Tab");

    const std::optional<KeyChord> both = parse_key_chord("Control+Shift+ArrowLeft");
    REQUIRE(both);
    REQUIRE(both->modifiers.size() == 2);
    CHECK(both->modifiers[0].key.key == "Control");
    CHECK(both->modifiers[1].key.key == "Shift");
    CHECK(both->modifier_bits == (control_modifier | shift_modifier));
}

TEST_CASE("Shift gives a key its shifted character", "[keys]") {
    const std::optional<KeyChord> upper = parse_key_chord("Shift+a");
    REQUIRE(upper);
    CHECK(upper->key.key == "A");
    CHECK(upper->key.text == "A");
    const std::optional<KeyChord> bang = parse_key_chord("Shift+1");
    REQUIRE(bang);
    CHECK(bang->key.key == "!");
    CHECK(bang->key.code == "Digit1");
}

TEST_CASE("a key alone is a chord without modifiers, and '+' can be the key", "[keys]") {
    const std::optional<KeyChord> enter = parse_key_chord("Enter");
    REQUIRE(enter);
    CHECK(enter->modifiers.empty());
    CHECK(enter->key.text == "\r");

    const std::optional<KeyChord> plus = parse_key_chord("+");
    REQUIRE(plus);
    CHECK(plus->key.key == "+");
    const std::optional<KeyChord> zoom = parse_key_chord("Control++");
    REQUIRE(zoom);
    CHECK(zoom->key.key == "+");
    CHECK(zoom->modifier_bits == control_modifier);
}

TEST_CASE("a chord with an unknown part is unknown", "[keys]") {
    CHECK_FALSE(parse_key_chord("Foo"));
    CHECK_FALSE(parse_key_chord("Hyper+A"));
    CHECK_FALSE(parse_key_chord("Control+"));
    CHECK_FALSE(parse_key_chord("Control+Foo"));
    CHECK_FALSE(parse_key_chord("A+Control"));
    CHECK_FALSE(parse_key_chord("++"));
    CHECK_FALSE(parse_key_chord(""));
}

TEST_CASE("typed text is one keystroke per character, inserted where no key types it", "[keys]") {
    const std::vector<Keystroke> keystrokes = keystrokes_for("Hi \xc3\xa9!\n");
    REQUIRE(keystrokes.size() == 6);
    REQUIRE(keystrokes[0].key);
    CHECK(keystrokes[0].key->key == "H");
    CHECK(keystrokes[0].key->code == "KeyH");
    REQUIRE(keystrokes[1].key);
    CHECK(keystrokes[1].key->text == "i");
    REQUIRE(keystrokes[2].key);
    CHECK(keystrokes[2].key->code == "Space");
    CHECK_FALSE(keystrokes[3].key);
    CHECK(keystrokes[3].inserted_text == "\xc3\xa9");
    REQUIRE(keystrokes[4].key);
    CHECK(keystrokes[4].key->key == "!");
    REQUIRE(keystrokes[5].key);
    CHECK(keystrokes[5].key->key == "Enter");

    // A character outside the BMP is one keystroke of four bytes.
    const std::vector<Keystroke> emoji = keystrokes_for("\xf0\x9f\x98\x80");
    REQUIRE(emoji.size() == 1);
    CHECK(emoji[0].inserted_text == "\xf0\x9f\x98\x80");
    CHECK(keystrokes_for("").empty());
}
