#include "util/uuid.hpp"

#include "util/digest.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <random>

namespace asyncscrape {
namespace {

// Seeded once per thread from the OS entropy source: ids must not repeat across restarts, and a
// generator per thread needs no lock.
std::mt19937_64& generator() {
    thread_local std::mt19937_64 engine = [] {
        std::random_device entropy;
        std::seed_seq seed{entropy(), entropy(), entropy(), entropy(),
                           entropy(), entropy(), entropy(), entropy()};
        return std::mt19937_64(seed);
    }();
    return engine;
}

bool is_hex_digit(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

using UuidBytes = std::array<std::uint8_t, 16>;

// Sets the version and the variant (10xx, RFC 9562) and writes the 8-4-4-4-12 form.
std::string format_uuid(UuidBytes bytes, std::uint8_t version) {
    bytes[6] = static_cast<std::uint8_t>((bytes[6] & 0x0F) | (version << 4));
    bytes[8] = static_cast<std::uint8_t>((bytes[8] & 0x3F) | 0x80);

    static constexpr char digits[] = "0123456789abcdef";
    std::array<char, 36> text{};  // written in place: every job's id goes through here
    std::size_t at = 0;
    for (std::size_t k = 0; k < bytes.size(); ++k) {
        if (k == 4 || k == 6 || k == 8 || k == 10) {
            text[at++] = '-';
        }
        text[at++] = digits[bytes[k] >> 4];
        text[at++] = digits[bytes[k] & 0x0F];
    }
    return std::string(text.data(), text.size());
}

}  // namespace

std::string new_uuid() {
    UuidBytes bytes{};
    for (std::size_t half = 0; half < 2; ++half) {
        std::uint64_t random = generator()();
        for (std::size_t k = 0; k < 8; ++k, random >>= 8) {
            bytes[half * 8 + k] = static_cast<std::uint8_t>(random);
        }
    }
    return format_uuid(bytes, 4);
}

std::string uuid_from_name(std::string_view name) {
    const Sha256Digest digest = sha256(name);
    UuidBytes bytes{};
    std::copy_n(digest.begin(), bytes.size(), bytes.begin());
    return format_uuid(bytes, 8);
}

bool is_uuid(std::string_view text) {
    if (text.size() != 36) {
        return false;
    }
    for (std::size_t i = 0; i < text.size(); ++i) {
        const bool dash_position = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash_position ? text[i] != '-' : !is_hex_digit(text[i])) {
            return false;
        }
    }
    const char variant = text[19];
    return (text[14] == '4' || text[14] == '8') &&
           (variant == '8' || variant == '9' || variant == 'a' || variant == 'b');
}

}  // namespace asyncscrape
