// The keys `press` and `type` know, as a US keyboard produces them: a key name (as
// KeyboardEvent.key spells it: "Enter", "ArrowLeft", "Space") or a printable character, with the
// fields Input.dispatchKeyEvent needs. Pure, so that the table is tested without a browser.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace asyncscrape::browser {

struct KeyDefinition {
    std::string key;   // KeyboardEvent.key: "Enter", "a", "A", " "
    std::string code;  // KeyboardEvent.code, the physical key: "Enter", "KeyA", "Space"
    // What KeyboardEvent.keyCode reports; Blink's editing shortcuts (Control+A) match on it.
    int windows_virtual_key_code = 0;
    // What the key types, empty for none. Enter types "\r": that is what submits a form.
    std::string text;
};

// Modifier bits as the Input domain counts them.
inline constexpr int alt_modifier = 1;
inline constexpr int control_modifier = 2;
inline constexpr int meta_modifier = 4;
inline constexpr int shift_modifier = 8;

struct ModifierKey {
    KeyDefinition key;
    int bit = 0;
};

// A key pressed alone or while modifiers are held, e.g. "Control+A" or "Shift+Tab".
struct KeyChord {
    std::vector<ModifierKey> modifiers;  // pressed in this order, released in reverse
    int modifier_bits = 0;               // all of them
    // With Shift held, the shifted key ("Shift+a" is "A", "Shift+1" is "!"); with any other
    // modifier held it types nothing, as on a real keyboard.
    KeyDefinition key;
};

// How `type` enters one character: by its key, or, for a character no key of the layout
// produces (such as 'é'), as text inserted the way an input method does.
struct Keystroke {
    std::optional<KeyDefinition> key;
    std::string inserted_text;  // when there is no key
};

// The key `name` denotes, if the layout has it: a key name, a printable ASCII character, or
// "\n" / "\r" (Enter) and "\t" (Tab).
std::optional<KeyDefinition> key_definition(std::string_view name);

// `keys` as `press` reads it: "<Modifier>+...+<key>" with the modifiers Shift, Control, Alt and
// Meta; nullopt when a part is unknown.
std::optional<KeyChord> parse_key_chord(std::string_view keys);

// The keystrokes that type `text` (UTF-8), one per character.
std::vector<Keystroke> keystrokes_for(std::string_view text);

}  // namespace asyncscrape::browser
