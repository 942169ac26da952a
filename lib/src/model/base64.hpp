// Standard base64 (RFC 4648, with padding): how a result shows a body that is not text.
#pragma once

#include <string>
#include <string_view>

namespace asyncscrape {

std::string encode_base64(std::string_view bytes);

}  // namespace asyncscrape
