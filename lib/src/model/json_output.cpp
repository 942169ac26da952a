// Model -> JSON, with the contract's field names; absent optional values are null.
#include "model/action_fields.hpp"
#include "model/json_mapping.hpp"
#include "model/utf8.hpp"
#include "util/base64.hpp"
#include "util/time.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value_from.hpp>

#include <cmath>

namespace asyncscrape {
namespace json = boost::json;
namespace {

template <class T>
json::value or_null(const std::optional<T>& value) {
    return value ? json::value_from(*value) : json::value(nullptr);
}

json::value time_or_null(const std::optional<TimePoint>& time) {
    return time ? json::value(Rfc3339Text(*time).view()) : json::value(nullptr);
}

// Whole milliseconds, like every other duration of the API: Boost.JSON 1.81 prints any fraction
// in exponent form (1.235E0), which reads badly and trips naive clients.
std::int64_t whole_milliseconds(double ms) {
    return std::llround(ms);
}

json::value action_field_value(const Action& action, ActionField field) {
    switch (field) {
        case ActionField::time:
            return action.time_ms;
        case ActionField::selector:
            return json::value(action.selector);
        case ActionField::state:
            return json::value(to_string(action.state));
        case ActionField::value:
            return json::value(action.value);
        case ActionField::text:
            return json::value(action.text);
        case ActionField::delay:
            return or_null(action.delay_ms);
        case ActionField::key:
            return json::value(action.key);
        case ActionField::x:
            return or_null(action.x);
        case ActionField::y:
            return or_null(action.y);
        case ActionField::max_scrolls:
            return or_null(action.max_scrolls);
        case ActionField::script:
            return json::value(action.script);
    }
    return nullptr;
}

// The type, its own fields (optional ones without a value as null), on_error and timeout.
json::object to_value(const Action& action) {
    json::object out;
    out["type"] = to_string(action.type);
    for (const auto& use : fields_of(action.type)) {
        out[to_string(use.field)] = action_field_value(action, use.field);
    }
    out["on_error"] = to_string(action.on_error);
    out["timeout"] = action.timeout_ms;
    return out;
}

json::object to_value(const ActionOutcome& outcome) {
    json::object out{
        {"type", to_string(outcome.type)},
        {"status", to_string(outcome.status)},
        {"duration_ms", outcome.duration_ms},
    };
    if (outcome.error) {
        out["error"] = *outcome.error;
    }
    if (outcome.value_json) {
        // The browser serialised the value; should that text not parse, the client still gets
        // it, as a string.
        boost::system::error_code ec;
        json::value value = json::parse(*outcome.value_json, ec);
        out["value"] = ec ? json::value(*outcome.value_json) : std::move(value);
    }
    return out;
}

json::object to_value(const Timings& timings) {
    return {
        {"queue_wait_ms", whole_milliseconds(timings.queue_wait_ms)},
        {"dns_ms", whole_milliseconds(timings.dns_ms)},
        {"connect_ms", whole_milliseconds(timings.connect_ms)},
        {"tls_ms", whole_milliseconds(timings.tls_ms)},
        {"ttfb_ms", whole_milliseconds(timings.ttfb_ms)},
        {"total_ms", whole_milliseconds(timings.total_ms)},
    };
}

// Request headers keep the names as given; a result's repeated names are joined the way the
// contract says (", ", set-cookie with "\n") in case the fetcher left any apart.
json::object request_headers(const HeaderList& headers) {
    json::object out;
    for (const auto& [name, value] : headers) {
        out[name] = value;
    }
    return out;
}

json::object result_headers(const HeaderList& headers) {
    json::object out;
    for (const auto& [name, value] : headers) {
        const auto [it, inserted] = out.emplace(name, value);
        if (!inserted) {
            auto& joined = it->value().as_string();
            joined += name == "set-cookie" ? "\n" : ", ";
            joined += value;
        }
    }
    return out;
}

}  // namespace

json::object to_value(const Request& request) {
    json::array actions;
    actions.reserve(request.actions.size());
    for (const auto& action : request.actions) {
        actions.push_back(to_value(action));
    }
    return {
        {"url", request.url},
        {"browser", request.browser},
        {"screenshot", request.screenshot},
        {"actions", std::move(actions)},
        {"method", request.method},
        {"headers", request_headers(request.headers)},
        {"body", or_null(request.body)},
        {"timeout_ms", request.timeout_ms},
        {"custom_id", or_null(request.custom_id)},
    };
}

json::object to_value(const Collection& collection) {
    json::array requests;
    if (collection.requests) {
        requests.reserve(collection.requests->size());
        for (const auto& request : *collection.requests) {
            requests.push_back(to_value(request));
        }
    }
    return {
        {"id", collection.id},
        {"name", collection.name},
        {"requests", std::move(requests)},
        {"callback_url", or_null(collection.callback_url)},
        {"total_requests", collection.total_requests()},
        {"created_at", Rfc3339Text(collection.created_at).view()},
        {"updated_at", Rfc3339Text(collection.updated_at).view()},
    };
}

json::object to_summary_value(const Collection& collection) {
    return {
        {"id", collection.id},
        {"name", collection.name},
        {"total_requests", collection.total_requests()},
        {"created_at", Rfc3339Text(collection.created_at).view()},
    };
}

json::object to_value(const Run& run) {
    return {
        {"run_id", run.run_id},
        {"status", to_string(run.status)},
        {"total_requests", run.total_requests},
        {"success_requests", run.success_requests},
        {"failed_requests", run.failed_requests},
        {"timeout_requests", run.timeout_requests},
        {"cancelled_requests", run.cancelled_requests},
        {"collection_id", run.collection_id},
        {"created_at", Rfc3339Text(run.created_at).view()},
        {"finished_at", time_or_null(run.finished_at)},
        {"callback_status",
         run.callback_status ? json::value(to_string(*run.callback_status)) : json::value(nullptr)},
    };
}

json::object to_value(const Job& job) {
    return {
        {"job_id", job.job_id},
        {"index", job.index},
        {"url", job.url},
        {"custom_id", or_null(job.custom_id)},
        {"status", to_string(job.status)},
        {"status_code", or_null(job.status_code)},
        {"attempts", job.attempts},
        {"error", or_null(job.error)},
        {"started_at", time_or_null(job.started_at)},
        {"finished_at", time_or_null(job.finished_at)},
        {"duration_ms", or_null(job.duration_ms)},
    };
}

json::object to_value(const JobResult& result) {
    const bool text = is_valid_utf8(result.body);
    json::array actions;
    actions.reserve(result.actions.size());
    for (const auto& outcome : result.actions) {
        actions.push_back(to_value(outcome));
    }
    return {
        {"job_id", result.job_id},
        {"status", to_string(result.status)},
        {"url", result.url},
        // Empty when no response ever arrived (a DNS failure, say): then there is no final URL.
        {"final_url",
         result.final_url.empty() ? json::value(nullptr) : json::value(result.final_url)},
        {"status_code", or_null(result.status_code)},
        {"headers", result_headers(result.headers)},
        {"html", text ? json::value(result.body) : json::value(encode_base64(result.body))},
        {"encoding", text ? "text" : "base64"},
        {"error", or_null(result.error)},
        {"timings", to_value(result.timings)},
        {"actions", std::move(actions)},
        {"screenshot", or_null(result.screenshot)},
        {"custom_id", or_null(result.custom_id)},
    };
}

}  // namespace asyncscrape
