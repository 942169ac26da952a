// The contract's rules on the model types: validate() applies them to every collection, whether
// it was read from JSON (json_parse.cpp reads only its shape) or built in code, so that both
// paths accept exactly the same collections.
// Each check normalises in place where the contract says so and names the offending field, with
// its full path, in the error detail: "requests[1].actions[0].time: must be an integer ...".
#pragma once

#include <asyncscrape/error.hpp>
#include <asyncscrape/json.hpp>
#include <asyncscrape/model.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace asyncscrape {

struct IntRange {
    std::int64_t min;
    std::int64_t max;

    bool contains(std::int64_t n) const { return n >= min && n <= max; }
};

inline constexpr IntRange request_timeout_range{1000, 300000};
inline constexpr IntRange action_timeout_range{1, 300000};
inline constexpr IntRange wait_time_range{0, 60000};
inline constexpr IntRange delay_range{0, 60000};
inline constexpr IntRange scroll_offset_range{-1000000, 1000000};
inline constexpr IntRange max_scrolls_range{1, 1000};

// "must be an integer between 0 and 60000": the one message for a wrong type and a wrong value.
std::string must_be_integer_between(IntRange range);
std::string must_be_name();                                         // the same for `name`
std::string must_be_request_array(const ValidationLimits& limits);  // and for `requests`

// A problem, or nullopt when the value keeps the rules.
using Problem = std::optional<Error>;

Problem check_request_count(std::size_t count, const ValidationLimits& limits);
// The count, then each request in order (its actions too): the first problem is the one
// reported, e.g. "requests[3].url: ...".
Problem check_requests(std::vector<Request>& requests, const ValidationLimits& limits);

// The rules on the parts a patch gives; what it leaves is the stored collection's, checked when
// that was stored.
Outcome<CollectionPatch> validate(CollectionPatch patch, const ValidationLimits& limits);

}  // namespace asyncscrape
