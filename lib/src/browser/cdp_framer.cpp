#include "browser/cdp_framer.hpp"

#include <cstring>

namespace asyncscrape::browser {

CdpFramer::CdpFramer(std::size_t max_message_bytes) : max_message_bytes_(max_message_bytes) {}

bool CdpFramer::feed(std::string_view bytes) {
    if (broken_) {
        return false;
    }
    buffer_.append(bytes);
    // Only the new bytes are searched, so a large message arriving in many reads costs linear time.
    while (scanned_ < buffer_.size()) {
        const void* nul = std::memchr(buffer_.data() + scanned_, '\0', buffer_.size() - scanned_);
        if (!nul) {
            scanned_ = buffer_.size();
            break;
        }
        const auto end = static_cast<std::size_t>(static_cast<const char*>(nul) - buffer_.data());
        const std::size_t start = message_ends_.empty() ? taken_ : message_ends_.back() + 1;
        if (end - start > max_message_bytes_) {
            broken_ = true;
            return false;
        }
        message_ends_.push_back(end);
        scanned_ = end + 1;
    }
    const std::size_t unfinished_start = message_ends_.empty() ? taken_ : message_ends_.back() + 1;
    if (buffer_.size() - unfinished_start > max_message_bytes_) {
        broken_ = true;
        return false;
    }
    return true;
}

std::optional<std::string> CdpFramer::next_message() {
    if (message_ends_.empty()) {
        // Nothing complete is left: drop what was handed out so the buffer does not grow forever.
        buffer_.erase(0, taken_);
        scanned_ -= taken_;
        taken_ = 0;
        return std::nullopt;
    }
    const std::size_t end = message_ends_.front();
    message_ends_.pop_front();
    std::string message = buffer_.substr(taken_, end - taken_);
    taken_ = end + 1;
    return message;
}

std::string CdpFramer::frame(std::string_view message) {
    std::string framed;
    framed.reserve(message.size() + 1);
    framed.append(message);
    framed.push_back('\0');
    return framed;
}

}  // namespace asyncscrape::browser
