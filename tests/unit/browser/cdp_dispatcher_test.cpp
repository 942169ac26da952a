#include "browser/cdp_dispatcher.hpp"

#include <catch2/catch.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <string>
#include <variant>

using asyncscrape::browser::CdpDispatcher;
using asyncscrape::browser::CdpError;
using asyncscrape::browser::EventReceived;
using asyncscrape::browser::IncomingMessage;
using asyncscrape::browser::MessageIgnored;
using asyncscrape::browser::ReplyReceived;
namespace json = boost::json;

namespace {

ReplyReceived as_reply(IncomingMessage incoming) {
    REQUIRE(std::holds_alternative<ReplyReceived>(incoming));
    return std::get<ReplyReceived>(std::move(incoming));
}

EventReceived as_event(IncomingMessage incoming) {
    REQUIRE(std::holds_alternative<EventReceived>(incoming));
    return std::get<EventReceived>(std::move(incoming));
}

bool ignored(const IncomingMessage& incoming) {
    return std::holds_alternative<MessageIgnored>(incoming);
}

std::string reply_text(std::uint64_t id, std::string_view result) {
    return R"({"id":)" + std::to_string(id) + R"(,"result":)" + std::string(result) + "}";
}

}  // namespace

TEST_CASE("commands get increasing ids and carry their session", "[cdp][dispatcher]") {
    CdpDispatcher dispatcher;
    json::object params;
    params["url"] = "about:blank";
    const auto first = dispatcher.start_command("Target.createTarget", params, "");
    const auto second = dispatcher.start_command("Page.enable", {}, "SESSION");
    CHECK(second.id > first.id);
    CHECK(dispatcher.pending_commands() == 2);

    const json::value first_json = json::parse(first.text);
    CHECK(first_json.at("id").to_number<std::uint64_t>() == first.id);
    CHECK(first_json.at("method") == "Target.createTarget");
    CHECK(first_json.at("params").at("url") == "about:blank");
    CHECK_FALSE(first_json.as_object().contains("sessionId"));

    const json::value second_json = json::parse(second.text);
    CHECK(second_json.at("sessionId") == "SESSION");
    CHECK(second_json.at("params").as_object().empty());
}

TEST_CASE("a reply goes to its command, in any order", "[cdp][dispatcher]") {
    CdpDispatcher dispatcher;
    const auto first = dispatcher.start_command("Browser.getVersion", {}, "");
    const auto second = dispatcher.start_command("Target.getTargets", {}, "");

    const ReplyReceived second_reply =
        as_reply(dispatcher.receive(reply_text(second.id, R"({"targetInfos":[]})")));
    CHECK(second_reply.id == second.id);
    REQUIRE(second_reply.outcome.ok());
    CHECK(second_reply.outcome.value.contains("targetInfos"));

    const ReplyReceived first_reply =
        as_reply(dispatcher.receive(reply_text(first.id, R"({"product":"Chrome/1"})")));
    CHECK(first_reply.id == first.id);
    CHECK(first_reply.outcome.value.at("product") == "Chrome/1");
    CHECK(dispatcher.pending_commands() == 0);
}

TEST_CASE("a reply from a session is matched by its id", "[cdp][dispatcher]") {
    CdpDispatcher dispatcher;
    const auto command = dispatcher.start_command("Runtime.evaluate", {}, "S1");
    const ReplyReceived reply = as_reply(dispatcher.receive(
        R"({"id":)" + std::to_string(command.id) + R"(,"result":{},"sessionId":"S1"})"));
    CHECK(reply.id == command.id);
    CHECK(reply.outcome.ok());
}

