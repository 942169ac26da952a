// Standard base64 decoding: CDP sends binary data (screenshots) that way.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace asyncscrape::browser {

// The bytes `text` encodes (RFC 4648 alphabet, padding optional), or nullopt when it is not
// base64.
std::optional<std::string> decode_base64(std::string_view text);

}  // namespace asyncscrape::browser
