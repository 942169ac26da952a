// ASCII case for protocol text: header names, URL schemes, host names, methods. std::tolower reads
// the C locale through a call per character, and protocol text is ASCII whatever the locale says.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>

namespace asyncscrape {

constexpr char ascii_lower(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

constexpr char ascii_upper(char c) {
    return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
}

inline void make_ascii_lower_case(std::string& text) {
    std::transform(text.begin(), text.end(), text.begin(), ascii_lower);
}

inline void make_ascii_upper_case(std::string& text) {
    std::transform(text.begin(), text.end(), text.begin(), ascii_upper);
}

inline std::string ascii_lower_case(std::string_view text) {
    std::string lower(text);
    make_ascii_lower_case(lower);
    return lower;
}

// Whether `text` equals `lower` (lower-case) but for the case of its ASCII letters.
constexpr bool equals_ascii_lower(std::string_view text, std::string_view lower) {
    return text.size() == lower.size() &&
           std::equal(text.begin(), text.end(), lower.begin(),
                      [](char a, char b) { return ascii_lower(a) == b; });
}

}  // namespace asyncscrape
