// Media types of request bodies: the API takes JSON only.
#pragma once

#include <string_view>

namespace asyncscrape::server {

// application/json or any application/<x>+json, case-insensitive, parameters (charset) ignored.
bool is_json_media_type(std::string_view content_type);

}  // namespace asyncscrape::server
