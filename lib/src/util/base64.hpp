// Standard base64 (RFC 4648): how a result shows a body that is not text, and how CDP sends
// binary data such as screenshots.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace asyncscrape {

// With padding.
std::string encode_base64(std::string_view bytes);

// The bytes `text` encodes (padding optional), or nullopt when it is not base64.
std::optional<std::string> decode_base64(std::string_view text);

}  // namespace asyncscrape
