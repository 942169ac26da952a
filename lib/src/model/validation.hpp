// The contract's rules on the model types, shared by the JSON parser (json_parse.cpp) and by
// validate() for specs built in code, so that both paths accept exactly the same collections.
// Each check normalises in place where the contract says so and names the offending field, with
// its full path, in the error detail: "requests[1].actions[0].time: must be an integer ...".
#pragma once

#include "model/field_path.hpp"

#include <asyncscrape/error.hpp>
#include <asyncscrape/json.hpp>
#include <asyncscrape/model.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

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

Problem check_name(const std::string& name);
Problem check_request_count(std::size_t count, const ValidationLimits& limits);
Problem check_callback_url(std::optional<std::string>& callback_url);
// `path` is the request's own, e.g. requests[3]; checks its actions too.
Problem check_request(Request& request, const FieldPath& path);

}  // namespace asyncscrape
