#include "browser/main_document.hpp"

#include "browser/cdp_fields.hpp"
#include "util/ascii.hpp"

namespace asyncscrape::browser {

namespace json = boost::json;

namespace {

std::optional<double> number_field(const json::object& object, std::string_view key) {
    if (const auto* field = object.if_contains(key); field && field->is_number()) {
        return field->to_number<double>();
    }
    return std::nullopt;
}

// Chromium joins repeated fields with '\n'; the contract joins them with ", ", except
// set-cookie, whose values may hold commas.
std::string join_repeated(std::string_view name, std::string_view value) {
    if (name == "set-cookie") {
        return std::string(value);
    }
    std::string joined;
    for (const char c : value) {
        if (c == '\n') {
            joined += ", ";
        } else {
            joined += c;
        }
    }
    return joined;
}

std::optional<double> time_to_first_byte(const json::object& response) {
    const auto* timing = response.if_contains("timing");
    if (!timing || !timing->is_object()) {
        return std::nullopt;
    }
    // Both are milliseconds after the request started; -1 means "did not happen".
    const std::optional<double> sent = number_field(timing->get_object(), "sendStart");
    const std::optional<double> headers = number_field(timing->get_object(), "receiveHeadersEnd");
    if (!sent || !headers || *sent < 0 || *headers < *sent) {
        return std::nullopt;
    }
    return *headers - *sent;
}

}  // namespace

std::optional<MainDocumentResponse> main_document_response(const json::object& response_received,
                                                           std::string_view main_frame_id) {
    if (string_field(response_received, "type") != "Document" ||
        string_field(response_received, "frameId") != main_frame_id) {
        return std::nullopt;
    }
    const auto* response = response_received.if_contains("response");
    if (!response || !response->is_object()) {
        return std::nullopt;
    }
    const json::object& fields = response->get_object();
    MainDocumentResponse main;
    main.status = static_cast<int>(number_field(fields, "status").value_or(0));
    main.url = std::string(string_field(fields, "url"));
    if (const auto* headers = fields.if_contains("headers"); headers && headers->is_object()) {
        for (const auto& [name, value] : headers->get_object()) {
            if (value.is_string()) {
                std::string lower = ascii_lower_case(name);
                std::string joined = join_repeated(lower, value.get_string());
                main.headers.emplace_back(std::move(lower), std::move(joined));
            }
        }
    }
    main.ttfb_ms = time_to_first_byte(fields);
    return main;
}

}  // namespace asyncscrape::browser
