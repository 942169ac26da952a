// Pieces of CDP messages that several parts of the browser read or build.
#pragma once

#include <boost/json/object.hpp>

#include <string_view>

namespace asyncscrape::browser {

// The string field `key` of a message's object, or empty when it is missing or not a string.
std::string_view string_field(const boost::json::object& object, std::string_view key);

// Fetch.enable's params: every request of the session pauses at the request stage.
boost::json::object every_request_paused();

// Target.setAutoAttach's params: children attached over flat sessions, each paused until it is
// told to run.
boost::json::object children_attached_paused();

}  // namespace asyncscrape::browser
