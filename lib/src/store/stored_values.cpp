#include "store/stored_values.hpp"

#include "store/sqlite_connection.hpp"

#include <boost/json.hpp>

#include <initializer_list>

namespace asyncscrape {
namespace json = boost::json;
namespace {

[[noreturn]] void corrupt(std::string_view what) {
    throw SqliteError(SQLITE_CORRUPT, "stored value is not valid: " + std::string(what));
}

template <class Enum>
Enum decode_enum(std::string_view text, std::initializer_list<Enum> values) {
    for (const Enum value : values) {
        if (to_string(value) == text) {
            return value;
        }
    }
    corrupt(text);
}

json::value parse_stored(std::string_view text) {
    boost::system::error_code error;
    json::value value = json::parse(text, error);
    if (error) {
        corrupt(error.message());
    }
    return value;
}

const json::object& object_of(const json::value& value) {
    if (!value.is_object()) {
        corrupt("object expected");
    }
    return value.get_object();
}

const json::array& array_of(const json::value& value) {
    if (!value.is_array()) {
        corrupt("array expected");
    }
    return value.get_array();
}

// Field access that names what is missing instead of asserting.
const json::value& field(const json::object& object, std::string_view key) {
    const auto* value = object.if_contains(key);
    if (value == nullptr) {
        corrupt(key);
    }
    return *value;
}

std::string text_field(const json::object& object, std::string_view key) {
    const auto& value = field(object, key);
    if (!value.is_string()) {
        corrupt(key);
    }
    return std::string(value.get_string());
}

std::int64_t integer_field(const json::object& object, std::string_view key) {
    const auto& value = field(object, key);
    if (!value.is_int64()) {
        corrupt(key);
    }
    return value.get_int64();
}

double number_field(const json::object& object, std::string_view key) {
    boost::system::error_code error;
    const double number = field(object, key).to_number<double>(error);
    if (error) {
        corrupt(key);
    }
    return number;
}

bool bool_field(const json::object& object, std::string_view key) {
    const auto& value = field(object, key);
    if (!value.is_bool()) {
        corrupt(key);
    }
    return value.get_bool();
}

// Optional fields are left out when empty.
void put_optional(json::object& object, std::string_view key,
                  const std::optional<std::string>& value) {
    if (value) {
        object[key] = *value;
    }
}

void put_optional(json::object& object, std::string_view key,
                  const std::optional<std::int64_t>& value) {
    if (value) {
        object[key] = *value;
    }
}

std::optional<std::string> optional_text(const json::object& object, std::string_view key) {
    return object.contains(key) ? std::optional(text_field(object, key)) : std::nullopt;
}

std::optional<std::int64_t> optional_integer(const json::object& object, std::string_view key) {
    return object.contains(key) ? std::optional(integer_field(object, key)) : std::nullopt;
}

ActionType decode_action_type(std::string_view text) {
    if (auto type = parse_action_type(text)) {
        return *type;
    }
    corrupt(text);
}

json::object encode_action(const Action& action) {
    json::object object;
    object["type"] = to_string(action.type);
    object["on_error"] = to_string(action.on_error);
    object["timeout_ms"] = action.timeout_ms;
    object["time_ms"] = action.time_ms;
    object["selector"] = action.selector;
    object["state"] = to_string(action.state);
    object["value"] = action.value;
    object["text"] = action.text;
    put_optional(object, "delay_ms", action.delay_ms);
    object["key"] = action.key;
    put_optional(object, "x", action.x);
    put_optional(object, "y", action.y);
    put_optional(object, "max_scrolls", action.max_scrolls);
    object["script"] = action.script;
    return object;
}

Action decode_action(const json::value& value) {
    const auto& object = object_of(value);
    Action action;
    action.type = decode_action_type(text_field(object, "type"));
    action.on_error = decode_enum(text_field(object, "on_error"), {OnError::fail, OnError::skip});
    action.timeout_ms = integer_field(object, "timeout_ms");
    action.time_ms = integer_field(object, "time_ms");
    action.selector = text_field(object, "selector");
    action.state =
        decode_enum(text_field(object, "state"),
                    {SelectorState::attached, SelectorState::visible, SelectorState::hidden});
    action.value = text_field(object, "value");
    action.text = text_field(object, "text");
    action.delay_ms = optional_integer(object, "delay_ms");
    action.key = text_field(object, "key");
    action.x = optional_integer(object, "x");
    action.y = optional_integer(object, "y");
    action.max_scrolls = optional_integer(object, "max_scrolls");
    action.script = text_field(object, "script");
    return action;
}

json::array encode_header_array(const HeaderList& headers) {
    json::array array;
    array.reserve(headers.size());
    for (const auto& [name, value] : headers) {
        array.push_back(json::array{json::string(name), json::string(value)});
    }
    return array;
}

HeaderList decode_header_array(const json::value& value) {
    HeaderList headers;
    for (const auto& pair : array_of(value)) {
        const auto& fields = array_of(pair);
        if (fields.size() != 2 || !fields[0].is_string() || !fields[1].is_string()) {
            corrupt("header");
        }
        headers.emplace_back(std::string(fields[0].get_string()),
                             std::string(fields[1].get_string()));
    }
    return headers;
}

}  // namespace

std::string encode_request(const Request& request) {
    json::object object;
    object["url"] = request.url;
    object["browser"] = request.browser;
    object["screenshot"] = request.screenshot;
    json::array actions;
    for (const auto& action : request.actions) {
        actions.push_back(encode_action(action));
    }
    object["actions"] = std::move(actions);
    object["method"] = request.method;
    object["headers"] = encode_header_array(request.headers);
    put_optional(object, "body", request.body);
    object["timeout_ms"] = request.timeout_ms;
    put_optional(object, "custom_id", request.custom_id);
    return json::serialize(object);
}

Request decode_request(std::string_view text) {
    const json::value value = parse_stored(text);
    const auto& object = object_of(value);
    Request request;
    request.url = text_field(object, "url");
    request.browser = bool_field(object, "browser");
    request.screenshot = bool_field(object, "screenshot");
    for (const auto& action : array_of(field(object, "actions"))) {
        request.actions.push_back(decode_action(action));
    }
    request.method = text_field(object, "method");
    request.headers = decode_header_array(field(object, "headers"));
    request.body = optional_text(object, "body");
    request.timeout_ms = integer_field(object, "timeout_ms");
    request.custom_id = optional_text(object, "custom_id");
    return request;
}

std::string encode_headers(const HeaderList& headers) {
    return json::serialize(encode_header_array(headers));
}

HeaderList decode_headers(std::string_view text) {
    return decode_header_array(parse_stored(text));
}

std::string encode_action_outcomes(const std::vector<ActionOutcome>& outcomes) {
    json::array array;
    for (const auto& outcome : outcomes) {
        json::object object;
        object["type"] = to_string(outcome.type);
        object["status"] = to_string(outcome.status);
        object["duration_ms"] = outcome.duration_ms;
        put_optional(object, "error", outcome.error);
        put_optional(object, "value_json", outcome.value_json);
        array.push_back(std::move(object));
    }
    return json::serialize(array);
}

std::vector<ActionOutcome> decode_action_outcomes(std::string_view text) {
    std::vector<ActionOutcome> outcomes;
    const json::value parsed = parse_stored(text);
    for (const auto& value : array_of(parsed)) {
        const auto& object = object_of(value);
        ActionOutcome outcome;
        outcome.type = decode_action_type(text_field(object, "type"));
        outcome.status =
            decode_enum(text_field(object, "status"),
                        {ActionStatus::ok, ActionStatus::failed, ActionStatus::skipped});
        outcome.duration_ms = integer_field(object, "duration_ms");
        outcome.error = optional_text(object, "error");
        outcome.value_json = optional_text(object, "value_json");
        outcomes.push_back(std::move(outcome));
    }
    return outcomes;
}

std::string encode_timings(const Timings& timings) {
    return json::serialize(json::object{{"queue_wait_ms", timings.queue_wait_ms},
                                        {"dns_ms", timings.dns_ms},
                                        {"connect_ms", timings.connect_ms},
                                        {"tls_ms", timings.tls_ms},
                                        {"ttfb_ms", timings.ttfb_ms},
                                        {"total_ms", timings.total_ms}});
}

Timings decode_timings(std::string_view text) {
    const json::value value = parse_stored(text);
    const auto& object = object_of(value);
    Timings timings;
    timings.queue_wait_ms = number_field(object, "queue_wait_ms");
    timings.dns_ms = number_field(object, "dns_ms");
    timings.connect_ms = number_field(object, "connect_ms");
    timings.tls_ms = number_field(object, "tls_ms");
    timings.ttfb_ms = number_field(object, "ttfb_ms");
    timings.total_ms = number_field(object, "total_ms");
    return timings;
}

std::int64_t to_nanoseconds(TimePoint time) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(time.time_since_epoch()).count();
}

TimePoint from_nanoseconds(std::int64_t count) {
    return TimePoint(std::chrono::duration_cast<Clock::duration>(std::chrono::nanoseconds(count)));
}

std::optional<std::int64_t> to_nanoseconds(const std::optional<TimePoint>& time) {
    return time ? std::optional(to_nanoseconds(*time)) : std::nullopt;
}

std::optional<TimePoint> from_nanoseconds(const std::optional<std::int64_t>& count) {
    return count ? std::optional(from_nanoseconds(*count)) : std::nullopt;
}

RunStatus decode_run_status(std::string_view text) {
    return decode_enum(text, {RunStatus::in_progress, RunStatus::completed, RunStatus::cancelled});
}

CallbackStatus decode_callback_status(std::string_view text) {
    return decode_enum(text,
                       {CallbackStatus::pending, CallbackStatus::sent, CallbackStatus::failed});
}

JobStatus decode_job_status(std::string_view text) {
    return decode_enum(text, {JobStatus::pending, JobStatus::running, JobStatus::success,
                              JobStatus::failed, JobStatus::timeout, JobStatus::cancelled});
}

}  // namespace asyncscrape
