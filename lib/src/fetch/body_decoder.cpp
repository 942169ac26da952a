#include "fetch/body_decoder.hpp"

#include <boost/beast/core/string.hpp>

#include <zlib.h>

#include <algorithm>
#include <array>
#include <utility>

namespace asyncscrape::fetch {

namespace {

constexpr int max_window_bits = 15;
// inflateInit2 reads a gzip or a zlib header when 32 is added to the window bits.
constexpr int gzip_or_zlib_window_bits = max_window_bits + 32;

// RFC 1950: compression method 8 (deflate) in the low nibble and a header checksum.
bool is_zlib_header(unsigned char cmf, unsigned char flg) {
    return (cmf & 0x0f) == 8 && (cmf * 256 + flg) % 31 == 0;
}

bool starts_gzip_member(const z_stream& zlib) {
    return zlib.avail_in >= 2 && zlib.next_in[0] == 0x1f && zlib.next_in[1] == 0x8b;
}

}  // namespace

std::optional<ContentCoding> parse_content_coding(std::string_view content_encoding) {
    const auto first = content_encoding.find_first_not_of(" \t");
    if (first == std::string_view::npos) {
        return ContentCoding::identity;
    }
    const std::string_view coding =
        content_encoding.substr(first, content_encoding.find_last_not_of(" \t") - first + 1);
    if (boost::beast::iequals(coding, "identity")) {
        return ContentCoding::identity;
    }
    if (boost::beast::iequals(coding, "gzip") || boost::beast::iequals(coding, "x-gzip")) {
        return ContentCoding::gzip;
    }
    if (boost::beast::iequals(coding, "deflate")) {
        return ContentCoding::deflate;
    }
    return std::nullopt;
}

BodyDecoder::BodyDecoder(ContentCoding coding, std::size_t max_decoded_bytes)
    : coding_(coding), max_decoded_bytes_(max_decoded_bytes) {}

BodyDecoder::~BodyDecoder() {
    if (zlib_) {
        inflateEnd(zlib_.get());
    }
}

BodyDecoder::Status BodyDecoder::write(std::string_view encoded) {
    switch (coding_) {
        case ContentCoding::identity:
            return append(encoded);
        case ContentCoding::gzip:
            if (!zlib_) {
                if (const Status status = start_inflating(gzip_or_zlib_window_bits);
                    status != Status::ok) {
                    return status;
                }
            }
            return inflate_input(encoded);
        case ContentCoding::deflate:
            if (zlib_) {
                return inflate_input(encoded);
            }
            deflate_head_.append(encoded);
            if (deflate_head_.size() < 2) {
                return Status::ok;
            }
            const auto cmf = static_cast<unsigned char>(deflate_head_[0]);
            const auto flg = static_cast<unsigned char>(deflate_head_[1]);
            // Negative window bits select raw deflate.
            const int window_bits = is_zlib_header(cmf, flg) ? max_window_bits : -max_window_bits;
            if (const Status status = start_inflating(window_bits); status != Status::ok) {
                return status;
            }
            return inflate_input(std::exchange(deflate_head_, {}));
    }
    return Status::corrupt;
}

BodyDecoder::Status BodyDecoder::finish() {
    if (coding_ == ContentCoding::identity) {
        return Status::ok;
    }
    const bool received_nothing = !zlib_ && deflate_head_.empty();
    return received_nothing || stream_ended_ ? Status::ok : Status::corrupt;
}

BodyDecoder::Status BodyDecoder::start_inflating(int window_bits) {
    zlib_ = std::make_unique<z_stream>();
    if (inflateInit2(zlib_.get(), window_bits) != Z_OK) {
        zlib_.reset();  // nothing to inflateEnd
        return Status::corrupt;
    }
    return Status::ok;
}

BodyDecoder::Status BodyDecoder::inflate_input(std::string_view encoded) {
    z_stream& zlib = *zlib_;
    // zlib's interface is not const-correct; it never writes through next_in.
    zlib.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(encoded.data()));
    zlib.avail_in = static_cast<uInt>(encoded.size());
    std::array<char, 16 * 1024> decoded;
    while (!stream_ended_) {
        zlib.next_out = reinterpret_cast<Bytef*>(decoded.data());
        zlib.avail_out = static_cast<uInt>(decoded.size());
        const int result = inflate(&zlib, Z_NO_FLUSH);
        if (result != Z_OK && result != Z_STREAM_END && result != Z_BUF_ERROR) {
            return Status::corrupt;
        }
        const std::size_t produced = decoded.size() - zlib.avail_out;
        if (const Status status = append({decoded.data(), produced}); status != Status::ok) {
            return status;
        }
        if (result == Z_STREAM_END) {
            // A gzip body may hold several members one after another; bytes after the end of
            // a stream that are not another member are ignored, as browsers do.
            if (coding_ == ContentCoding::gzip && starts_gzip_member(zlib)) {
                inflateReset(&zlib);
                continue;
            }
            stream_ended_ = true;
        } else if (zlib.avail_in == 0 && zlib.avail_out != 0) {
            break;  // the input is used up and all its output delivered
        } else if (produced == 0 && result == Z_BUF_ERROR) {
            break;  // no progress possible until more input arrives
        }
    }
    return Status::ok;
}

BodyDecoder::Status BodyDecoder::append(std::string_view decoded) {
    if (decoded.size() > max_decoded_bytes_ - body_.size()) {
        return Status::too_large;
    }
    body_.append(decoded);
    return Status::ok;
}

}  // namespace asyncscrape::fetch
