// A webhook receiver for loopback tests: listens on 127.0.0.1 at an ephemeral port, records every
// request it gets (raw body included, so a test can check the signature itself) and answers as
// the test's plan says: a status (with a Location for redirects), after a pause, or never.
#pragma once

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace asyncscrape::test {

struct ReceivedRequest {
    std::string method;
    std::string target;
    std::map<std::string, std::string> headers;  // lower-case names
    std::string body;                            // as received, byte for byte
    std::chrono::system_clock::time_point received_at;
};

struct ReceiverAnswer {
    int status = 200;
    std::string location;  // sent as Location when not empty
    std::chrono::milliseconds delay{0};
    bool never = false;  // keeps the connection open without answering until the client leaves
};

inline ReceiverAnswer status_answer(int status) {
    ReceiverAnswer answer;
    answer.status = status;
    return answer;
}

class WebhookReceiver {
  public:
    explicit WebhookReceiver(boost::asio::io_context& io);
    ~WebhookReceiver();
    WebhookReceiver(const WebhookReceiver&) = delete;
    WebhookReceiver& operator=(const WebhookReceiver&) = delete;

    // How to answer request `n` (counted from 1 over every path); 200 at once by default.
    void answer_with(std::function<ReceiverAnswer(std::size_t n)> plan);

    // "http://127.0.0.1:<port>" followed by `path`.
    std::string url(std::string_view path = "/hook") const;

    const std::vector<ReceivedRequest>& requests() const;
    std::size_t connections_accepted() const;
    // The most connections that were open at the same time.
    std::size_t peak_open_connections() const;

    // Closes the listener and every open connection.
    void stop();

    struct State;

  private:
    std::shared_ptr<State> state_;
};

}  // namespace asyncscrape::test
