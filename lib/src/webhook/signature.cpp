#include "webhook/signature.hpp"

#include "util/digest.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <span>
#include <stdexcept>

namespace asyncscrape::webhook {

namespace {

std::string hmac_sha256_hex(std::string_view key, std::string_view message) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int digest_size = 0;
    // OpenSSL refuses a null key pointer even with a zero length; an empty view may carry one.
    static constexpr unsigned char no_key = 0;
    const void* key_bytes = key.empty() ? static_cast<const void*>(&no_key) : key.data();
    if (HMAC(EVP_sha256(), key_bytes, static_cast<int>(key.size()),
             reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest.data(),
             &digest_size) == nullptr) {
        throw std::runtime_error("HMAC-SHA256 failed");
    }
    return to_hex(std::span(digest.data(), digest_size));
}

}  // namespace

std::string webhook_signature(std::string_view secret, std::int64_t unix_seconds,
                              std::string_view body) {
    const std::string timestamp = std::to_string(unix_seconds);
    std::string signed_text;
    signed_text.reserve(timestamp.size() + 1 + body.size());
    signed_text.append(timestamp).append(".").append(body);
    return "t=" + timestamp + ",v1=" + hmac_sha256_hex(secret, signed_text);
}

}  // namespace asyncscrape::webhook
