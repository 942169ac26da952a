// Ids of collections, runs and jobs, as lower-case UUID strings: random ones (version 4) for
// collections and runs, ones derived from a name (version 8, from SHA-256) for jobs.
#pragma once

#include <string>
#include <string_view>

namespace asyncscrape {

std::string new_uuid();
// The same name gives the same id: the first 16 bytes of the name's SHA-256 as a version 8 UUID
// (the layout RFC 9562 gives for hash-based ids). Distinct names collide with the odds of random
// 122-bit ids.
std::string uuid_from_name(std::string_view name);
// True for the canonical lower-case 8-4-4-4-12 form of a version 4 or version 8 UUID; a path
// segment that is not one answers 404 like an unknown id.
bool is_uuid(std::string_view text);

}  // namespace asyncscrape
