#include "model/base64.hpp"

#include <cstdint>

namespace asyncscrape {
namespace {

std::uint32_t octet(std::string_view bytes, std::size_t i) {
    return static_cast<unsigned char>(bytes[i]);
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

}  // namespace asyncscrape
