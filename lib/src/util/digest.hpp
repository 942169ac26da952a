// SHA-256 and lower-case hex, for what the server hashes: API keys (so that the keys file may hold
// digests only), idempotent requests, job ids.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace asyncscrape {

using Sha256Digest = std::array<std::uint8_t, 32>;

// Fed piece by piece, so that a large body is hashed without being copied.
class Sha256 {
  public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;

    Sha256& add(std::string_view bytes);
    // The digest of what was added; the hasher then starts over for another message.
    Sha256Digest finish();

  private:
    void start();

    struct Context;
    std::unique_ptr<Context> context_;
};

Sha256Digest sha256(std::string_view bytes);

std::string to_hex(std::span<const std::uint8_t> bytes);
// Reads hex text (either case) into `out`; false when it is not exactly 2 * out.size() digits.
bool from_hex(std::string_view text, std::span<std::uint8_t> out);
// The value of one hex digit (either case), or -1.
int hex_digit_value(char c);

}  // namespace asyncscrape
