#include "integration/api/credential_files.hpp"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>

namespace asyncscrape::test {
namespace {

struct FreeKey {
    void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct FreeBio {
    void operator()(BIO* bio) const { BIO_free(bio); }
};
using Key = std::unique_ptr<EVP_PKEY, FreeKey>;

std::string private_key_pem(const Key& key, const char* passphrase) {
    if (!key) {
        throw std::runtime_error("test key: generation failed");
    }
    const std::unique_ptr<BIO, FreeBio> bio(BIO_new(BIO_s_mem()));
    const EVP_CIPHER* cipher = passphrase != nullptr ? EVP_aes_128_cbc() : nullptr;
    const auto* pass = reinterpret_cast<const unsigned char*>(passphrase);
    const int pass_size = passphrase != nullptr ? static_cast<int>(std::strlen(passphrase)) : 0;
    if (PEM_write_bio_PrivateKey(bio.get(), key.get(), cipher, pass, pass_size, nullptr, nullptr) !=
        1) {
        throw std::runtime_error("test key: PEM failed");
    }
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(size));
}

}  // namespace

CredentialFiles::CredentialFiles(const TestCredential& credential)
    : certificate(write("server.crt", credential.certificate_pem)),
      key(write("server.key", credential.private_key_pem)) {}

std::string CredentialFiles::write(const std::string& name, const std::string& content) const {
    const std::filesystem::path path = dir.path() / name;
    std::ofstream file(path);
    file << content;
    if (!file.flush()) {
        throw std::runtime_error("cannot write " + path.string());
    }
    return path.string();
}

std::string unrelated_ec_key_pem(const char* passphrase) {
    return private_key_pem(Key(EVP_EC_gen("P-256")), passphrase);
}

std::string unrelated_rsa_key_pem() {
    return private_key_pem(Key(EVP_RSA_gen(2048)), nullptr);
}

}  // namespace asyncscrape::test
