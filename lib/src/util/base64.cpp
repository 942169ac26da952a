#include "util/base64.hpp"

#include <cstdint>

namespace asyncscrape {
namespace {

std::uint32_t octet(std::string_view bytes, std::size_t i) {
    return static_cast<unsigned char>(bytes[i]);
}

int sextet(char c) {
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }
    if (c == '+') {
        return 62;
    }
    if (c == '/') {
        return 63;
    }
    return -1;
}

}  // namespace

std::string encode_base64(std::string_view bytes) {
    static constexpr char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    // Each whole group of three bytes becomes four characters of six bits each.
    for (; i + 3 <= bytes.size(); i += 3) {
        const std::uint32_t group =
            octet(bytes, i) << 16 | octet(bytes, i + 1) << 8 | octet(bytes, i + 2);
        out += alphabet[group >> 18 & 0x3F];
        out += alphabet[group >> 12 & 0x3F];
        out += alphabet[group >> 6 & 0x3F];
        out += alphabet[group & 0x3F];
    }
    // One or two bytes left: the missing characters are '=' padding.
    const std::size_t rest = bytes.size() - i;
    if (rest > 0) {
        const std::uint32_t group =
            octet(bytes, i) << 16 | (rest == 2 ? octet(bytes, i + 1) << 8 : 0);
        out += alphabet[group >> 18 & 0x3F];
        out += alphabet[group >> 12 & 0x3F];
        out += rest == 2 ? alphabet[group >> 6 & 0x3F] : '=';
        out += '=';
    }
    return out;
}

std::optional<std::string> decode_base64(std::string_view text) {
    while (!text.empty() && text.back() == '=') {
        text.remove_suffix(1);
    }
    if (text.size() % 4 == 1) {
        return std::nullopt;
    }
    std::string bytes;
    bytes.reserve(text.size() / 4 * 3 + 2);
    unsigned int bits = 0;
    int bit_count = 0;
    for (const char c : text) {
        const int value = sextet(c);
        if (value < 0) {
            return std::nullopt;
        }
        bits = (bits << 6) | static_cast<unsigned int>(value);
        bit_count += 6;
        if (bit_count >= 8) {
            bit_count -= 8;
            bytes += static_cast<char>((bits >> bit_count) & 0xFF);
        }
    }
    return bytes;
}

}  // namespace asyncscrape
