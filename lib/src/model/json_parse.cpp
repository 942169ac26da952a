// JSON -> model: the shape of the input (field names, JSON types, required fields) is checked
// here; the rules on the values are validate()'s (validation.cpp), applied after.
#include "model/action_fields.hpp"
#include "model/field_path.hpp"
#include "model/json_mapping.hpp"
#include "model/validation.hpp"
#include "model/wire_names.hpp"

#include <boost/json/error.hpp>
#include <boost/json/parse.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <limits>

namespace asyncscrape {
namespace json = boost::json;
namespace {

// Far deeper than any valid body (an action sits five levels down); a deeper one is refused
// before the parser builds it.
constexpr std::size_t max_body_depth = 64;

std::optional<std::int64_t> as_integer(const json::value& value) {
    if (value.is_int64()) {
        return value.get_int64();
    }
    if (value.is_uint64()) {  // the parser makes these only above int64's range; code may not
        const auto n = value.get_uint64();
        return n <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())
                   ? std::optional(static_cast<std::int64_t>(n))
                   : std::nullopt;
    }
    if (value.is_double()) {
        // 5000.0 is an integer; bounds well inside int64 so that the cast is exact. Anything
        // beyond them is outside every range the contract allows anyway.
        const double d = value.get_double();
        if (std::trunc(d) == d && std::fabs(d) <= 9.0e18) {
            return static_cast<std::int64_t>(d);
        }
    }
    return std::nullopt;
}

// Reads the fields of one JSON object into model fields. The first problem sticks and makes
// later reads no-ops, so that a parser reads every field and looks at the outcome once.
class FieldReader {
  public:
    FieldReader(const json::object& object, const FieldPath& path) : object_(object), path_(path) {}

    // The field's value, or nullptr when it is absent or null: null means "not given".
    const json::value* given(std::string_view key) const {
        const auto* value = object_.if_contains(key);
        return value != nullptr && !value->is_null() ? value : nullptr;
    }

    FieldPath path_of(std::string_view key) const { return path_.field(key); }

    void fail(std::string_view key, std::string_view what) {
        if (!problem_) {
            problem_ = invalid(path_of(key).str() + ": " + std::string(what));
        }
    }

    const Problem& problem() const { return problem_; }

    void require(std::string_view key) {
        if (given(key) == nullptr) {
            fail(key, "required");
        }
    }

    void read(std::string_view key, std::string& out,
              std::string_view expectation = "must be a string") {
        if (const auto* value = given(key); value != nullptr && !problem_) {
            if (const auto* text = value->if_string()) {
                out = std::string(*text);
            } else {
                fail(key, expectation);
            }
        }
    }

    void read(std::string_view key, std::optional<std::string>& out) {
        if (given(key) != nullptr) {
            read(key, out.emplace());
        }
    }

    void read(std::string_view key, bool& out) {
        if (const auto* value = given(key); value != nullptr && !problem_) {
            if (const auto* flag = value->if_bool()) {
                out = *flag;
            } else {
                fail(key, "must be true or false");
            }
        }
    }

    // Only the JSON type is checked here; `range` names the field's rule in the message, which
    // validation.cpp applies to the value.
    void read(std::string_view key, std::int64_t& out, IntRange range) {
        if (const auto* value = given(key); value != nullptr && !problem_) {
            if (const auto n = as_integer(*value)) {
                out = *n;
            } else {
                fail(key, must_be_integer_between(range));
            }
        }
    }

    void read(std::string_view key, std::optional<std::int64_t>& out, IntRange range) {
        if (given(key) != nullptr) {
            read(key, out.emplace(), range);
        }
    }

    // A string naming one value of an enumeration, through its wire-name parser.
    template <class Enum>
    void read_choice(std::string_view key, Enum& out,
                     std::optional<Enum> (*parse)(std::string_view), std::string_view expectation) {
        std::string text;
        read(key, text, expectation);
        if (given(key) != nullptr && !problem_) {
            if (const auto value = parse(text)) {
                out = *value;
            } else {
                fail(key, expectation);
            }
        }
    }

