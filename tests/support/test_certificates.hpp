// A throwaway PKI for HTTPS tests, made with OpenSSL's C API when first used (nothing committed,
// no `openssl` command needed): a test CA and the server certificates the TLS tests need.
#pragma once

#include <string>

namespace asyncscrape::test {

struct TestCredential {
    std::string certificate_pem;
    std::string private_key_pem;
};

struct TestPki {
    std::string ca_certificate_pem;
    // A temporary PEM file holding the CA, for RuntimeConfig::extra_ca_file; removed at exit.
    std::string ca_file;
    TestCredential localhost;    // for "localhost" and 127.0.0.1, signed by the test CA
    TestCredential wrong_host;   // for "wrong-host.invalid", signed by the test CA
    TestCredential self_signed;  // for "localhost" and 127.0.0.1, signed by its own key
    TestCredential expired;      // for "localhost" and 127.0.0.1, signed by the test CA, expired
};

// Made once per process.
const TestPki& test_pki();

}  // namespace asyncscrape::test
