#include "fetch/body_decoder.hpp"

#include <catch2/catch.hpp>

#include <zlib.h>

#include <stdexcept>
#include <string>

using asyncscrape::fetch::BodyDecoder;
using asyncscrape::fetch::ContentCoding;
using asyncscrape::fetch::parse_content_coding;
using Status = BodyDecoder::Status;

namespace {

constexpr int gzip_window = 15 + 16;
constexpr int zlib_window = 15;
constexpr int raw_window = -15;

// `repeat` copies of `data`, compressed with zlib's deflate in the framing the window bits select.
std::string compress(const std::string& data, int window_bits, std::size_t repeat = 1) {
    z_stream stream{};
    REQUIRE(deflateInit2(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, window_bits, 8,
                         Z_DEFAULT_STRATEGY) == Z_OK);
    std::string compressed;
    char out[16384];
    for (std::size_t i = 0; i < repeat; ++i) {
        const int flush = i + 1 == repeat ? Z_FINISH : Z_NO_FLUSH;
        stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
        stream.avail_in = static_cast<uInt>(data.size());
        int result = Z_OK;
        do {
            stream.next_out = reinterpret_cast<Bytef*>(out);
            stream.avail_out = sizeof out;
            result = deflate(&stream, flush);
            compressed.append(out, sizeof out - stream.avail_out);
        } while (stream.avail_out == 0 || (flush == Z_FINISH && result != Z_STREAM_END));
    }
    deflateEnd(&stream);
    return compressed;
}

std::string sample_text() {
    std::string text;
    for (int i = 0; i < 500; ++i) {
        text += "line " + std::to_string(i) + " of a body that compresses well\n";
    }
    return text;
}

// Feeds `encoded` in pieces of `piece` bytes, as it would arrive from a socket.
Status decode(BodyDecoder& decoder, const std::string& encoded, std::size_t piece) {
    for (std::size_t offset = 0; offset < encoded.size(); offset += piece) {
        if (const Status status = decoder.write(std::string_view(encoded).substr(offset, piece));
            status != Status::ok) {
            return status;
        }
    }
    return decoder.finish();
}

}  // namespace

TEST_CASE("content codings are recognised by name", "[decode]") {
    CHECK(parse_content_coding("") == ContentCoding::identity);
    CHECK(parse_content_coding("identity") == ContentCoding::identity);
    CHECK(parse_content_coding("gzip") == ContentCoding::gzip);
    CHECK(parse_content_coding(" GZip ") == ContentCoding::gzip);
    CHECK(parse_content_coding("x-gzip") == ContentCoding::gzip);
    CHECK(parse_content_coding("deflate") == ContentCoding::deflate);
    CHECK_FALSE(parse_content_coding("br").has_value());
    CHECK_FALSE(parse_content_coding("gzip, br").has_value());
}

TEST_CASE("gzip, zlib-wrapped deflate and raw deflate decode in any piece size", "[decode]") {
    const std::string text = sample_text();
    const auto [coding, window_bits] = GENERATE(table<ContentCoding, int>({
        {ContentCoding::gzip, gzip_window},
        {ContentCoding::deflate, zlib_window},
        {ContentCoding::deflate, raw_window},
    }));
    const std::size_t piece = GENERATE(1, 7, 4096, 1 << 20);
    INFO("window bits " << window_bits << ", pieces of " << piece);
    BodyDecoder decoder(coding, 1 << 20);
    CHECK(decode(decoder, compress(text, window_bits), piece) == Status::ok);
    CHECK(decoder.body() == text);
}

TEST_CASE("concatenated gzip members decode as one body", "[decode]") {
    BodyDecoder decoder(ContentCoding::gzip, 1 << 20);
    CHECK(decode(decoder, compress("first ", gzip_window) + compress("second", gzip_window), 5) ==
          Status::ok);
    CHECK(decoder.body() == "first second");
}

TEST_CASE("identity bodies pass through within the limit", "[decode]") {
    BodyDecoder decoder(ContentCoding::identity, 10);
    CHECK(decoder.write("0123456789") == Status::ok);
    CHECK(decoder.body() == "0123456789");
    CHECK(decoder.write("x") == Status::too_large);
}

TEST_CASE("an empty compressed body is an empty body", "[decode]") {
    BodyDecoder decoder(ContentCoding::gzip, 100);
    CHECK(decoder.finish() == Status::ok);
    CHECK(decoder.body().empty());
}

TEST_CASE("a gzip bomb stops at the limit without inflating the rest", "[decode]") {
    constexpr std::size_t limit = 10 * 1024 * 1024;
    // 64 MB of zeros in ~64 KB.
    const std::string bomb = compress(std::string(1 << 20, '\0'), gzip_window, 64);
    REQUIRE(bomb.size() < 200 * 1024);
    BodyDecoder decoder(ContentCoding::gzip, limit);
    std::size_t consumed = 0;
    Status status = Status::ok;
    for (; consumed < bomb.size() && status == Status::ok; consumed += 1024) {
        status = decoder.write(std::string_view(bomb).substr(consumed, 1024));
    }
    CHECK(status == Status::too_large);
    CHECK(decoder.body().size() <= limit);
    // It stopped early: most of the bomb was never fed.
    CHECK(consumed < bomb.size() / 2);
}

TEST_CASE("corrupt and truncated compressed bodies are reported", "[decode]") {
    SECTION("not gzip at all") {
        BodyDecoder decoder(ContentCoding::gzip, 1 << 20);
        CHECK(decode(decoder, "this is not compressed data", 64) == Status::corrupt);
    }
    SECTION("corrupted deflate data") {
        std::string broken = compress(sample_text(), zlib_window);
        for (std::size_t i = 2; i < broken.size(); i += 3) {
            broken[i] = static_cast<char>(broken[i] ^ 0x5a);
        }
        BodyDecoder decoder(ContentCoding::deflate, 1 << 20);
        CHECK(decode(decoder, broken, 64) == Status::corrupt);
    }
    SECTION("truncated gzip") {
        const std::string whole = compress(sample_text(), gzip_window);
        BodyDecoder decoder(ContentCoding::gzip, 1 << 20);
        CHECK(decode(decoder, whole.substr(0, whole.size() / 2), 64) == Status::corrupt);
    }
    SECTION("a single byte of deflate") {
        BodyDecoder decoder(ContentCoding::deflate, 1 << 20);
        CHECK(decode(decoder, "x", 1) == Status::corrupt);
    }
}
