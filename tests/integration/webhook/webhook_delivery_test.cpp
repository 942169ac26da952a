// Delivery against a loopback receiver: what is sent, how it is signed, and how answers other
// than 2xx are tried again on the (scaled) schedule until the last try.
#include "webhook_fixture.hpp"

#include <catch2/catch.hpp>

#include <boost/json/parse.hpp>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <charconv>
#include <cstdio>
#include <optional>

using namespace asyncscrape;
using namespace asyncscrape::test;
using webhook::WebhookNotifier;

namespace {

// The test's own HMAC-SHA256 in hex, straight from OpenSSL, to check what the receiver got.
std::string hmac_hex(std::string_view key, std::string_view message) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int size = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
         reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest.data(),
         &size);
    std::string hex;
    char byte[3];
    for (unsigned int i = 0; i < size; ++i) {
        std::snprintf(byte, sizeof byte, "%02x", digest[i]);
        hex += byte;
    }
    return hex;
}

struct SignatureHeader {
    std::string timestamp;
    std::string v1;
};

// "t=<digits>,v1=<hex>", nothing else.
std::optional<SignatureHeader> parse_signature(std::string_view header) {
    const auto comma = header.find(',');
    if (!header.starts_with("t=") || comma == std::string_view::npos ||
        header.substr(comma + 1, 3) != "v1=") {
        return std::nullopt;
    }
    return SignatureHeader{std::string(header.substr(2, comma - 2)),
                           std::string(header.substr(comma + 4))};
}

std::int64_t to_int(std::string_view digits) {
    std::int64_t value = -1;
    std::from_chars(digits.data(), digits.data() + digits.size(), value);
    return value;
}

std::string text(const boost::json::value& value) {
    return value.is_string() ? std::string(value.get_string()) : "<not a string>";
}

std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(Clock::now().time_since_epoch())
        .count();
}

// Checks a received request's signature as a receiver would, with `secret`.
void check_signed(const ReceivedRequest& request, std::string_view secret) {
    REQUIRE(request.headers.contains("x-asyncscrape-signature"));
    const auto signature = parse_signature(request.headers.at("x-asyncscrape-signature"));
    REQUIRE(signature);
    CHECK(signature->v1.size() == 64);
    CHECK(signature->v1 == hmac_hex(secret, signature->timestamp + "." + request.body));
    // The body's timestamp is the signature's.
    const boost::json::value body = boost::json::parse(request.body);
    CHECK(body.at("timestamp").as_int64() == to_int(signature->timestamp));
}

}  // namespace

TEST_CASE("a run's end is delivered once: a signed JSON POST with the run's fields", "[webhook]") {
    WebhookFixture fixture;
    WebhookNotifier notifier(fixture.io.get_executor(), fixture.store, WebhookFixture::config(),
                             fixture.options());
    const Run run = fixture.stored_run(fixture.receiver.url("/hooks/asyncscrape?source=test"));
    const std::int64_t before = unix_now();
    notifier.notify(run);
    fixture.run_until_reports(1);
    const std::int64_t after = unix_now();

    REQUIRE(fixture.receiver.requests().size() == 1);
    const ReceivedRequest& request = fixture.receiver.requests().front();
    CHECK(request.method == "POST");
    CHECK(request.target == "/hooks/asyncscrape?source=test");
    CHECK(request.headers.at("content-type") == "application/json");
    CHECK(request.headers.at("user-agent") == test_user_agent);
    check_signed(request, test_secret);
    const auto signature = parse_signature(request.headers.at("x-asyncscrape-signature"));
    CHECK(to_int(signature->timestamp) >= before);
    CHECK(to_int(signature->timestamp) <= after);

    const boost::json::value body = boost::json::parse(request.body);
    CHECK(body.at("event") == "run.completed");
    CHECK(text(body.at("run_id")) == run.run_id);
    CHECK(text(body.at("collection_id")) == run.collection_id);
    CHECK(body.at("status") == "completed");
    CHECK(body.at("total_requests") == 1);
    CHECK(body.at("success_requests") == 1);
    CHECK(text(body.at("results_url")) ==
          "/v1/async/collections/" + run.collection_id + "/runs/" + run.run_id + "/results");

    REQUIRE(fixture.reports.size() == 1);
    CHECK(fixture.reports[0].run_id == run.run_id);
    CHECK(fixture.reports[0].status == CallbackStatus::sent);
    CHECK(fixture.reports[0].attempts == 1);
    REQUIRE(fixture.store.callback_records().size() == 1);
    const CallbackRecord& record = fixture.store.callback_records().front();
    CHECK(record.run_id == run.run_id);
    CHECK(record.status == CallbackStatus::sent);
    CHECK(record.attempts == 1);
    CHECK_FALSE(record.next_try);
    CHECK(fixture.stored_status(run) == CallbackStatus::sent);
    CHECK(notifier.active() == 0);
    run_test_coroutine(fixture.io, notifier.stop());
}

