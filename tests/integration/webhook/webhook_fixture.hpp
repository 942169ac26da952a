// What the webhook integration tests share: a loopback receiver, the memory store (with a log of
// update_callback), an ended run stored in it, a notifier whose schedule runs in milliseconds,
// and a way to wait for deliveries to end.
#pragma once

#include "recording_store.hpp"
#include "support/run_test_coroutine.hpp"
#include "util/uuid.hpp"
#include "webhook/notifier.hpp"
#include "webhook_receiver.hpp"

#include <catch2/catch.hpp>

#include <asyncscrape/config.hpp>
#include <asyncscrape/store.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace asyncscrape::test {

inline constexpr std::string_view test_secret = "whsec_test_secret";
inline constexpr std::string_view test_user_agent = "asyncscrape-webhook-test/1.0";

struct WebhookFixture {
    boost::asio::io_context io;
    WebhookReceiver receiver{io};
    RecordingStore store;
    std::vector<webhook::DeliveryReport> reports;
    boost::asio::steady_timer report_arrived{io, boost::asio::steady_timer::time_point::max()};

    // Loopback receivers allowed; signed with the runtime's secret.
    static RuntimeConfig config() {
        RuntimeConfig config;
        config.allow_private_targets = true;
        config.webhook_secret = std::string(test_secret);
        config.user_agent = std::string(test_user_agent);
        return config;
    }

    // The production schedule with 100 µs for each of its seconds: 8 tries in about 0.35 s.
    webhook::NotifierOptions options() {
        webhook::NotifierOptions options;
        options.schedule = webhook::RetrySchedule(std::chrono::microseconds(100));
        options.try_timeout = std::chrono::seconds(5);
        options.on_settled = [this](const webhook::DeliveryReport& report) {
            reports.push_back(report);
            report_arrived.cancel();
        };
        return options;
    }

    // A collection of one request and a run of it that has just ended, stored as the engine
    // leaves it: ended, callback_status pending.
    Run stored_run(std::string callback_url, RunStatus status = RunStatus::completed,
                   TenantId tenant = "") {
        Collection collection;
        collection.id = new_uuid();
        collection.tenant = tenant;
        collection.name = "webhook test";
        Request request;
        request.url = "https://www.example.com/";
        collection.requests = std::make_shared<const std::vector<Request>>(1, request);
        collection.callback_url = callback_url;
        collection.created_at = collection.updated_at = Clock::now();

        Run run;
        run.run_id = new_uuid();
        run.collection_id = collection.id;
        run.tenant = tenant;
        run.total_requests = 1;
        run.created_at = Clock::now();
        run.callback_url = std::move(callback_url);
        const RequestList requests = collection.requests;
        run_test_coroutine(io, store.put_collection(std::move(collection)));
        REQUIRE(run_test_coroutine(io, store.create_run(run, requests)));

        run.status = status;
        if (status == RunStatus::completed) {
            run.success_requests = 1;
        } else {
            run.cancelled_requests = 1;
        }
        run.finished_at = Clock::now();
        run.callback_status = CallbackStatus::pending;
        run_test_coroutine(io, store.update_run(run));
        return run;
    }

    std::optional<CallbackStatus> stored_status(const Run& run) {
        const std::optional<Run> stored =
            run_test_coroutine(io, store.get_run(run.collection_id, run.run_id));
        REQUIRE(stored);
        return stored->callback_status;
    }

    // Resumes once `count` deliveries have ended (sent or failed).
    boost::asio::awaitable<void> wait_for_reports(std::size_t count) {
        while (reports.size() < count) {
            report_arrived.expires_at(boost::asio::steady_timer::time_point::max());
            co_await report_arrived.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
        }
    }

    void run_until_reports(std::size_t count,
                           std::chrono::milliseconds time_limit = std::chrono::seconds(60)) {
        run_test_coroutine(io, wait_for_reports(count), time_limit);
    }

    // Resumes once the store has been told `count` things, or the receiver has had `count`
    // requests: polled, as a client would.
    boost::asio::awaitable<void> wait_for_records(std::size_t count) {
        while (store.callback_records().size() < count) {
            co_await pause(std::chrono::milliseconds(5));
        }
    }
    boost::asio::awaitable<void> wait_for_requests(std::size_t count) {
        while (receiver.requests().size() < count) {
            co_await pause(std::chrono::milliseconds(5));
        }
    }
    boost::asio::awaitable<void> pause(std::chrono::milliseconds duration) {
        boost::asio::steady_timer timer(io, duration);
        co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    }
};

}  // namespace asyncscrape::test
