// Many runs ending at once: deliveries in flight are bounded, every notice still goes out once.
#include "webhook_fixture.hpp"

#include <catch2/catch.hpp>

#include <set>
#include <vector>

using namespace asyncscrape;
using namespace asyncscrape::test;
using webhook::WebhookNotifier;

TEST_CASE("deliveries in flight stay within max_in_flight while the others wait their turn",
          "[webhook]") {
    WebhookFixture fixture;
    fixture.receiver.answer_with([](std::size_t) {
        ReceiverAnswer answer;
        answer.delay = std::chrono::milliseconds(30);
        return answer;
    });
    webhook::NotifierOptions options = fixture.options();
    options.max_in_flight = 3;
    WebhookNotifier notifier(fixture.io.get_executor(), fixture.store, WebhookFixture::config(),
                             std::move(options));
    // Stored first, then notified together: storing runs the io_context.
    std::vector<Run> runs;
    std::set<std::string> run_ids;
    for (int i = 0; i < 12; ++i) {
        runs.push_back(fixture.stored_run(fixture.receiver.url()));
        run_ids.insert(runs.back().run_id);
    }
    for (const Run& run : runs) {
        notifier.notify(run);
    }
    CHECK(notifier.active() == 12);
    fixture.run_until_reports(12);

    CHECK(fixture.receiver.peak_open_connections() <= 3);
    CHECK(fixture.receiver.requests().size() == 12);
    std::set<std::string> delivered;
    for (const auto& report : fixture.reports) {
        CHECK(report.status == CallbackStatus::sent);
        CHECK(report.attempts == 1);
        delivered.insert(report.run_id);
    }
    CHECK(delivered == run_ids);
    run_test_coroutine(fixture.io, notifier.stop());
}

TEST_CASE("a run notified twice is delivered once, a run without callback_url not at all",
          "[webhook]") {
    WebhookFixture fixture;
    WebhookNotifier notifier(fixture.io.get_executor(), fixture.store, WebhookFixture::config(),
                             fixture.options());
    const Run run = fixture.stored_run(fixture.receiver.url());
    Run silent = fixture.stored_run(fixture.receiver.url());
    silent.callback_url.reset();
    notifier.notify(run);
    notifier.notify(run);
    notifier.notify(silent);
    CHECK(notifier.active() == 1);
    fixture.run_until_reports(1);
    CHECK(fixture.receiver.requests().size() == 1);
    run_test_coroutine(fixture.io, notifier.stop());
}
