// Deliveries across a restart: resume() goes on from the tries recorded and waits for the next
// one's time; stop() ends waits and tries at once and leaves the notice pending in the store.
#include "webhook_fixture.hpp"

#include <catch2/catch.hpp>

using namespace asyncscrape;
using namespace asyncscrape::test;
using webhook::WebhookNotifier;

TEST_CASE("resume() of a notice with 3 tries made does only the 5 left", "[webhook]") {
    WebhookFixture fixture;
    fixture.receiver.answer_with([](std::size_t) { return status_answer(502); });
    WebhookNotifier notifier(fixture.io.get_executor(), fixture.store, WebhookFixture::config(),
                             fixture.options());
    const Run run = fixture.stored_run(fixture.receiver.url());
    std::vector<PendingCallback> pending{{run, 3, std::nullopt}};
    notifier.resume(std::move(pending));
    fixture.run_until_reports(1);

    CHECK(fixture.receiver.requests().size() == 5);
    REQUIRE(fixture.reports.size() == 1);
    CHECK(fixture.reports[0].status == CallbackStatus::failed);
    CHECK(fixture.reports[0].attempts == 8);
    const auto& records = fixture.store.callback_records();
    REQUIRE(records.size() == 5);
    CHECK(records.front().attempts == 4);
    CHECK(records.back().status == CallbackStatus::failed);
    CHECK(records.back().attempts == 8);
    run_test_coroutine(fixture.io, notifier.stop());
}

TEST_CASE("resume() waits for the recorded next try", "[webhook]") {
    WebhookFixture fixture;
    WebhookNotifier notifier(fixture.io.get_executor(), fixture.store, WebhookFixture::config(),
                             fixture.options());
    const Run run = fixture.stored_run(fixture.receiver.url());
    const TimePoint next_try = Clock::now() + std::chrono::milliseconds(300);
    std::vector<PendingCallback> pending{{run, 1, next_try}};
    notifier.resume(std::move(pending));
    fixture.run_until_reports(1);

    REQUIRE(fixture.receiver.requests().size() == 1);
    CHECK(fixture.receiver.requests()[0].received_at >= next_try - std::chrono::milliseconds(5));
    CHECK(fixture.reports[0].status == CallbackStatus::sent);
    CHECK(fixture.reports[0].attempts == 2);
    run_test_coroutine(fixture.io, notifier.stop());
}

TEST_CASE("resume() of a notice whose every try was made ends it failed without sending",
          "[webhook]") {
    WebhookFixture fixture;
    WebhookNotifier notifier(fixture.io.get_executor(), fixture.store, WebhookFixture::config(),
                             fixture.options());
    const Run run = fixture.stored_run(fixture.receiver.url());
    std::vector<PendingCallback> pending{{run, 8, std::nullopt}};
    notifier.resume(std::move(pending));
    fixture.run_until_reports(1);

    CHECK(fixture.receiver.requests().empty());
    CHECK(fixture.reports[0].status == CallbackStatus::failed);
    CHECK(fixture.reports[0].attempts == 8);
    CHECK(fixture.stored_status(run) == CallbackStatus::failed);
    run_test_coroutine(fixture.io, notifier.stop());
}

TEST_CASE("stop() ends a wait for the next try at once and leaves the notice pending",
          "[webhook]") {
    WebhookFixture fixture;
    fixture.receiver.answer_with([](std::size_t) { return status_answer(503); });
    webhook::NotifierOptions options = fixture.options();
    options.schedule = webhook::RetrySchedule();  // the real one: the next try in 27 to 33 s
    WebhookNotifier notifier(fixture.io.get_executor(), fixture.store, WebhookFixture::config(),
                             std::move(options));
    const Run run = fixture.stored_run(fixture.receiver.url());
    notifier.notify(run);
    run_test_coroutine(fixture.io, fixture.wait_for_records(1));
    REQUIRE(notifier.active() == 1);

    // Well short of the 27 s wait: stop() must not sit it out.
    run_test_coroutine(fixture.io, notifier.stop(), std::chrono::seconds(10));
    CHECK(notifier.active() == 0);
    CHECK(fixture.receiver.requests().size() == 1);
    CHECK(fixture.reports.empty());
    REQUIRE(fixture.store.callback_records().size() == 1);
    const CallbackRecord& record = fixture.store.callback_records()[0];
    CHECK(record.status == CallbackStatus::pending);
    CHECK(record.attempts == 1);
    REQUIRE(record.next_try);
    CHECK(*record.next_try > Clock::now());
    CHECK(fixture.stored_status(run) == CallbackStatus::pending);

    // Stopped means stopped: later notices are left to the next start.
    notifier.notify(fixture.stored_run(fixture.receiver.url()));
    CHECK(notifier.active() == 0);
}

TEST_CASE("stop() cuts a try in flight short without counting it", "[webhook]") {
    WebhookFixture fixture;
    fixture.receiver.answer_with([](std::size_t) {
        ReceiverAnswer answer;
        answer.never = true;
        return answer;
    });
    WebhookNotifier notifier(fixture.io.get_executor(), fixture.store, WebhookFixture::config(),
                             fixture.options());  // a try may take 5 s
    const Run run = fixture.stored_run(fixture.receiver.url());
    notifier.notify(run);
    run_test_coroutine(fixture.io, fixture.wait_for_requests(1));

    run_test_coroutine(fixture.io, notifier.stop(), std::chrono::seconds(3));
    CHECK(notifier.active() == 0);
    CHECK(fixture.store.callback_records().empty());
    CHECK(fixture.reports.empty());
    CHECK(fixture.stored_status(run) == CallbackStatus::pending);
}
