// The SSRF guard holds for webhook URLs as for jobs: a callback_url that resolves to a private
// address is refused before any connection, and the notice fails at once with the guard's reason.
#include "webhook_fixture.hpp"

#include <catch2/catch.hpp>

using namespace asyncscrape;
using namespace asyncscrape::test;
using webhook::WebhookNotifier;

TEST_CASE("a callback URL on a private address is refused without connecting", "[webhook]") {
    WebhookFixture fixture;
    RuntimeConfig guarded = WebhookFixture::config();
    guarded.allow_private_targets = false;
    WebhookNotifier notifier(fixture.io.get_executor(), fixture.store, guarded, fixture.options());
    const std::string port =
        fixture.receiver.url("").substr(std::string("http://127.0.0.1:").size());
    const std::string host = GENERATE("127.0.0.1", "localhost", "[::ffff:127.0.0.1]", "2130706433");
    INFO(host);
    const Run run = fixture.stored_run("http://" + host + ":" + port + "/hook");
    notifier.notify(run);
    fixture.run_until_reports(1);

    CHECK(fixture.receiver.connections_accepted() == 0);
    REQUIRE(fixture.reports.size() == 1);
    CHECK(fixture.reports[0].status == CallbackStatus::failed);
    CHECK(fixture.reports[0].attempts == 1);
    CHECK(fixture.reports[0].last_error == "blocked: private address");
    REQUIRE(fixture.store.callback_records().size() == 1);
    CHECK(fixture.store.callback_records()[0].status == CallbackStatus::failed);
    CHECK(fixture.stored_status(run) == CallbackStatus::failed);
    run_test_coroutine(fixture.io, notifier.stop());
}
