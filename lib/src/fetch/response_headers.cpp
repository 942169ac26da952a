#include "fetch/response_headers.hpp"

#include "util/ascii.hpp"

#include <algorithm>
#include <string>

namespace asyncscrape::fetch {

void add_response_header(HeaderList& headers, std::string_view name, std::string_view value) {
    std::string lower = ascii_lower_case(name);
    const auto same_name = std::find_if(headers.begin(), headers.end(),
                                        [&](const auto& header) { return header.first == lower; });
    if (same_name == headers.end()) {
        headers.emplace_back(std::move(lower), std::string(value));
        return;
    }
    same_name->second += lower == "set-cookie" ? "\n" : ", ";
    same_name->second += value;
}

}  // namespace asyncscrape::fetch