  private:
    const json::object& object_;
    FieldPath path_;
    Problem problem_;
};

Problem reject_unknown_fields(const json::object& object, const FieldPath& path,
                              std::initializer_list<std::string_view> known) {
    for (const auto& entry : object) {
        if (std::find(known.begin(), known.end(), entry.key()) == known.end()) {
            return invalid(path.field(entry.key()).str() + ": unknown field");
        }
    }
    return {};
}

void read_action_field(FieldReader& fields, ActionField field, Action& action) {
    const std::string_view key = to_string(field);
    switch (field) {
        case ActionField::time:
            fields.read(key, action.time_ms, wait_time_range);
            break;
        case ActionField::selector:
            fields.read(key, action.selector);
            break;
        case ActionField::state:
            fields.read_choice(key, action.state, &parse_selector_state,
                               "must be \"attached\", \"visible\" or \"hidden\"");
            break;
        case ActionField::value:
            fields.read(key, action.value);
            break;
        case ActionField::text:
            fields.read(key, action.text);
            break;
        case ActionField::delay:
            fields.read(key, action.delay_ms, delay_range);
            break;
        case ActionField::key:
            fields.read(key, action.key);
            break;
        case ActionField::x:
            fields.read(key, action.x, scroll_offset_range);
            break;
        case ActionField::y:
            fields.read(key, action.y, scroll_offset_range);
            break;
        case ActionField::max_scrolls:
            fields.read(key, action.max_scrolls, max_scrolls_range);
            break;
        case ActionField::script:
            fields.read(key, action.script);
            break;
    }
}

bool takes_field(ActionType type, std::string_view key) {
    if (key == "type" || key == "on_error" || key == "timeout") {
        return true;
    }
    const auto field = parse_action_field(key);
    const auto uses = fields_of(type);
    return field && std::any_of(uses.begin(), uses.end(),
                                [&](const ActionFieldUse& use) { return use.field == *field; });
}

Outcome<Action> read_action(const json::value& value, const FieldPath& path) {
    const auto* object = value.if_object();
    if (object == nullptr) {
        return invalid(path.str() + ": must be an object");
    }
    FieldReader fields(*object, path);
    std::string type_name;
    fields.require("type");
    fields.read("type", type_name);
    if (fields.problem()) {
        return *fields.problem();
    }
    const auto type = parse_action_type(type_name);
    if (!type) {
        return invalid(fields.path_of("type").str() + ": unknown action type \"" + type_name +
                       "\"");
    }
    for (const auto& entry : *object) {
        if (!takes_field(*type, entry.key())) {
            return invalid(fields.path_of(entry.key()).str() + ": unknown field");
        }
    }
    Action action;
    action.type = *type;
    fields.read_choice("on_error", action.on_error, &parse_on_error,
                       "must be \"fail\" or \"skip\"");
    fields.read("timeout", action.timeout_ms, action_timeout_range);
    for (const auto& use : fields_of(*type)) {
        if (use.required) {
            fields.require(to_string(use.field));
        }
        read_action_field(fields, use.field, action);
    }
    if (fields.problem()) {
        return *fields.problem();
    }
    return action;
}

Problem read_headers(const json::value& value, const FieldPath& path, HeaderList& out) {
    const auto* object = value.if_object();
    if (object == nullptr) {
        return invalid(path.str() + ": must be an object of strings");
    }
    for (const auto& entry : *object) {
        const auto* text = entry.value().if_string();
        if (text == nullptr) {
            return invalid(path.field(entry.key()).str() + ": must be a string");
        }
        out.emplace_back(std::string(entry.key()), std::string(*text));
    }
    return {};
}

Problem read_actions(const json::value& value, const FieldPath& path, std::vector<Action>& out) {
    const auto* array = value.if_array();
    if (array == nullptr) {
        return invalid(path.str() + ": must be an array");
    }
    out.reserve(array->size());
    for (std::size_t i = 0; i < array->size(); ++i) {
        auto action = read_action((*array)[i], path.index(i));
        if (!action) {
            return action.error();
        }
        out.push_back(std::move(action).value());
    }
    return {};
}

Outcome<Request> read_request(const json::value& value, const FieldPath& path,
                              const ValidationLimits& limits) {
    const auto* object = value.if_object();
    if (object == nullptr) {
        return invalid(path.str() + ": must be an object");
    }
    if (auto problem = reject_unknown_fields(*object, path,
                                             {"url", "browser", "screenshot", "actions", "method",
                                              "headers", "body", "timeout_ms", "custom_id"})) {
        return *problem;
    }
    Request request;
    request.timeout_ms = limits.default_timeout_ms;
    FieldReader fields(*object, path);
    fields.require("url");
    fields.read("url", request.url);
    fields.read("browser", request.browser);
    fields.read("screenshot", request.screenshot);
    fields.read("method", request.method);
    fields.read("body", request.body);
    fields.read("timeout_ms", request.timeout_ms, request_timeout_range);
    fields.read("custom_id", request.custom_id);
    if (fields.problem()) {
        return *fields.problem();
    }
    if (const auto* headers = fields.given("headers")) {
        if (auto problem = read_headers(*headers, fields.path_of("headers"), request.headers)) {
            return *problem;
        }
    }
    if (const auto* actions = fields.given("actions")) {
        if (auto problem = read_actions(*actions, fields.path_of("actions"), request.actions)) {
            return *problem;
        }
    }
    return request;
}

Outcome<std::vector<Request>> read_requests(const json::value& value,
                                            const ValidationLimits& limits) {
    const auto* array = value.if_array();
    if (array == nullptr) {
        return invalid("requests: " + must_be_request_array(limits));
    }
    if (auto problem = check_request_count(array->size(), limits)) {
        return *problem;
    }
    std::vector<Request> requests;
    requests.reserve(array->size());
    const FieldPath requests_path = FieldPath().field("requests");
    for (std::size_t i = 0; i < array->size(); ++i) {
        auto request = read_request((*array)[i], requests_path.index(i), limits);
        if (!request) {
            return request.error();
        }
        requests.push_back(std::move(request).value());
    }
    return requests;
}

// The top level of a POST or PUT body: an object with only the collection's fields.
Outcome<const json::object*> collection_object(const json::value& body) {
    const auto* object = body.if_object();
    if (object == nullptr) {
        return invalid("body: must be a JSON object");
    }
    if (auto problem =
            reject_unknown_fields(*object, FieldPath(), {"name", "requests", "callback_url"})) {
        return *problem;
    }
    return object;
}

Outcome<CollectionSpec> read_collection_spec(const json::value& body,
                                             const ValidationLimits& limits) {
    const auto object = collection_object(body);
    if (!object) {
        return object.error();
    }
    CollectionSpec spec;
    FieldReader fields(**object, FieldPath());
    fields.require("name");
    fields.read("name", spec.name, must_be_name());
    fields.read("callback_url", spec.callback_url);
    fields.require("requests");
    if (fields.problem()) {
        return *fields.problem();
    }
    auto requests = read_requests(*fields.given("requests"), limits);
    if (!requests) {
        return requests.error();
    }
    spec.requests = std::move(requests).value();
    return spec;
}

Outcome<RunOptions> read_run_options(const json::value& body) {
    const auto* object = body.if_object();
    if (object == nullptr) {
        return invalid("body: must be a JSON object");
    }
    if (auto problem = reject_unknown_fields(*object, FieldPath(), {"callback_url"})) {
        return *problem;
    }
    RunOptions options;
    FieldReader fields(*object, FieldPath());
    fields.read("callback_url", options.callback_url);
    if (fields.problem()) {
        return *fields.problem();
    }
    return options;
}

Outcome<CollectionPatch> read_collection_patch(const json::value& body,
                                               const ValidationLimits& limits) {
    const auto object = collection_object(body);
    if (!object) {
        return object.error();
    }
    if ((*object)->empty()) {
        return invalid("body: give at least one of name, requests, callback_url");
    }
    CollectionPatch patch;
    FieldReader fields(**object, FieldPath());
    // In a PUT, name and requests may be left out but not emptied: null is no value for them.
    if ((*object)->contains("name")) {
        if (fields.given("name") == nullptr) {
            fields.fail("name", must_be_name());
        }
        fields.read("name", patch.name.emplace(), must_be_name());
    }
    if ((*object)->contains("callback_url")) {
        fields.read("callback_url", patch.callback_url.emplace());
    }
    if ((*object)->contains("requests") && fields.given("requests") == nullptr) {
        fields.fail("requests", must_be_request_array(limits));
    }
    if (fields.problem()) {
        return *fields.problem();
    }
    if (const auto* requests_value = fields.given("requests")) {
        auto requests = read_requests(*requests_value, limits);
        if (!requests) {
            return requests.error();
        }
        patch.requests = std::move(requests).value();
    }
    return patch;
}

}  // namespace

Outcome<json::value> parse_json_body(std::string_view text) {
    json::parse_options options;
    options.max_depth = max_body_depth;
    boost::system::error_code ec;
    json::value value = json::parse(text, ec, json::storage_ptr(), options);
    if (ec == json::error::too_deep) {
        return invalid("body: JSON nested too deeply");
    }
    if (ec) {
        return invalid("body: invalid JSON: " + ec.message());
    }
    return value;
}

Outcome<CollectionSpec> read_collection_spec(std::string_view json,
                                             const ValidationLimits& limits) {
    auto body = parse_json_body(json);
    if (!body) {
        return body.error();
    }
    return read_collection_spec(*body, limits);
}

Outcome<CollectionPatch> read_collection_patch(std::string_view json,
                                               const ValidationLimits& limits) {
    auto body = parse_json_body(json);
    if (!body) {
        return body.error();
    }
    return read_collection_patch(*body, limits);
}

Outcome<RunOptions> read_run_options(std::string_view json) {
    if (json.empty()) {
        return RunOptions{};
    }
    auto body = parse_json_body(json);
    if (!body) {
        return body.error();
    }
    return read_run_options(*body);
}

}  // namespace asyncscrape
