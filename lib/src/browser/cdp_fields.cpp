#include "browser/cdp_fields.hpp"

#include <boost/json/array.hpp>

namespace asyncscrape::browser {

namespace json = boost::json;

std::string_view string_field(const json::object& object, std::string_view key) {
    if (const auto* field = object.if_contains(key); field && field->is_string()) {
        return field->get_string();
    }
    return {};
}

json::object every_request_paused() {
    json::object every_request;
    every_request["urlPattern"] = "*";
    every_request["requestStage"] = "Request";
    json::object params;
    params["patterns"] = json::array{every_request};
    return params;
}

json::object children_attached_paused() {
    json::object params;
    params["autoAttach"] = true;
    params["waitForDebuggerOnStart"] = true;
    params["flatten"] = true;
    return params;
}

}  // namespace asyncscrape::browser