TEST_CASE("a cancelled run is announced as run.cancelled", "[webhook]") {
    WebhookFixture fixture;
    WebhookNotifier notifier(fixture.io.get_executor(), fixture.store, WebhookFixture::config(),
                             fixture.options());
    notifier.notify(fixture.stored_run(fixture.receiver.url(), RunStatus::cancelled));
    fixture.run_until_reports(1);
    REQUIRE(fixture.receiver.requests().size() == 1);
    const boost::json::value body = boost::json::parse(fixture.receiver.requests()[0].body);
    CHECK(body.at("event") == "run.cancelled");
    CHECK(body.at("status") == "cancelled");
    CHECK(body.at("cancelled_requests") == 1);
    run_test_coroutine(fixture.io, notifier.stop());
}

TEST_CASE("the tenant's own secret signs, else the runtime's, and without either no header is sent",
          "[webhook]") {
    WebhookFixture fixture;
    WebhookNotifier notifier(fixture.io.get_executor(), fixture.store, WebhookFixture::config(),
                             fixture.options());
    notifier.set_secret_lookup(
        [](const TenantId& tenant) { return tenant == "acme" ? "acme-secret" : ""; });
    notifier.notify(
        fixture.stored_run(fixture.receiver.url("/acme"), RunStatus::completed, "acme"));
    fixture.run_until_reports(1);
    notifier.notify(
        fixture.stored_run(fixture.receiver.url("/other"), RunStatus::completed, "other"));
    fixture.run_until_reports(2);
    REQUIRE(fixture.receiver.requests().size() == 2);
    check_signed(fixture.receiver.requests()[0], "acme-secret");
    check_signed(fixture.receiver.requests()[1], test_secret);

    RuntimeConfig unsigned_config = WebhookFixture::config();
    unsigned_config.webhook_secret.clear();
    WebhookNotifier unsigned_notifier(fixture.io.get_executor(), fixture.store, unsigned_config,
                                      fixture.options());
    unsigned_notifier.notify(fixture.stored_run(fixture.receiver.url("/plain")));
    fixture.run_until_reports(3);
    REQUIRE(fixture.receiver.requests().size() == 3);
    CHECK_FALSE(fixture.receiver.requests()[2].headers.contains("x-asyncscrape-signature"));
    run_test_coroutine(fixture.io, notifier.stop());
    run_test_coroutine(fixture.io, unsigned_notifier.stop());
}

TEST_CASE("an answer other than 2xx is tried again: sent at the second try", "[webhook]") {
    WebhookFixture fixture;
    fixture.receiver.answer_with([](std::size_t n) {
        ReceiverAnswer answer;
        answer.status = n == 1 ? 503 : 204;
        return answer;
    });
    WebhookNotifier notifier(fixture.io.get_executor(), fixture.store, WebhookFixture::config(),
                             fixture.options());
    const Run run = fixture.stored_run(fixture.receiver.url());
    notifier.notify(run);
    fixture.run_until_reports(1);

    CHECK(fixture.receiver.requests().size() == 2);
    REQUIRE(fixture.reports.size() == 1);
    CHECK(fixture.reports[0].status == CallbackStatus::sent);
    CHECK(fixture.reports[0].attempts == 2);
    const auto& records = fixture.store.callback_records();
    REQUIRE(records.size() == 2);
    // The failed try was recorded, with when the next comes, before waiting for it.
    CHECK(records[0].status == CallbackStatus::pending);
    CHECK(records[0].attempts == 1);
    REQUIRE(records[0].next_try);
    CHECK(fixture.receiver.requests()[1].received_at >=
          *records[0].next_try - std::chrono::milliseconds(5));
    CHECK(records[1].status == CallbackStatus::sent);
    CHECK(records[1].attempts == 2);
    CHECK(fixture.stored_status(run) == CallbackStatus::sent);
    // Every try signs anew.
    check_signed(fixture.receiver.requests()[0], test_secret);
    check_signed(fixture.receiver.requests()[1], test_secret);
    run_test_coroutine(fixture.io, notifier.stop());
}