TEST_CASE("a CDP error reply becomes a failed outcome naming the method", "[cdp][dispatcher]") {
    CdpDispatcher dispatcher;
    const auto command = dispatcher.start_command("Nope.method", {}, "");
    const ReplyReceived reply = as_reply(
        dispatcher.receive(R"({"id":)" + std::to_string(command.id) +
                           R"(,"error":{"code":-32601,"message":"'Nope.method' wasn't found"}})"));
    CHECK(reply.outcome.error == CdpError::command_failed);
    CHECK(reply.outcome.message == "cdp Nope.method: 'Nope.method' wasn't found [-32601]");
    CHECK(dispatcher.pending_commands() == 0);
}

TEST_CASE("replies nobody waits for are ignored", "[cdp][dispatcher]") {
    CdpDispatcher dispatcher;
    CHECK(ignored(dispatcher.receive(reply_text(42, "{}"))));

    const auto command = dispatcher.start_command("Page.navigate", {}, "S");
    dispatcher.abandon(command.id);
    CHECK(ignored(dispatcher.receive(reply_text(command.id, "{}"))));

    const auto answered = dispatcher.start_command("Page.enable", {}, "S");
    CHECK_FALSE(ignored(dispatcher.receive(reply_text(answered.id, "{}"))));
    CHECK(ignored(dispatcher.receive(reply_text(answered.id, "{}"))));  // a second reply
}

TEST_CASE("text that is not a CDP message is ignored", "[cdp][dispatcher]") {
    CdpDispatcher dispatcher;
    CHECK(ignored(dispatcher.receive("not json")));
    CHECK(ignored(dispatcher.receive("[1,2]")));
    CHECK(ignored(dispatcher.receive(R"({"neither":true})")));
    CHECK(ignored(dispatcher.receive(R"({"id":"one","result":{}})")));
    CHECK(ignored(dispatcher.receive(std::string(5000, '[') + std::string(5000, ']'))));
}

TEST_CASE("events go to the subscriptions of their session and method", "[cdp][dispatcher]") {
    CdpDispatcher dispatcher;
    const auto load_s1 = dispatcher.subscribe("S1", {"Page.loadEventFired"});
    const auto all_s1 = dispatcher.subscribe("S1", {});
    const auto load_s2 = dispatcher.subscribe("S2", {"Page.loadEventFired"});
    const auto browser_targets = dispatcher.subscribe("", {"Target.targetCreated"});

    const EventReceived load = as_event(dispatcher.receive(
        R"({"method":"Page.loadEventFired","params":{"timestamp":1.5},"sessionId":"S1"})"));
    CHECK(load.subscriptions == std::vector{load_s1, all_s1});

    const EventReceived frame = as_event(
        dispatcher.receive(R"({"method":"Page.frameNavigated","params":{},"sessionId":"S1"})"));
    CHECK(frame.subscriptions == std::vector{all_s1});

    const EventReceived created = as_event(
        dispatcher.receive(R"({"method":"Target.targetCreated","params":{"targetInfo":{}}})"));
    CHECK(created.subscriptions == std::vector{browser_targets});

    const EventReceived unheard =
        as_event(dispatcher.receive(R"({"method":"Page.loadEventFired","sessionId":"S3"})"));
    CHECK(unheard.subscriptions.empty());

    const auto event = dispatcher.take_event(load_s1);
    REQUIRE(event);
    CHECK(event->session_id == "S1");
    CHECK(event->method == "Page.loadEventFired");
    CHECK(event->params.at("timestamp") == 1.5);
    CHECK_FALSE(dispatcher.take_event(load_s1));
    CHECK_FALSE(dispatcher.take_event(load_s2));

    CHECK(dispatcher.take_event(all_s1)->method == "Page.loadEventFired");
    CHECK(dispatcher.take_event(all_s1)->method == "Page.frameNavigated");
    CHECK_FALSE(dispatcher.take_event(all_s1));
    CHECK(dispatcher.take_event(browser_targets)->session_id.empty());
}

TEST_CASE("a subscription buffers from its creation until it is dropped", "[cdp][dispatcher]") {
    CdpDispatcher dispatcher;
    const std::string event = R"({"method":"Page.loadEventFired","sessionId":"S"})";
    dispatcher.receive(event);  // before anyone subscribed: lost
    const auto subscription = dispatcher.subscribe("S", {"Page.loadEventFired"});
    dispatcher.receive(event);
    dispatcher.receive(event);
    CHECK(dispatcher.take_event(subscription));
    CHECK(dispatcher.take_event(subscription));
    CHECK_FALSE(dispatcher.take_event(subscription));

    dispatcher.unsubscribe(subscription);
    CHECK(as_event(dispatcher.receive(event)).subscriptions.empty());
    CHECK_FALSE(dispatcher.take_event(subscription));
}

TEST_CASE("a detached session ends its subscriptions", "[cdp][dispatcher]") {
    CdpDispatcher dispatcher;
    const auto page = dispatcher.subscribe("S1", {"Page.loadEventFired"});
    const auto other = dispatcher.subscribe("S2", {});
    CHECK_FALSE(dispatcher.session_detached(page));

    const EventReceived detached = as_event(dispatcher.receive(
        R"({"method":"Target.detachedFromTarget","params":{"sessionId":"S1","targetId":"T"}})"));
    CHECK(detached.subscriptions == std::vector{page});
    CHECK(dispatcher.session_detached(page));
    CHECK_FALSE(dispatcher.session_detached(other));
}

TEST_CASE("closing fails every waiting command at once", "[cdp][dispatcher]") {
    CdpDispatcher dispatcher;
    const auto first = dispatcher.start_command("A.a", {}, "");
    const auto second = dispatcher.start_command("B.b", {}, "S");
    const auto answered = dispatcher.start_command("C.c", {}, "");
    dispatcher.receive(reply_text(answered.id, "{}"));

    CHECK(dispatcher.close() == std::vector{first.id, second.id});
    CHECK(dispatcher.pending_commands() == 0);
    CHECK(ignored(dispatcher.receive(reply_text(first.id, "{}"))));
}
