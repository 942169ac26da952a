// URL normalisation for request targets: `www.example.com` -> `https://www.example.com/`.
#pragma once

#include <asyncscrape/error.hpp>

#include <string>
#include <string_view>

namespace asyncscrape {

// Adds https:// when no scheme is given, lower-cases scheme and host, drops a default port,
// makes an empty path "/". Only http and https with a host; at most 8192 bytes. The error detail
// says what is wrong without a field name (the caller prefixes it).
Outcome<std::string> normalize_url(std::string_view text);

// "scheme://host:port" of a normalised URL (port always explicit): the key of per-host limits.
std::string origin_of(std::string_view normalized_url);

}  // namespace asyncscrape
