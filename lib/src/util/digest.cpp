#include "util/digest.hpp"

#include <openssl/evp.h>

#include <stdexcept>

namespace asyncscrape {

namespace {

// Fetched once: EVP_sha256() makes every EVP_DigestInit_ex look the algorithm up in OpenSSL 3's
// provider tables under a lock, which cost more than hashing a job id.
const EVP_MD* sha256_algorithm() {
    static const EVP_MD* const algorithm = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    return algorithm;
}

}  // namespace

struct Sha256::Context {
    struct Free {
        void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
    };
    std::unique_ptr<EVP_MD_CTX, Free> md{EVP_MD_CTX_new()};
};

Sha256::Sha256() : context_(std::make_unique<Context>()) {
    if (!context_->md) {
        throw std::runtime_error("SHA-256 is not available from OpenSSL");
    }
    start();
}

void Sha256::start() {
    if (!sha256_algorithm() ||
        EVP_DigestInit_ex(context_->md.get(), sha256_algorithm(), nullptr) != 1) {
        throw std::runtime_error("SHA-256 is not available from OpenSSL");
    }
}

Sha256::~Sha256() = default;

Sha256& Sha256::add(std::string_view bytes) {
    EVP_DigestUpdate(context_->md.get(), bytes.data(), bytes.size());
    return *this;
}

Sha256Digest Sha256::finish() {
    Sha256Digest digest{};
    unsigned int size = 0;
    EVP_DigestFinal_ex(context_->md.get(), digest.data(), &size);
    start();  // a context is reusable once initialised again
    return digest;
}

Sha256Digest sha256(std::string_view bytes) {
    // One context per thread, reset for every digest: a run's start hashes every job id.
    thread_local Sha256 hasher;
    return hasher.add(bytes).finish();
}

std::string to_hex(std::span<const std::uint8_t> bytes) {
    static constexpr std::string_view digits = "0123456789abcdef";
    std::string text;
    text.reserve(bytes.size() * 2);
    for (const std::uint8_t byte : bytes) {
        text += digits[byte >> 4];
        text += digits[byte & 0x0f];
    }
    return text;
}

int hex_digit_value(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

bool from_hex(std::string_view text, std::span<std::uint8_t> out) {
    if (text.size() != out.size() * 2) {
        return false;
    }
    for (std::size_t i = 0; i < out.size(); ++i) {
        const int high = hex_digit_value(text[2 * i]);
        const int low = hex_digit_value(text[2 * i + 1]);
        if (high < 0 || low < 0) {
            return false;
        }
        out[i] = static_cast<std::uint8_t>(high << 4 | low);
    }
    return true;
}

}  // namespace asyncscrape
