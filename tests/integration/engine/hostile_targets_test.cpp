// One run against every kind of hostile target beside well-behaved pages: each hostile job ends
// failed or timeout with an error that says what went wrong, the pages beside them finish first
// (they are not held up), and the process's memory stays bounded while targets send endless or
// giant bodies.
#include "runtime_test_support.hpp"

#include "support/run_test_coroutine.hpp"
#include "support/target_server.hpp"

#include <boost/asio/io_context.hpp>

#include <fstream>
#include <map>

namespace asio = boost::asio;
using namespace asyncscrape;
using namespace asyncscrape::test;

namespace {

struct Expected {
    JobStatus status;
    std::string error;  // the job's error starts with this
};

// Resident memory of this process, from /proc.
std::size_t resident_bytes() {
    std::ifstream statm("/proc/self/statm");
    std::size_t pages = 0;
    std::size_t resident = 0;
    statm >> pages >> resident;
    return resident * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

struct HostileRun {
    Run run;
    std::vector<Job> jobs;
    std::size_t peak_growth = 0;  // most resident memory gained while the run went on
};

asio::awaitable<HostileRun> run_beside_pages(Runtime& runtime, std::vector<Request> requests) {
    const std::size_t before = resident_bytes();
    const Run started = co_await start(runtime, std::move(requests));
    HostileRun outcome;
    for (Run seen = started; !seen.ended();) {
        auto next = co_await runtime.wait_progress(started.collection_id, started.run_id, seen);
        REQUIRE(next);
        seen = *next;
        outcome.peak_growth = std::max(outcome.peak_growth, resident_bytes() - before);
    }
    const auto ended = co_await runtime.get_run(started.collection_id, started.run_id);
    REQUIRE(ended);
    outcome.run = *ended;
    outcome.jobs = co_await jobs_of(runtime, outcome.run);
    co_await runtime.shutdown();
    co_return outcome;
}

}  // namespace

TEST_CASE("hostile targets end failed or timeout, clearly, without holding up the others") {
    asio::io_context io;
    TargetServer target(io);
    TargetServer self_signed(io, TargetTransport::tls_self_signed);
    TargetServer wrong_host(io, TargetTransport::tls_wrong_host);
    TargetServer expired(io, TargetTransport::tls_expired);
    const std::map<std::string, Expected> hostile{
        {target.url("/hang"), {JobStatus::timeout, "timeout while reading the response headers"}},
        {target.url("/headers-then-hang"),
         {JobStatus::timeout, "timeout while reading the response body"}},
        {target.url("/drip?bytes=100&interval_ms=1000"),
         {JobStatus::timeout, "timeout while reading the response body"}},
        {target.url("/reset"), {JobStatus::failed, "protocol:"}},
        {target.url("/endless-chunked"), {JobStatus::failed, "body too large"}},
        {target.url("/huge-declared"), {JobStatus::failed, "body too large"}},
        {target.url("/gzip-bomb"), {JobStatus::failed, "body too large"}},
        {target.url("/redirect-loop"), {JobStatus::failed, "too many redirects"}},
        {target.url("/not-http"), {JobStatus::failed, "protocol:"}},
        {self_signed.url("/page"),
         {JobStatus::failed, "tls: certificate verify failed: self-signed certificate"}},
        {wrong_host.url("/page"), {JobStatus::failed, "tls: certificate verify failed"}},
        {expired.url("/page"),
         {JobStatus::failed, "tls: certificate verify failed: certificate has expired"}},
    };
    constexpr int pages = 40;
    std::vector<Request> requests;
    for (const auto& [url, expected] : hostile) {
        requests.push_back(plain(url, 2000));
    }
    for (int i = 0; i < pages; ++i) {
        requests.push_back(plain(target.url("/page?n=" + std::to_string(i))));
    }

    RuntimeConfig config = local_config();
    config.max_response_bytes = 1024 * 1024;
    config.extra_ca_file = target.ca_file();
    Runtime runtime(io.get_executor(), config);
    const HostileRun outcome = run_test_coroutine(io, run_beside_pages(runtime, requests));

    CHECK(outcome.run.status == RunStatus::completed);
    CHECK(outcome.run.success_requests == pages);
    REQUIRE(outcome.jobs.size() == requests.size());
    TimePoint last_page{};
    TimePoint first_timeout = TimePoint::max();
    for (const Job& job : outcome.jobs) {
        INFO(job.url << ": " << to_string(job.status) << ", " << job.error.value_or("no error"));
        const auto expected = hostile.find(job.url);
        if (expected == hostile.end()) {
            CHECK(job.status == JobStatus::success);
            last_page = std::max(last_page, job.finished_at.value_or(TimePoint::max()));
            continue;
        }
        CHECK(job.status == expected->second.status);
        CHECK(job.error.value_or("").starts_with(expected->second.error));
        if (job.status == JobStatus::timeout) {
            first_timeout = std::min(first_timeout, job.finished_at.value_or(TimePoint{}));
        }
    }
    // The pages were not held up: all of them were done before the first hostile target had
    // used up its two seconds.
    CHECK(last_page < first_timeout);
    // Endless and giant bodies were cut at the 1 MB limit; gigabytes went by on loopback.
    CHECK(outcome.peak_growth < std::size_t{64} * 1024 * 1024);
}
