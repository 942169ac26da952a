// The CDP pipe's framing: every message is a JSON text followed by a NUL byte. Sans-io: fed with
// the bytes as they were read, it hands back whole messages, however the reads split them.
#pragma once

#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

namespace asyncscrape::browser {

class CdpFramer {
  public:
    // A message longer than `max_message_bytes` (without its NUL) breaks the stream.
    explicit CdpFramer(std::size_t max_message_bytes);

    // Appends bytes read from the pipe. False once a message has outgrown the limit: the stream
    // cannot be trusted any more and the connection must be closed.
    bool feed(std::string_view bytes);

    // The oldest complete message not yet taken, without its NUL.
    std::optional<std::string> next_message();

    // The bytes to write for one message.
    static std::string frame(std::string_view message);

  private:
    std::size_t max_message_bytes_;
    std::string buffer_;
    std::size_t taken_ = 0;                 // bytes of buffer_ already handed out
    std::deque<std::size_t> message_ends_;  // offsets in buffer_ of NULs not yet handed out
    std::size_t scanned_ = 0;               // bytes of buffer_ already searched for NULs
    bool broken_ = false;
};

}  // namespace asyncscrape::browser
