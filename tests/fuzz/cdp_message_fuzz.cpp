// Fuzz target: what Chromium writes to the DevTools pipe. The bytes go through the CdpFramer, fed
// in reads of varying sizes as the pipe splits them, and each message it hands out through the
// CdpDispatcher, which has commands waiting for replies and subscriptions of the browser and of a
// page session. The events then go where the page load sends them: Network.responseReceived to
// main_document_response (status, URL and headers of the main document), Fetch.requestPaused to
// the guard's verdict on its URL.
//
// The first byte sets the size of the reads (1 to 256 bytes); the rest is the pipe's content.
//
// Checked besides crashes, leaks and undefined behaviour: the framer hands out exactly the
// NUL-terminated pieces of the stream, in order, until one outgrows the limit, and then nothing.
#include "browser/cdp_dispatcher.hpp"
#include "browser/cdp_fields.hpp"
#include "browser/cdp_framer.hpp"
#include "browser/main_document.hpp"
#include "browser/request_verdict.hpp"
#include "invariant.hpp"

#include <boost/json/object.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace asyncscrape::fuzz {
namespace {

namespace json = boost::json;
using namespace asyncscrape::browser;

// Small enough for the fuzzer to cross (the browser's limit is 256 MB).
constexpr std::size_t max_message_bytes = 4096;
constexpr std::string_view page_session = "PAGE";
constexpr std::string_view main_frame = "FRAME";

// The messages a framer must hand out for `stream`: its NUL-terminated pieces, up to the first
// that is longer than the limit.
std::vector<std::string_view> expected_messages(std::string_view stream, bool& overflows) {
    std::vector<std::string_view> messages;
    overflows = false;
    for (;;) {
        const auto nul = stream.find('\0');
        const std::string_view piece = stream.substr(0, nul);
        if (piece.size() > max_message_bytes) {
            overflows = true;
            return messages;
        }
        if (nul == std::string_view::npos) {
            return messages;
        }
        messages.push_back(piece);
        stream.remove_prefix(nul + 1);
    }
}

// What the browser's users do with a message: the client hands it to the dispatcher, the
// subscribers take their events and read them.
class Conversation {
  public:
    Conversation() {
        // Commands waiting for replies: ids 1 to 8, of the browser and of the page.
        for (int i = 0; i < 4; ++i) {
            dispatcher_.start_command("Target.createTarget", json::object{}, "");
            dispatcher_.start_command("Page.navigate", json::object{}, page_session);
        }
        subscriptions_ = {
            dispatcher_.subscribe("", {}),
            dispatcher_.subscribe(std::string(page_session), {}),
            dispatcher_.subscribe(std::string(page_session),
                                  {"Network.responseReceived", "Fetch.requestPaused"}),
        };
    }

    void receive(std::string_view message) {
        const IncomingMessage incoming = dispatcher_.receive(message);
        if (std::holds_alternative<ReplyReceived>(incoming)) {
            // The caller of the command that got its reply sends the next one.
            dispatcher_.start_command("Runtime.evaluate", json::object{}, page_session);
        }
        for (const SubscriptionId id : subscriptions_) {
            dispatcher_.session_detached(id);
            while (auto event = dispatcher_.take_event(id)) {
                read(*event);
            }
        }
    }

    void close() { dispatcher_.close(); }

  private:
    void read(const CdpEvent& event) {
        if (event.method == "Network.responseReceived") {
            main_document_response(event.params, main_frame);
        } else if (event.method == "Fetch.requestPaused") {
            if (const auto* request = event.params.if_contains("request");
                request && request->is_object()) {
                verdict_for_url(guard_, string_field(request->get_object(), "url"));
            }
        }
    }

    CdpDispatcher dispatcher_;
    std::vector<SubscriptionId> subscriptions_;
    fetch::AddressGuard guard_{false};
};

void read_pipe(std::size_t read_size, std::string_view stream) {
    bool overflows = false;
    const std::vector<std::string_view> expected = expected_messages(stream, overflows);

    CdpFramer framer(max_message_bytes);
    Conversation conversation;
    std::size_t received = 0;
    bool broken = false;
    for (std::string_view rest = stream; !rest.empty() && !broken;) {
        const std::string_view read = rest.substr(0, read_size);
        rest.remove_prefix(read.size());
        broken = !framer.feed(read);
        while (auto message = framer.next_message()) {
            expect(received < expected.size() && *message == expected[received],
                   "the framer hands out the stream's messages in order", *message);
            ++received;
            conversation.receive(*message);
        }
    }
    conversation.close();
    expect(received == expected.size(), "the framer hands out every complete message");
    expect(broken == overflows, "the framer breaks exactly when a message outgrows the limit");
}

}  // namespace
}  // namespace asyncscrape::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    const std::size_t read_size = std::size_t{data[0]} + 1;
    asyncscrape::fuzz::read_pipe(read_size, {reinterpret_cast<const char*>(data) + 1, size - 1});
    return 0;
}
