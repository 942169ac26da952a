// The main document's response, picked out of the page's Network.responseReceived events: the
// one of type Document for the main frame. Redirects do not raise the event (they show as
// requestWillBeSent with a redirectResponse), so the last such event is the final response.
#pragma once

#include <asyncscrape/model.hpp>

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace asyncscrape::browser {

struct MainDocumentResponse {
    int status = 0;
    std::string url;
    HeaderList headers;  // lower-case names; repeated fields joined as the contract says
    // Milliseconds from sending the request to receiving the response headers, when the browser
    // timed it.
    std::optional<double> ttfb_ms;
};

// The response an event's params describe when it is the main frame's document, else nullopt.
std::optional<MainDocumentResponse> main_document_response(
    const boost::json::object& response_received, std::string_view main_frame_id);

}  // namespace asyncscrape::browser
