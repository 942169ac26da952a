// Webhooks through the runtime: a run that ends with a callback_url (its collection's, or the one
// its start named) is notified once, signed with its tenant's secret, and its callback_status
// follows the delivery.
#include "webhook/signature.hpp"
#include "webhook_receiver.hpp"

#include "support/run_test_coroutine.hpp"
#include "support/target_server.hpp"

#include <asyncscrape/runtime.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <unordered_map>

using namespace asyncscrape;
using namespace asyncscrape::test;
namespace net = boost::asio;
namespace json = boost::json;
using std::chrono::milliseconds;

namespace {

constexpr std::string_view server_secret = "whsec-server";
constexpr std::string_view acme_secret = "whsec-acme";

RuntimeConfig config() {
    RuntimeConfig config;
    config.allow_private_targets = true;  // the receiver and the target are on loopback
    config.webhook_secret = std::string(server_secret);
    return config;
}

net::awaitable<void> pause(milliseconds time) {
    net::steady_timer timer(co_await net::this_coro::executor, time);
    co_await timer.async_wait(net::as_tuple(net::use_awaitable));
}

// Polls the run until its notice is no longer pending.
net::awaitable<Run> wait_for_callback(Runtime& runtime, const Run& run, const TenantId& tenant) {
    const auto deadline = Clock::now() + std::chrono::seconds(10);
    for (;;) {
        auto now = co_await runtime.get_run(run.collection_id, run.run_id, tenant);
        REQUIRE(now);
        if (now->callback_status != CallbackStatus::pending || Clock::now() > deadline) {
            co_return *now;
        }
        co_await pause(milliseconds(20));
    }
}

net::awaitable<Run> run_with_callback(Runtime& runtime, const TargetServer& target,
                                      std::optional<std::string> collection_callback,
                                      RunOptions options, TenantId tenant) {
    Request page;
    page.url = target.url("/page");
    CollectionSpec spec;
    spec.name = "notified";
    spec.requests.push_back(page);
    spec.callback_url = std::move(collection_callback);
    auto collection = co_await runtime.create_collection(std::move(spec), tenant);
    REQUIRE(collection);
    auto started = co_await runtime.start_run(collection->id, std::move(options), tenant);
    REQUIRE(started);
    CHECK(started->callback_status ==
          (started->callback_url ? std::optional(CallbackStatus::pending) : std::nullopt));
    auto ended = co_await runtime.wait_run(collection->id, started->run_id, tenant);
    REQUIRE(ended);
    co_return co_await wait_for_callback(runtime, *ended, tenant);
}

// The signature checked as a receiver would: its time, and the HMAC of "<t>." + the raw body.
void check_signed(const ReceivedRequest& request, std::string_view secret) {
    const std::string& header = request.headers.at("x-asyncscrape-signature");
    const auto comma = header.find(',');
    REQUIRE(header.starts_with("t="));
    REQUIRE(comma != std::string::npos);
    const std::int64_t t = std::stoll(header.substr(2, comma - 2));
    CHECK(header == webhook::webhook_signature(secret, t, request.body));
    const auto now =
        std::chrono::duration_cast<std::chrono::seconds>(Clock::now().time_since_epoch()).count();
    CHECK(std::abs(now - t) < 60);
    CHECK(json::parse(request.body).at("timestamp").to_number<std::int64_t>() == t);
}

net::awaitable<void> runs_notify_their_callback(Runtime& runtime, const TargetServer& target,
                                                WebhookReceiver& receiver) {
    // The collection's callback_url, the open tenant: signed with the server's secret.
    // (Arguments named: GCC 12 miscompiles temporaries inside a co_await expression.)
    const RunOptions no_options;
    const TenantId open_tenant;
    const Run first = co_await run_with_callback(runtime, target, receiver.url("/collection"),
                                                 no_options, open_tenant);
    CHECK(first.callback_status == CallbackStatus::sent);
    REQUIRE(receiver.requests().size() == 1);
    const ReceivedRequest& notice = receiver.requests()[0];
    CHECK(notice.method == "POST");
    CHECK(notice.target == "/collection");
    CHECK(notice.headers.at("content-type") == "application/json");
    check_signed(notice, server_secret);
    const json::object body = json::parse(notice.body).as_object();
    CHECK(body.at("event") == "run.completed");
    CHECK(body.at("run_id").as_string() == first.run_id);
    CHECK(body.at("success_requests") == 1);
    CHECK(body.at("results_url").as_string() ==
          "/v1/async/collections/" + first.collection_id + "/runs/" + first.run_id + "/results");
    // Within 5 s of the run's end.
    CHECK(notice.received_at - *first.finished_at < std::chrono::seconds(5));

    // The run's own callback_url wins over the collection's; acme signs with its own secret.
    std::unordered_map<TenantId, std::string> secrets{{"acme", std::string(acme_secret)}};
    runtime.set_webhook_secrets(std::move(secrets));
    const RunOptions own_callback{receiver.url("/run")};
    const TenantId acme = "acme";
    const Run second = co_await run_with_callback(runtime, target, receiver.url("/collection"),
                                                  own_callback, acme);
    CHECK(second.callback_status == CallbackStatus::sent);
    REQUIRE(receiver.requests().size() == 2);
    CHECK(receiver.requests()[1].target == "/run");
    check_signed(receiver.requests()[1], acme_secret);

    // A run without a callback_url has none to report, and nothing is sent.
    const std::optional<std::string> no_callback;
    const Run quiet =
        co_await run_with_callback(runtime, target, no_callback, no_options, open_tenant);
    CHECK_FALSE(quiet.callback_status);
    co_await pause(milliseconds(200));
    CHECK(receiver.requests().size() == 2);
    co_await runtime.shutdown();
}

}  // namespace

TEST_CASE("a run that ends notifies its callback_url, signed with its tenant's secret") {
    net::io_context io;
    TargetServer target(io);
    WebhookReceiver receiver(io);
    Runtime runtime(io.get_executor(), config());
    run_test_coroutine(io, runs_notify_their_callback(runtime, target, receiver),
                       std::chrono::seconds(60));
}
