// Boost.JSON mapping of the model types (the public json.hpp is the text-in, text-out face of it).
#pragma once

#include <asyncscrape/error.hpp>
#include <asyncscrape/json.hpp>
#include <asyncscrape/model.hpp>

#include <boost/json/value.hpp>

#include <string_view>

namespace asyncscrape {

// Parses a request body; depth-bombs and garbage give a clear "body: ..." error.
Outcome<boost::json::value> parse_json_body(std::string_view text);

// A body's shape as model values: JSON syntax, field names, JSON types, required fields and
// defaults, each problem naming its field. The contract's rules on the values are validate()'s:
// the public parse_* functions (json.hpp) apply it after these, and so does Runtime to whatever
// it is given. The API hands these results to Runtime, so that a POSTed collection's requests
// are checked once, by the same code as a collection built in code.
Outcome<CollectionSpec> read_collection_spec(std::string_view json, const ValidationLimits& limits);
Outcome<CollectionPatch> read_collection_patch(std::string_view json,
                                               const ValidationLimits& limits);
// Empty text is a body with no options.
Outcome<RunOptions> read_run_options(std::string_view json);

// Full objects as the API answers them.
boost::json::object to_value(const Collection& collection);          // with `requests`
boost::json::object to_summary_value(const Collection& collection);  // list item, no requests
boost::json::object to_value(const Request& request);
boost::json::object to_value(const Run& run);
boost::json::object to_value(const Job& job);
boost::json::object to_value(const JobResult& result);

}  // namespace asyncscrape
