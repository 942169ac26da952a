// Certificates and keys as files, the way the server reads them (ServerConfig's TLS settings,
// --tls-cert and --tls-key), and keys that belong to no certificate, for the refusals.
#pragma once

#include "support/temp_dir.hpp"
#include "support/test_certificates.hpp"

#include <string>

namespace asyncscrape::test {

// By default the test PKI's certificate for localhost and 127.0.0.1 and its key, which
// TlsClient trusts; files in a directory of their own, removed with it.
struct CredentialFiles {
    explicit CredentialFiles(const TestCredential& credential = test_pki().localhost);

    // Writes another file into the directory and answers its path.
    std::string write(const std::string& name, const std::string& content) const;

    TempDir dir;
    std::string certificate;
    std::string key;
};

// A new P-256 private key in PEM, of no certificate; encrypted when `passphrase` is given.
std::string unrelated_ec_key_pem(const char* passphrase = nullptr);
// A new 2048-bit RSA private key in PEM: of another type than the test certificates' keys.
std::string unrelated_rsa_key_pem();

}  // namespace asyncscrape::test