TEST_CASE("a receiver that always fails gets 8 tries, then the notice has failed", "[webhook]") {
    WebhookFixture fixture;
    fixture.receiver.answer_with([](std::size_t) { return status_answer(500); });
    WebhookNotifier notifier(fixture.io.get_executor(), fixture.store, WebhookFixture::config(),
                             fixture.options());
    const Run run = fixture.stored_run(fixture.receiver.url());
    notifier.notify(run);
    fixture.run_until_reports(1);

    CHECK(fixture.receiver.requests().size() == 8);
    REQUIRE(fixture.reports.size() == 1);
    CHECK(fixture.reports[0].status == CallbackStatus::failed);
    CHECK(fixture.reports[0].attempts == 8);
    CHECK(fixture.reports[0].last_error == "HTTP status 500");
    const auto& records = fixture.store.callback_records();
    REQUIRE(records.size() == 8);
    for (int i = 0; i < 7; ++i) {
        CHECK(records[i].status == CallbackStatus::pending);
        CHECK(records[i].attempts == i + 1);
        CHECK(records[i].next_try);
    }
    CHECK(records[7].status == CallbackStatus::failed);
    CHECK(records[7].attempts == 8);
    CHECK_FALSE(records[7].next_try);
    CHECK(fixture.stored_status(run) == CallbackStatus::failed);
    run_test_coroutine(fixture.io, notifier.stop());
}

TEST_CASE("a receiver that never answers: the try's deadline makes it a failed try", "[webhook]") {
    WebhookFixture fixture;
    fixture.receiver.answer_with([](std::size_t n) {
        ReceiverAnswer answer;
        answer.never = n == 1;
        return answer;
    });
    webhook::NotifierOptions options = fixture.options();
    options.try_timeout = std::chrono::milliseconds(300);
    WebhookNotifier notifier(fixture.io.get_executor(), fixture.store, WebhookFixture::config(),
                             std::move(options));
    notifier.notify(fixture.stored_run(fixture.receiver.url()));
    fixture.run_until_reports(1);

    CHECK(fixture.receiver.requests().size() == 2);
    REQUIRE(fixture.reports.size() == 1);
    CHECK(fixture.reports[0].status == CallbackStatus::sent);
    CHECK(fixture.reports[0].attempts == 2);
    REQUIRE(fixture.store.callback_records().size() == 2);
    CHECK(fixture.store.callback_records()[0].status == CallbackStatus::pending);
    CHECK(fixture.store.callback_records()[0].attempts == 1);
    run_test_coroutine(fixture.io, notifier.stop());
}

TEST_CASE("a redirect is not followed: it is a failed try", "[webhook]") {
    WebhookFixture fixture;
    WebhookReceiver elsewhere(fixture.io);
    const std::string other = elsewhere.url("/moved");
    fixture.receiver.answer_with([other](std::size_t n) {
        ReceiverAnswer answer;
        if (n == 1) {
            answer.status = 307;
            answer.location = other;
        }
        return answer;
    });
    WebhookNotifier notifier(fixture.io.get_executor(), fixture.store, WebhookFixture::config(),
                             fixture.options());
    notifier.notify(fixture.stored_run(fixture.receiver.url()));
    fixture.run_until_reports(1);

    CHECK(elsewhere.connections_accepted() == 0);
    REQUIRE(fixture.receiver.requests().size() == 2);
    CHECK(fixture.receiver.requests()[1].target == "/hook");
    CHECK(fixture.reports[0].status == CallbackStatus::sent);
    CHECK(fixture.reports[0].attempts == 2);
    run_test_coroutine(fixture.io, notifier.stop());
}
