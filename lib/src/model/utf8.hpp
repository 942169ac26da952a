// UTF-8 checks for the JSON edge: text fields count characters (code points), not bytes, and a
// result body is shown as text only when it is valid UTF-8.
#pragma once

#include <cstddef>
#include <string_view>

namespace asyncscrape {

// Strict RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF, no truncation.
bool is_valid_utf8(std::string_view bytes);

// Code points in valid UTF-8 text (every byte that does not continue a sequence).
std::size_t count_code_points(std::string_view text);

}  // namespace asyncscrape
