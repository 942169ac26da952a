// Boost.JSON mapping of the model types (the public json.hpp is the text-in, text-out face of it).
// Parsing validates every field of the contract and names the offending one in the error.
#pragma once

#include <asyncscrape/error.hpp>
#include <asyncscrape/json.hpp>
#include <asyncscrape/model.hpp>

#include <boost/json/value.hpp>

#include <string_view>

namespace asyncscrape {

// Parses a request body; depth-bombs and garbage give a clear "body: ..." error.
Outcome<boost::json::value> parse_json_body(std::string_view text);

Outcome<CollectionSpec> parse_collection_spec(const boost::json::value& body,
                                              const ValidationLimits& limits);
Outcome<CollectionPatch> parse_collection_patch(const boost::json::value& body,
                                                const ValidationLimits& limits);
Outcome<RunOptions> parse_run_options(const boost::json::value& body);

// Full objects as the API answers them.
boost::json::object to_value(const Collection& collection);          // with `requests`
boost::json::object to_summary_value(const Collection& collection);  // list item, no requests
boost::json::object to_value(const Request& request);
boost::json::object to_value(const Run& run);
boost::json::object to_value(const Job& job);
boost::json::object to_value(const JobResult& result);

}  // namespace asyncscrape
