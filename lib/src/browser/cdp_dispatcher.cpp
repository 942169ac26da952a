#include "browser/cdp_dispatcher.hpp"

#include "browser/cdp_fields.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/parse_options.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <utility>

namespace asyncscrape::browser {

namespace json = boost::json;

namespace {

// Deep enough for any value a page hands back by value, shallow enough to refuse a hostile nesting.
constexpr std::size_t max_json_depth = 1000;

json::object object_field(const json::object& object, std::string_view key) {
    if (const auto* field = object.if_contains(key); field && field->is_object()) {
        return field->get_object();
    }
    return {};
}

std::optional<CommandId> command_id(const json::value& id) {
    if (id.is_uint64()) {
        return id.get_uint64();
    }
    if (id.is_int64() && id.get_int64() >= 0) {
        return static_cast<CommandId>(id.get_int64());
    }
    return std::nullopt;
}

// "cdp Page.navigate: Cannot navigate to invalid URL (-32000)"
std::string describe_error(std::string_view method, const json::value& error) {
    std::string text = "cdp " + std::string(method) + ": ";
    if (!error.is_object()) {
        return text + json::serialize(error);
    }
    const auto& fields = error.get_object();
    const std::string_view message = string_field(fields, "message");
    text += message.empty() ? "error" : message;
    if (const std::string_view data = string_field(fields, "data"); !data.empty()) {
        text += " (" + std::string(data) + ")";
    }
    if (const auto* code = fields.if_contains("code"); code && code->is_int64()) {
        text += " [" + std::to_string(code->get_int64()) + "]";
    }
    return text;
}

}  // namespace

CdpDispatcher::Command CdpDispatcher::start_command(std::string_view method,
                                                    const json::object& params,
                                                    std::string_view session_id) {
    const CommandId id = next_command_id_++;
    json::object message;
    message["id"] = id;
    message["method"] = method;
    message["params"] = params;
    if (!session_id.empty()) {
        message["sessionId"] = session_id;
    }
    pending_.emplace(id, std::string(method));
    return {id, json::serialize(message)};
}

void CdpDispatcher::abandon(CommandId id) {
    pending_.erase(id);
}

SubscriptionId CdpDispatcher::subscribe(std::string session_id, std::vector<std::string> methods) {
    const SubscriptionId id = next_subscription_id_++;
    subscriptions_.emplace(id, Subscription{std::move(session_id), std::move(methods), {}, false});
    return id;
}

void CdpDispatcher::unsubscribe(SubscriptionId id) {
    subscriptions_.erase(id);
}

std::optional<CdpEvent> CdpDispatcher::take_event(SubscriptionId id) {
    const auto subscription = subscriptions_.find(id);
    if (subscription == subscriptions_.end() || subscription->second.events.empty()) {
        return std::nullopt;
    }
    CdpEvent event = std::move(subscription->second.events.front());
    subscription->second.events.pop_front();
    return event;
}

bool CdpDispatcher::session_detached(SubscriptionId id) const {
    const auto subscription = subscriptions_.find(id);
    return subscription != subscriptions_.end() && subscription->second.detached;
}

IncomingMessage CdpDispatcher::receive(std::string_view message) {
    json::parse_options options;
    options.max_depth = max_json_depth;
    boost::system::error_code error;
    json::value parsed = json::parse(message, error, json::storage_ptr(), options);
    if (error) {
        return MessageIgnored{"not JSON: " + error.message()};
    }
    if (!parsed.is_object()) {
        return MessageIgnored{"not a JSON object"};
    }
    const auto& object = parsed.get_object();
    if (object.contains("id")) {
        return receive_reply(object);
    }
    if (object.contains("method")) {
        return receive_event(object);
    }
    return MessageIgnored{"neither a reply nor an event"};
}

IncomingMessage CdpDispatcher::receive_reply(const json::object& message) {
    const std::optional<CommandId> id = command_id(message.at("id"));
    if (!id) {
        return MessageIgnored{"reply with an invalid id"};
    }
    const auto pending = pending_.find(*id);
    if (pending == pending_.end()) {
        return MessageIgnored{"reply to no waiting command: " + std::to_string(*id)};
    }
    const std::string method = std::move(pending->second);
    pending_.erase(pending);
    CdpOutcome<json::object> outcome;
    if (const auto* error = message.if_contains("error")) {
        outcome.error = CdpError::command_failed;
        outcome.message = describe_error(method, *error);
    } else {
        outcome.value = object_field(message, "result");
    }
    return ReplyReceived{*id, std::move(outcome)};
}

IncomingMessage CdpDispatcher::receive_event(const json::object& message) {
    CdpEvent event{std::string(string_field(message, "sessionId")),
                   std::string(string_field(message, "method")), object_field(message, "params")};
    EventReceived received;
    if (event.method == "Target.detachedFromTarget") {
        mark_detached(string_field(event.params, "sessionId"), received.subscriptions);
    }
    for (auto& [id, subscription] : subscriptions_) {
        const bool wanted = subscription.session_id == event.session_id &&
                            (subscription.methods.empty() ||
                             std::find(subscription.methods.begin(), subscription.methods.end(),
                                       event.method) != subscription.methods.end());
        if (wanted) {
            subscription.events.push_back(event);
            if (std::find(received.subscriptions.begin(), received.subscriptions.end(), id) ==
                received.subscriptions.end()) {
                received.subscriptions.push_back(id);
            }
        }
    }
    return received;
}

void CdpDispatcher::mark_detached(std::string_view session_id, std::vector<SubscriptionId>& woken) {
    if (session_id.empty()) {
        return;
    }
    for (auto& [id, subscription] : subscriptions_) {
        if (subscription.session_id == session_id && !subscription.detached) {
            subscription.detached = true;
            woken.push_back(id);
        }
    }
}

std::vector<CommandId> CdpDispatcher::close() {
    std::vector<CommandId> failed;
    for (const auto& [id, method] : pending_) {
        failed.push_back(id);
    }
    pending_.clear();
    return failed;
}

}  // namespace asyncscrape::browser
