// The plain model types everything below the HTTP edge works with. No I/O, no JSON: requests are
// parsed and validated once into these types (see json.hpp), and the engine, the store and the
// embedding API speak only these.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace asyncscrape {

using Clock = std::chrono::system_clock;
using TimePoint = Clock::time_point;

// Header fields in the order given; names as given for requests, lower-case for results.
using HeaderList = std::vector<std::pair<std::string, std::string>>;

enum class ActionType {
    wait_for_timeout,
    wait_for_selector,
    click,
    fill,
    type,
    press,
    hover,
    select_option,
    scroll,
    scroll_to_bottom,
    wait_for_navigation,
    evaluate,
};

enum class OnError { fail, skip };
enum class SelectorState { attached, visible, hidden };

// One step applied before capture. A flat record: each type reads only its own fields (the
// contract's "Actions" section lists them); the others keep their defaults.
struct Action {
    ActionType type = ActionType::wait_for_timeout;
    OnError on_error = OnError::fail;
    std::int64_t timeout_ms = 10000;  // every type: its own limit inside the deadline
    std::int64_t time_ms = 0;         // wait-for-timeout
    std::string selector;             // wait-for-selector click fill type hover select-option
    SelectorState state = SelectorState::visible;  // wait-for-selector
    std::string value;                             // fill, select-option
    std::string text;                              // type
    std::optional<std::int64_t> delay_ms;          // type, scroll-to-bottom
    std::string key;                               // press
    std::optional<std::int64_t> x;                 // scroll
    std::optional<std::int64_t> y;                 // scroll
    std::optional<std::int64_t> max_scrolls;       // scroll-to-bottom
    std::string script;                            // evaluate
};

// One element of a collection's `requests`, normalised (scheme added, defaults filled).
struct Request {
    std::string url;
    bool browser = false;
    bool screenshot = false;
    std::vector<Action> actions;
    std::string method = "GET";
    HeaderList headers;
    std::optional<std::string> body;
    std::int64_t timeout_ms = 30000;
    std::optional<std::string> custom_id;
};

// What a client submits to create or replace a collection.
struct CollectionSpec {
    std::string name;
    std::vector<Request> requests;
    std::optional<std::string> callback_url;
};

// A partial update (PUT): only the fields present are replaced.
struct CollectionPatch {
    std::optional<std::string> name;
    std::optional<std::vector<Request>> requests;
    std::optional<std::optional<std::string>> callback_url;
};

// What a run's start may say beyond the collection (the body of POST .../run).
struct RunOptions {
    std::optional<std::string> callback_url;  // instead of the collection's
};

// Requests are shared, never copied: a run keeps the snapshot it started with even when the
// collection is replaced afterwards.
using RequestList = std::shared_ptr<const std::vector<Request>>;

// Who owns a collection and everything below it: the tenant of the API key that created it.
// An open server (no API keys) and an embedder that names none act as the one tenant "".
using TenantId = std::string;

struct Collection {
    std::string id;
    TenantId tenant;
    std::string name;
    RequestList requests;
    std::optional<std::string> callback_url;
    TimePoint created_at{};
    TimePoint updated_at{};

    std::int64_t total_requests() const {
        return requests ? static_cast<std::int64_t>(requests->size()) : 0;
    }
};

enum class RunStatus { in_progress, completed, cancelled };

// Where the notice of a run's end stands; none while the run has no callback_url.
enum class CallbackStatus { pending, sent, failed };

enum class JobStatus { pending, running, success, failed, timeout, cancelled };

inline bool is_terminal(JobStatus s) {
    return s != JobStatus::pending && s != JobStatus::running;
}

struct Run {
    std::string run_id;
    std::string collection_id;
    TenantId tenant;  // the collection's
    RunStatus status = RunStatus::in_progress;
    std::int64_t total_requests = 0;
    std::int64_t success_requests = 0;
    std::int64_t failed_requests = 0;
    std::int64_t timeout_requests = 0;
    std::int64_t cancelled_requests = 0;
    TimePoint created_at{};
    std::optional<TimePoint> finished_at;
    // Notified when the run ends (the collection's, or the one its start named instead).
    std::optional<std::string> callback_url;
    std::optional<CallbackStatus> callback_status;  // pending from the start when there is one

    std::int64_t finished_requests() const {
        return success_requests + failed_requests + timeout_requests + cancelled_requests;
    }
    bool ended() const { return status != RunStatus::in_progress; }

    // Adds a job's terminal status to the counters; pending and running count nowhere.
    void count(JobStatus job) {
        switch (job) {
            case JobStatus::success:
                ++success_requests;
                break;
            case JobStatus::failed:
                ++failed_requests;
                break;
            case JobStatus::timeout:
                ++timeout_requests;
                break;
            case JobStatus::cancelled:
                ++cancelled_requests;
                break;
            case JobStatus::pending:
            case JobStatus::running:
                break;
        }
    }
};

// One request of one run.
struct Job {
    std::string job_id;
    std::string run_id;
    std::int64_t index = 0;
    std::string url;
    std::optional<std::string> custom_id;
    JobStatus status = JobStatus::pending;
    std::optional<int> status_code;
    int attempts = 0;
    std::optional<std::string> error;
    std::optional<TimePoint> started_at;
    std::optional<TimePoint> finished_at;
    std::optional<std::int64_t> duration_ms;
};

// The id of a run's job `index`: derived from the two (a UUID made from their SHA-256), not drawn
// at random, so that a run of a million jobs needs no table of ids in memory. Every Store gives
// the jobs it creates for a run these ids.
std::string job_id_of(std::string_view run_id, std::int64_t index);

// Milliseconds spent in each phase of the last attempt; queue_wait_ms is the time a job waited
// for a concurrency slot, total_ms the whole job.
struct Timings {
    double queue_wait_ms = 0;
    double dns_ms = 0;
    double connect_ms = 0;
    double tls_ms = 0;
    double ttfb_ms = 0;
    double total_ms = 0;
};

enum class ActionStatus { ok, failed, skipped };

struct ActionOutcome {
    ActionType type = ActionType::wait_for_timeout;
    ActionStatus status = ActionStatus::ok;
    std::int64_t duration_ms = 0;
    std::optional<std::string> error;
    std::optional<std::string> value_json;  // evaluate: the value, serialised as JSON text
};

// What a finished job produced. `body` holds the decoded bytes; the JSON mapping shows them as
// text when they are valid UTF-8 and as base64 otherwise.
struct JobResult {
    std::string job_id;
    std::int64_t index = 0;
    JobStatus status = JobStatus::pending;
    std::string url;
    std::string final_url;
    std::optional<int> status_code;
    HeaderList headers;
    std::string body;
    std::optional<std::string> error;
    Timings timings;
    std::vector<ActionOutcome> actions;
    std::optional<std::string> screenshot;  // path of the screenshot endpoint, when one was taken
    std::optional<std::string> custom_id;
};

// Spellings used on the wire; the inverse parsers return nullopt for unknown text.
std::string_view to_string(ActionType t);
std::string_view to_string(OnError e);
std::string_view to_string(SelectorState s);
std::string_view to_string(RunStatus s);
std::string_view to_string(CallbackStatus s);
std::string_view to_string(JobStatus s);
std::string_view to_string(ActionStatus s);
std::optional<ActionType> parse_action_type(std::string_view text);
std::optional<RunStatus> parse_run_status(std::string_view text);
std::optional<CallbackStatus> parse_callback_status(std::string_view text);
std::optional<JobStatus> parse_job_status(std::string_view text);

}  // namespace asyncscrape
