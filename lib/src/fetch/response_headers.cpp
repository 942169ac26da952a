#include "fetch/response_headers.hpp"

#include <algorithm>
#include <cctype>
#include <string>

namespace asyncscrape::fetch {

namespace {

std::string lower_case(std::string_view text) {
    std::string lower(text);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return lower;
}

}  // namespace

HeaderList collect_response_headers(const boost::beast::http::fields& fields) {
    HeaderList headers;
    for (const auto& field : fields) {
        std::string name = lower_case(field.name_string());
        const auto same_name =
            std::find_if(headers.begin(), headers.end(),
                         [&](const auto& header) { return header.first == name; });
        if (same_name == headers.end()) {
            headers.emplace_back(std::move(name), std::string(field.value()));
            continue;
        }
        same_name->second += name == "set-cookie" ? "\n" : ", ";
        same_name->second += field.value();
    }
    return headers;
}

}  // namespace asyncscrape::fetch
