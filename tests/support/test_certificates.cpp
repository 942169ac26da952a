#include "support/test_certificates.hpp"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>

namespace asyncscrape::test {

namespace {

struct FreeKey {
    void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct FreeCertificate {
    void operator()(X509* certificate) const { X509_free(certificate); }
};
struct FreeBio {
    void operator()(BIO* bio) const { BIO_free(bio); }
};
using Key = std::unique_ptr<EVP_PKEY, FreeKey>;
using Certificate = std::unique_ptr<X509, FreeCertificate>;
using Bio = std::unique_ptr<BIO, FreeBio>;

void check(bool ok, const char* what) {
    if (!ok) {
        throw std::runtime_error(std::string("test certificates: ") + what + " failed");
    }
}

Key new_key() {
    Key key(EVP_EC_gen("P-256"));
    check(key != nullptr, "key generation");
    return key;
}

void add_extension(X509* certificate, X509V3_CTX& context, int nid, const char* value) {
    X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value);
    check(extension != nullptr, "certificate extension");
    X509_add_ext(certificate, extension, -1);
    X509_EXTENSION_free(extension);
}

struct Subject {
    const char* common_name;
    const char* alt_names;  // null for the CA
};

// Seconds from now.
struct Validity {
    long not_before = -3600;
    long not_after = 7L * 24 * 3600;
};

// Signed by `issuer` (with `issuer_key`), or by its own key when there is no issuer.
Certificate make_certificate(EVP_PKEY* key, Subject subject, long serial, X509* issuer,
                             EVP_PKEY* issuer_key, Validity validity = {}) {
    Certificate certificate(X509_new());
    check(certificate != nullptr, "X509_new");
    X509* cert = certificate.get();
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), serial);
    X509_gmtime_adj(X509_getm_notBefore(cert), validity.not_before);
    X509_gmtime_adj(X509_getm_notAfter(cert), validity.not_after);
    X509_set_pubkey(cert, key);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>(subject.common_name), -1, -1,
                               0);
    X509_set_issuer_name(cert, issuer ? X509_get_subject_name(issuer) : name);

    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, issuer ? issuer : cert, cert, nullptr, nullptr, 0);
    const bool is_ca = subject.alt_names == nullptr;
    add_extension(cert, context, NID_basic_constraints, is_ca ? "critical,CA:TRUE" : "CA:FALSE");
    add_extension(cert, context, NID_subject_key_identifier, "hash");
    if (is_ca) {
        add_extension(cert, context, NID_key_usage, "critical,keyCertSign,cRLSign");
    } else {
        add_extension(cert, context, NID_ext_key_usage, "serverAuth");
        add_extension(cert, context, NID_subject_alt_name, subject.alt_names);
    }
    check(X509_sign(cert, issuer_key ? issuer_key : key, EVP_sha256()) > 0, "signing");
    return certificate;
}

std::string drain(BIO* bio) {
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    return std::string(data, static_cast<std::size_t>(size));
}

std::string certificate_pem(X509* certificate) {
    Bio bio(BIO_new(BIO_s_mem()));
    check(PEM_write_bio_X509(bio.get(), certificate) == 1, "PEM certificate");
    return drain(bio.get());
}

std::string private_key_pem(EVP_PKEY* key) {
    Bio bio(BIO_new(BIO_s_mem()));
    check(PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1,
          "PEM key");
    return drain(bio.get());
}

constexpr const char* localhost_names = "DNS:localhost,IP:127.0.0.1";

// Removes the CA file when the process ends.
struct TemporaryFile {
    std::filesystem::path path;
    ~TemporaryFile() {
        std::error_code ignored;
        std::filesystem::remove(path, ignored);
    }
};

TestPki make_pki(const std::filesystem::path& ca_path) {
    TestPki pki;
    const Key ca_key = new_key();
    const Certificate ca =
        make_certificate(ca_key.get(), {"asyncscrape test CA", nullptr}, 1, nullptr, nullptr);
    pki.ca_certificate_pem = certificate_pem(ca.get());

    const Key server_key = new_key();
    const Certificate localhost = make_certificate(server_key.get(), {"localhost", localhost_names},
                                                   2, ca.get(), ca_key.get());
    pki.localhost = {certificate_pem(localhost.get()), private_key_pem(server_key.get())};
    const Certificate wrong_host =
        make_certificate(server_key.get(), {"wrong-host.invalid", "DNS:wrong-host.invalid"}, 3,
                         ca.get(), ca_key.get());
    pki.wrong_host = {certificate_pem(wrong_host.get()), private_key_pem(server_key.get())};
    const Certificate self_signed =
        make_certificate(server_key.get(), {"localhost", localhost_names}, 4, nullptr, nullptr);
    pki.self_signed = {certificate_pem(self_signed.get()), private_key_pem(server_key.get())};
    const Certificate expired =
        make_certificate(server_key.get(), {"localhost", localhost_names}, 5, ca.get(),
                         ca_key.get(), {-30L * 24 * 3600, -24L * 3600});
    pki.expired = {certificate_pem(expired.get()), private_key_pem(server_key.get())};

    std::ofstream(ca_path) << pki.ca_certificate_pem;
    pki.ca_file = ca_path.string();
    return pki;
}

}  // namespace

const TestPki& test_pki() {
    static const TemporaryFile ca_file{
        std::filesystem::temp_directory_path() /
        ("asyncscrape-test-ca-" + std::to_string(::getpid()) + ".pem")};
    static const TestPki pki = make_pki(ca_file.path);
    return pki;
}

}  // namespace asyncscrape::test
