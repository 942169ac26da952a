// The query parameters of the list endpoints: paging (`limit`, `offset`) and `status_filter`.
// Unknown parameters are ignored; a known one with a bad value names itself in the error.
#pragma once

#include <asyncscrape/error.hpp>
#include <asyncscrape/model.hpp>
#include <asyncscrape/store.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace asyncscrape::server {

struct ListParams {
    PageQuery page;                            // limit 1..1000 (default 50), offset >= 0
    std::optional<std::string> status_filter;  // as given, checked by the filter functions below
};

// `query` is the part of the target after '?', percent-encoded.
Outcome<ListParams> parse_list_params(std::string_view query);

Outcome<std::optional<RunStatus>> run_status_filter(const ListParams& params);
Outcome<std::optional<JobStatus>> job_status_filter(const ListParams& params);

}  // namespace asyncscrape::server
