#include "server/query.hpp"

#include "util/digest.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>

namespace asyncscrape::server {
namespace {

constexpr std::int64_t max_limit = 1000;

// The whole text as a decimal integer without sign or spaces.
std::optional<std::int64_t> parse_integer(std::string_view text) {
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || text.front() == '-' || ec != std::errc{} ||
        end != text.data() + text.size()) {
        return std::nullopt;
    }
    return value;
}

// Percent-decodes a query key or value; '+' is a space, as HTML forms encode it.
std::optional<std::string> decode_component(std::string_view text) {
    std::string decoded;
    decoded.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '+') {
            decoded += ' ';
        } else if (text[i] != '%') {
            decoded += text[i];
        } else {
            const int high = i + 2 < text.size() ? hex_digit_value(text[i + 1]) : -1;
            const int low = high >= 0 ? hex_digit_value(text[i + 2]) : -1;
            if (low < 0) {
                return std::nullopt;
            }
            decoded += static_cast<char>(high * 16 + low);
            i += 2;
        }
    }
    return decoded;
}

template <class Status, class Parse>
Outcome<std::optional<Status>> status_filter(const ListParams& params,
                                             std::initializer_list<Status> statuses, Parse parse) {
    if (!params.status_filter) {
        return std::optional<Status>{};
    }
    if (auto status = parse(*params.status_filter)) {
        return std::optional<Status>{*status};
    }
    std::string detail = "status_filter: must be one of ";
    for (const Status status : statuses) {
        if (status != *statuses.begin()) {
            detail += ", ";
        }
        detail += to_string(status);
    }
    return invalid(std::move(detail));
}

}  // namespace

Outcome<ListParams> parse_list_params(std::string_view query) {
    ListParams params;
    while (!query.empty()) {
        const std::string_view pair = query.substr(0, query.find('&'));
        query.remove_prefix(std::min(pair.size() + 1, query.size()));
        const auto equals = pair.find('=');
        const auto key = decode_component(pair.substr(0, equals));
        const auto value = decode_component(
            equals == std::string_view::npos ? std::string_view() : pair.substr(equals + 1));
        if (!key || !value) {
            return invalid("query: malformed percent-encoding");
        }
        if (*key == "limit") {
            const auto limit = parse_integer(*value);
            if (!limit || *limit < 1 || *limit > max_limit) {
                return invalid("limit: must be an integer between 1 and 1000");
            }
            params.page.limit = *limit;
        } else if (*key == "offset") {
            const auto offset = parse_integer(*value);
            if (!offset) {
                return invalid("offset: must be a non-negative integer");
            }
            params.page.offset = *offset;
        } else if (*key == "status_filter") {
            params.status_filter = *value;
        }
    }
    return params;
}

Outcome<std::optional<RunStatus>> run_status_filter(const ListParams& params) {
    return status_filter(params,
                         {RunStatus::in_progress, RunStatus::completed, RunStatus::cancelled},
                         parse_run_status);
}

Outcome<std::optional<JobStatus>> job_status_filter(const ListParams& params) {
    return status_filter(params,
                         {JobStatus::pending, JobStatus::running, JobStatus::success,
                          JobStatus::failed, JobStatus::timeout, JobStatus::cancelled},
                         parse_job_status);
}

}  // namespace asyncscrape::server
