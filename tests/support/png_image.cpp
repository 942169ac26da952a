#include "support/png_image.hpp"

#include <zlib.h>

#include <array>
#include <vector>

namespace asyncscrape::test {
namespace {

constexpr std::string_view signature("\x89PNG\r\n\x1a\n", 8);

std::uint32_t big_endian(std::string_view bytes, std::size_t at) {
    std::uint32_t value = 0;
    for (std::size_t i = 0; i < 4; ++i) {
        value = (value << 8) | static_cast<unsigned char>(bytes[at + i]);
    }
    return value;
}

// Bytes per pixel of a colour type at 8 bits per sample, 0 for what a test never expects.
std::size_t bytes_per_pixel(unsigned colour_type) {
    switch (colour_type) {
        case 0:
            return 1;  // grey
        case 2:
            return 3;  // RGB
        case 4:
            return 2;  // grey and alpha
        case 6:
            return 4;  // RGBA
        default:
            return 0;
    }
}

}  // namespace

std::variant<PngImage, std::string> decode_png(std::string_view bytes) {
    if (!bytes.starts_with(signature)) {
        return "no PNG signature";
    }
    PngImage image;
    std::size_t pixel_bytes = 0;
    std::string compressed;
    bool ended = false;
    for (std::size_t at = signature.size(); !ended;) {
        if (at + 12 > bytes.size()) {
            return "truncated before IEND";
        }
        const std::uint32_t length = big_endian(bytes, at);
        if (at + 12 + length > bytes.size()) {
            return "chunk past the end";
        }
        const std::string_view type = bytes.substr(at + 4, 4);
        const std::string_view data = bytes.substr(at + 8, length);
        const auto crc = crc32(crc32(0, reinterpret_cast<const Bytef*>(type.data()), 4),
                               reinterpret_cast<const Bytef*>(data.data()), length);
        if (crc != big_endian(bytes, at + 8 + length)) {
            return "bad CRC in " + std::string(type);
        }
        if (type == "IHDR") {
            if (length != 13 || static_cast<unsigned char>(data[8]) != 8) {
                return "unexpected IHDR";
            }
            image.width = big_endian(data, 0);
            image.height = big_endian(data, 4);
            pixel_bytes = bytes_per_pixel(static_cast<unsigned char>(data[9]));
            if (pixel_bytes == 0 || data[12] != 0) {
                return "unexpected colour type or interlacing";
            }
        } else if (type == "IDAT") {
            compressed.append(data);
        } else if (type == "IEND") {
            ended = true;
        }
        at += 12 + length;
    }
    if (image.width == 0 || image.height == 0) {
        return "no IHDR";
    }
    // Every row: a filter byte, then its pixels. One byte more proves there is no excess data.
    const std::size_t expected = image.height * (1 + image.width * pixel_bytes);
    std::vector<Bytef> raw(expected + 1);
    uLongf raw_size = raw.size();
    const int inflated =
        uncompress(raw.data(), &raw_size, reinterpret_cast<const Bytef*>(compressed.data()),
                   compressed.size());
    if (inflated != Z_OK || raw_size != expected) {
        return "image data does not inflate to " + std::to_string(expected) + " bytes";
    }
    return image;
}

}  // namespace asyncscrape::test
