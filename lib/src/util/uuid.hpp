// Ids of collections, runs and jobs: random lower-case UUID v4 strings.
#pragma once

#include <string>
#include <string_view>

namespace asyncscrape {

std::string new_uuid();
// True for the canonical lower-case 8-4-4-4-12 form of a version 4 UUID; a path segment that is
// not one answers 404 like an unknown id.
bool is_uuid(std::string_view text);

}  // namespace asyncscrape
