// The CDP conversation without I/O: numbers outgoing commands, matches replies to the commands
// still waiting for them, and routes events to the subscriptions that asked for them, buffering
// each subscription's events from the moment it exists until they are taken. Flat sessions:
// a command for a page carries a top-level "sessionId", and so do its replies and events.
//
// The async client feeds it the messages read from the pipe and acts on what it answers; the unit
// tests do the same with strings.
#pragma once

#include "browser/cdp_outcome.hpp"

#include <boost/json/object.hpp>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace asyncscrape::browser {

using CommandId = std::uint64_t;
using SubscriptionId = std::uint64_t;

// A reply to a command that was waiting for it.
struct ReplyReceived {
    CommandId id;
    CdpOutcome<boost::json::object> outcome;
};
// An event, now buffered in these subscriptions (none when nobody listens).
struct EventReceived {
    std::vector<SubscriptionId> subscriptions;
};
// A message that concerns nobody: a late reply, an unknown id, or text that is not CDP.
struct MessageIgnored {
    std::string reason;
};
using IncomingMessage = std::variant<ReplyReceived, EventReceived, MessageIgnored>;

class CdpDispatcher {
  public:
    struct Command {
        CommandId id;
        std::string text;  // the JSON text to send (unframed)
    };

    // Numbers a command and waits for its reply.
    Command start_command(std::string_view method, const boost::json::object& params,
                          std::string_view session_id);
    // The caller stopped waiting (deadline, cancellation): its reply will be ignored.
    void abandon(CommandId id);
    std::size_t pending_commands() const { return pending_.size(); }

    // Events of `session_id` (empty: the browser connection) whose method is one of `methods`
    // (empty: every method), buffered in arrival order.
    SubscriptionId subscribe(std::string session_id, std::vector<std::string> methods);
    void unsubscribe(SubscriptionId id);
    std::optional<CdpEvent> take_event(SubscriptionId id);
    // True once the subscription's session has detached: no event will come any more.
    bool session_detached(SubscriptionId id) const;

    IncomingMessage receive(std::string_view message);

    // The connection is gone: answers the commands that were still waiting, which are forgotten.
    std::vector<CommandId> close();

  private:
    struct Subscription {
        std::string session_id;
        std::vector<std::string> methods;
        std::deque<CdpEvent> events;
        bool detached = false;
    };

    IncomingMessage receive_reply(const boost::json::object& message);
    IncomingMessage receive_event(const boost::json::object& message);
    void mark_detached(std::string_view session_id, std::vector<SubscriptionId>& woken);

    CommandId next_command_id_ = 1;
    std::map<CommandId, std::string> pending_;  // id -> method, for the error messages
    SubscriptionId next_subscription_id_ = 1;
    std::map<SubscriptionId, Subscription> subscriptions_;
};

}  // namespace asyncscrape::browser
