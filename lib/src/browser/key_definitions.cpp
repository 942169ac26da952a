#include "browser/key_definitions.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <utility>

namespace asyncscrape::browser {

namespace {

struct KeyEntry {
    KeyDefinition definition;
    std::string shifted;  // the name of the same key with Shift held, when that differs
};

using KeyTable = std::map<std::string, KeyEntry, std::less<>>;

// A key that types a character: itself, and the character it types with Shift.
struct CharacterKey {
    char plain;
    char shifted;
    std::string_view code;
    int windows_virtual_key_code;
};

constexpr CharacterKey digit_and_symbol_keys[] = {
    {'1', '!', "Digit1", 49},      {'2', '@', "Digit2", 50},       {'3', '#', "Digit3", 51},
    {'4', '$', "Digit4", 52},      {'5', '%', "Digit5", 53},       {'6', '^', "Digit6", 54},
    {'7', '&', "Digit7", 55},      {'8', '*', "Digit8", 56},       {'9', '(', "Digit9", 57},
    {'0', ')', "Digit0", 48},      {'`', '~', "Backquote", 192},   {'-', '_', "Minus", 189},
    {'=', '+', "Equal", 187},      {'[', '{', "BracketLeft", 219}, {']', '}', "BracketRight", 221},
    {'\\', '|', "Backslash", 220}, {';', ':', "Semicolon", 186},   {'\'', '"', "Quote", 222},
    {',', '<', "Comma", 188},      {'.', '>', "Period", 190},      {'/', '?', "Slash", 191},
};

// Keys that type nothing (but Enter) and are named rather than typed.
constexpr struct {
    std::string_view name;
    std::string_view code;
    int windows_virtual_key_code;
    std::string_view text;
} named_keys[] = {
    {"Enter", "Enter", 13, "\r"},       {"Tab", "Tab", 9, ""},
    {"Escape", "Escape", 27, ""},       {"Backspace", "Backspace", 8, ""},
    {"Delete", "Delete", 46, ""},       {"Insert", "Insert", 45, ""},
    {"ArrowUp", "ArrowUp", 38, ""},     {"ArrowDown", "ArrowDown", 40, ""},
    {"ArrowLeft", "ArrowLeft", 37, ""}, {"ArrowRight", "ArrowRight", 39, ""},
    {"Home", "Home", 36, ""},           {"End", "End", 35, ""},
    {"PageUp", "PageUp", 33, ""},       {"PageDown", "PageDown", 34, ""},
    {"Shift", "ShiftLeft", 16, ""},     {"Control", "ControlLeft", 17, ""},
    {"Alt", "AltLeft", 18, ""},         {"Meta", "MetaLeft", 91, ""},
};

constexpr struct {
    std::string_view name;
    int bit;
} modifier_keys[] = {
    {"Alt", alt_modifier},
    {"Control", control_modifier},
    {"Meta", meta_modifier},
    {"Shift", shift_modifier},
};

void add_character_key(KeyTable& table, const CharacterKey& key) {
    const std::string plain(1, key.plain);
    const std::string shifted(1, key.shifted);
    const std::string code(key.code);
    table[plain] = {{plain, code, key.windows_virtual_key_code, plain}, shifted};
    table[shifted] = {{shifted, code, key.windows_virtual_key_code, shifted}, ""};
}

KeyTable build_key_table() {
    KeyTable table;
    for (char letter = 'a'; letter <= 'z'; ++letter) {
        // A letter's key is named, and its key code numbered, by its upper case.
        const char upper = static_cast<char>(letter - 'a' + 'A');
        const std::string code = std::string("Key") + upper;
        add_character_key(table, {letter, upper, code, upper});
    }
    for (const CharacterKey& key : digit_and_symbol_keys) {
        add_character_key(table, key);
    }
    for (const auto& named : named_keys) {
        table[std::string(named.name)] = {{std::string(named.name), std::string(named.code),
                                           named.windows_virtual_key_code, std::string(named.text)},
                                          ""};
    }
    const KeyDefinition space{" ", "Space", 32, " "};
    table["Space"] = {space, ""};
    table[" "] = {space, ""};
    // What `type` meets in multi-line text.
    table["\n"] = table["Enter"];
    table["\r"] = table["Enter"];
    table["\t"] = table["Tab"];
    return table;
}

const KeyTable& key_table() {
    static const KeyTable table = build_key_table();
    return table;
}

std::optional<int> modifier_bit(std::string_view name) {
    for (const auto& modifier : modifier_keys) {
        if (modifier.name == name) {
            return modifier.bit;
        }
    }
    return std::nullopt;
}

// The length of the UTF-8 sequence `lead` starts; a stray byte counts as one character.
std::size_t utf8_length(unsigned char lead) {
    if (lead >= 0xF0) {
        return 4;
    }
    if (lead >= 0xE0) {
        return 3;
    }
    if (lead >= 0xC0) {
        return 2;
    }
    return 1;
}

}  // namespace

std::optional<KeyDefinition> key_definition(std::string_view name) {
    const KeyTable& table = key_table();
    if (const auto entry = table.find(name); entry != table.end()) {
        return entry->second.definition;
    }
    return std::nullopt;
}

std::optional<KeyChord> parse_key_chord(std::string_view keys) {
    // The key is what follows the last '+' that is not itself the key ("Control++" presses '+').
    const std::size_t split =
        keys.size() < 2 ? std::string_view::npos : keys.rfind('+', keys.size() - 2);
    const std::string_view key_name =
        split == std::string_view::npos ? keys : keys.substr(split + 1);
    const KeyTable& table = key_table();
    const auto key = table.find(key_name);
    if (key == table.end()) {
        return std::nullopt;
    }
    KeyChord chord;
    std::string_view modifiers = split == std::string_view::npos ? "" : keys.substr(0, split + 1);
    while (!modifiers.empty()) {
        const std::size_t end = modifiers.find('+');
        const std::string_view name = modifiers.substr(0, end);
        const std::optional<int> bit = modifier_bit(name);
        if (!bit) {
            return std::nullopt;
        }
        chord.modifiers.push_back({*key_definition(name), *bit});
        chord.modifier_bits |= *bit;
        modifiers.remove_prefix(end + 1);
    }
    chord.key = key->second.definition;
    if ((chord.modifier_bits & shift_modifier) != 0 && !key->second.shifted.empty()) {
        chord.key = table.find(key->second.shifted)->second.definition;
    }
    if ((chord.modifier_bits & ~shift_modifier) != 0) {
        chord.key.text.clear();
    }
    return chord;
}

std::vector<Keystroke> keystrokes_for(std::string_view text) {
    std::vector<Keystroke> keystrokes;
    while (!text.empty()) {
        const std::size_t length =
            std::min(utf8_length(static_cast<unsigned char>(text.front())), text.size());
        const std::string_view character = text.substr(0, length);
        if (std::optional<KeyDefinition> key = key_definition(character)) {
            keystrokes.push_back({std::move(key), ""});
        } else {
            keystrokes.push_back({std::nullopt, std::string(character)});
        }
        text.remove_prefix(length);
    }
    return keystrokes;
}

}  // namespace asyncscrape::browser
