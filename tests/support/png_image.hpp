// Reads a PNG as far as a test needs to know it is a real image: the signature, every chunk's
// CRC, the header, and the image data inflated to exactly the size the header implies.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace asyncscrape::test {

struct PngImage {
    std::uint32_t width = 0;
    std::uint32_t height = 0;
};

// The image's size, or why the bytes are not a decodable PNG.
std::variant<PngImage, std::string> decode_png(std::string_view bytes);

}  // namespace asyncscrape::test
