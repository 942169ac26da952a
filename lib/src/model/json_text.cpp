// The public text face of the JSON mapping (asyncscrape/json.hpp).
#include "model/json_mapping.hpp"
#include "model/validation.hpp"
#include "util/time.hpp"

#include <boost/json/serialize.hpp>

namespace asyncscrape {

namespace {

// What was read, once the contract's rules hold for it: the public parsers are the API's reading
// and the runtime's check together.
template <class T, class... Limits>
Outcome<T> validated(Outcome<T> read, const Limits&... limits) {
    if (!read) {
        return read.error();
    }
    return validate(std::move(read).value(), limits...);
}

}  // namespace

Outcome<CollectionSpec> parse_collection_spec(std::string_view json,
                                              const ValidationLimits& limits) {
    return validated(read_collection_spec(json, limits), limits);
}

Outcome<CollectionPatch> parse_collection_patch(std::string_view json,
                                                const ValidationLimits& limits) {
    return validated(read_collection_patch(json, limits), limits);
}

Outcome<RunOptions> parse_run_options(std::string_view json) {
    return validated(read_run_options(json));
}

std::string to_json(const Collection& collection) {
    return boost::json::serialize(to_value(collection));
}
namespace {

// A JSON string as Boost.JSON writes it: '"' and '\\' escaped, control characters as their short
// escapes or as \u00XX (lowercase), everything else (UTF-8 included) as it is.
void append_string(std::string& out, std::string_view text) {
    static constexpr char hex[] = "0123456789abcdef";
    out.push_back('"');
    for (const char c : text) {
        switch (c) {
            case '"':
                out.append("\\\"");
                break;
            case '\\':
                out.append("\\\\");
                break;
            case '\b':
                out.append("\\b");
                break;
            case '\f':
                out.append("\\f");
                break;
            case '\n':
                out.append("\\n");
                break;
            case '\r':
                out.append("\\r");
                break;
            case '\t':
                out.append("\\t");
                break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    out.append("\\u00");
                    out.push_back(hex[(c >> 4) & 0xf]);
                    out.push_back(hex[c & 0xf]);
                } else {
                    out.push_back(c);
                }
        }
    }
    out.push_back('"');
}

// `"name":` after the object's '{' or its previous field.
void append_field(std::string& out, std::string_view name) {
    if (out.back() != '{') {
        out.push_back(',');
    }
    out.push_back('"');
    out.append(name).append("\":");
}

}  // namespace

// Written directly, not through to_value: a run's status is the API's most asked-for answer, and
// building a json::object for it cost more than all else the handler does. Same text as
// serialize(to_value(run)), which the tests hold it to.
std::string to_json(const Run& run) {
    std::string out;
    out.reserve(384);
    out.push_back('{');
    const auto string_field = [&out](std::string_view name, std::string_view value) {
        append_field(out, name);
        append_string(out, value);
    };
    const auto number_field = [&out](std::string_view name, std::int64_t value) {
        append_field(out, name);
        out.append(std::to_string(value));
    };
    const auto null_field = [&out](std::string_view name) {
        append_field(out, name);
        out.append("null");
    };
    string_field("run_id", run.run_id);
    string_field("status", to_string(run.status));
    number_field("total_requests", run.total_requests);
    number_field("success_requests", run.success_requests);
    number_field("failed_requests", run.failed_requests);
    number_field("timeout_requests", run.timeout_requests);
    number_field("cancelled_requests", run.cancelled_requests);
    string_field("collection_id", run.collection_id);
    string_field("created_at", Rfc3339Text(run.created_at).view());
    if (run.finished_at) {
        string_field("finished_at", Rfc3339Text(*run.finished_at).view());
    } else {
        null_field("finished_at");
    }
    if (run.callback_status) {
        string_field("callback_status", to_string(*run.callback_status));
    } else {
        null_field("callback_status");
    }
    out.push_back('}');
    return out;
}
std::string to_json(const Job& job) {
    return boost::json::serialize(to_value(job));
}
std::string to_json(const JobResult& result) {
    return boost::json::serialize(to_value(result));
}

}  // namespace asyncscrape
