// Content-Encoding decoding of response bodies, chunk by chunk as they arrive, with the decoded
// size limit enforced while inflating: a gzip bomb stops at the limit, never inflated whole.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

struct z_stream_s;

namespace asyncscrape::fetch {

enum class ContentCoding { identity, gzip, deflate };

// The coding named by a Content-Encoding value; nullopt for one we cannot decode (the body is then
// kept as sent).
std::optional<ContentCoding> parse_content_coding(std::string_view content_encoding);

class BodyDecoder {
  public:
    enum class Status { ok, too_large, corrupt };

    BodyDecoder(ContentCoding coding, std::size_t max_decoded_bytes);
    ~BodyDecoder();
    BodyDecoder(const BodyDecoder&) = delete;
    BodyDecoder& operator=(const BodyDecoder&) = delete;

    // Decodes the next piece of the encoded body. After an error status the decoder is done.
    Status write(std::string_view encoded);
    // The body ended: a compressed stream must have ended too (else it was truncated).
    Status finish();

    std::string& body() { return body_; }

  private:
    Status start_inflating(int window_bits);
    Status inflate_input(std::string_view encoded);
    Status append(std::string_view decoded);

    ContentCoding coding_;
    std::size_t max_decoded_bytes_;
    std::string body_;
    std::unique_ptr<z_stream_s> zlib_;
    // "deflate" is zlib-wrapped by the standard but raw from some servers: its first two bytes
    // tell which, so they wait here until both have arrived.
    std::string deflate_head_;
    bool stream_ended_ = false;
};

}  // namespace asyncscrape::fetch
