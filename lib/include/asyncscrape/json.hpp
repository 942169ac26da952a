// The JSON face of the model types: parsing with validation (every rule of the contract, errors
// naming the field) and serialisation, as the HTTP API uses them. Text in, text out, so that this
// header pulls in no JSON library.
#pragma once

#include <asyncscrape/error.hpp>
#include <asyncscrape/model.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace asyncscrape {

struct ValidationLimits {
    std::size_t max_requests = 100000;
    std::int64_t default_timeout_ms = 30000;
};

// Checks a spec built in code against the same rules as parsed JSON, filling defaults and
// normalising URLs in place.
Outcome<CollectionSpec> validate(CollectionSpec spec, const ValidationLimits& limits);
Outcome<RunOptions> validate(RunOptions options);

Outcome<CollectionSpec> parse_collection_spec(std::string_view json,
                                              const ValidationLimits& limits);
Outcome<CollectionPatch> parse_collection_patch(std::string_view json,
                                                const ValidationLimits& limits);
// The body of POST .../run: empty, or an object with the RunOptions fields.
Outcome<RunOptions> parse_run_options(std::string_view json);

std::string to_json(const Collection& collection);
std::string to_json(const Run& run);
std::string to_json(const Job& job);
std::string to_json(const JobResult& result);

}  // namespace asyncscrape
