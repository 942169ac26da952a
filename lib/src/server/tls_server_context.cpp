#include "server/tls_server_context.hpp"

#include <asyncscrape/server.hpp>

#include <boost/asio/buffer.hpp>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>

namespace asyncscrape::server {
namespace {

namespace ssl = boost::asio::ssl;
using Setting = TlsSetupError::Setting;

// Certificate chains and keys are a few kilobytes; anything this large is not one.
constexpr std::size_t max_file_bytes = 1024 * 1024;

// Closes the file however reading ends.
struct OpenFile {
    explicit OpenFile(int fd) : fd(fd) {}
    ~OpenFile() { ::close(fd); }
    OpenFile(const OpenFile&) = delete;
    OpenFile& operator=(const OpenFile&) = delete;

    int fd;
};

// The whole file, or TlsSetupError saying why it cannot be read.
std::string read_file(Setting setting, const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        throw TlsSetupError(setting, path, std::string("cannot open: ") + std::strerror(errno));
    }
    const OpenFile file(fd);
    struct stat status {};
    if (::fstat(fd, &status) != 0 || !S_ISREG(status.st_mode)) {
        throw TlsSetupError(setting, path, "not a regular file");
    }
    std::string content;
    char chunk[4096];
    for (;;) {
        const ssize_t n = ::read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            throw TlsSetupError(setting, path, std::string("cannot read: ") + std::strerror(errno));
        }
        if (n == 0) {
            return content;
        }
        content.append(chunk, static_cast<std::size_t>(n));
        if (content.size() > max_file_bytes) {
            throw TlsSetupError(setting, path, "larger than 1 MB: not a PEM file");
        }
    }
}

struct FreeBio {
    void operator()(BIO* bio) const { BIO_free(bio); }
};
struct FreeKey {
    void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};

// OpenSSL's password callback: a server started unattended has no one to ask, so an encrypted
// key is refused (rather than OpenSSL prompting on the terminal).
int refuse_password(char* /*buffer*/, int /*size*/, int /*rwflag*/, void* asked) {
    *static_cast<bool*>(asked) = true;
    return 0;
}

void load_certificate_chain(ssl::context& context, const std::string& path) {
    const std::string pem = read_file(Setting::certificate_file, path);
    boost::system::error_code ec;
    context.use_certificate_chain(boost::asio::buffer(pem), ec);
    if (ec) {
        throw TlsSetupError(Setting::certificate_file, path, "no PEM certificate in it");
    }
}

void load_private_key(ssl::context& context, const std::string& path,
                      const std::string& certificate_path) {
    const std::string pem = read_file(Setting::private_key_file, path);
    const std::unique_ptr<BIO, FreeBio> bio(
        BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    bool password_asked = false;
    const std::unique_ptr<EVP_PKEY, FreeKey> key(
        PEM_read_bio_PrivateKey(bio.get(), nullptr, refuse_password, &password_asked));
    if (!key) {
        throw TlsSetupError(Setting::private_key_file, path,
                            password_asked ? "encrypted with a passphrase, which is not supported"
                                           : "no PEM private key in it");
    }
    // SSL_CTX_use_PrivateKey compares a key with the certificate of its own type only;
    // SSL_CTX_check_private_key catches a key of another type (RSA for an EC certificate).
    if (SSL_CTX_use_PrivateKey(context.native_handle(), key.get()) != 1 ||
        SSL_CTX_check_private_key(context.native_handle()) != 1) {
        throw TlsSetupError(Setting::private_key_file, path,
                            "does not match the certificate in \"" + certificate_path + "\"");
    }
}

// Clears OpenSSL's error queue of this thread however loading ends: the fetcher's TLS on the
// same thread must not find our errors there.
struct ClearOpensslErrors {
    ~ClearOpensslErrors() { ERR_clear_error(); }
};

}  // namespace

bool wants_tls(const ServerConfig& config) {
    return !config.tls_certificate_file.empty() || !config.tls_private_key_file.empty();
}

ssl::context make_tls_server_context(const ServerConfig& config) {
    if (config.tls_certificate_file.empty()) {
        throw TlsSetupError(Setting::certificate_file, "",
                            "not set, but the private key file is (both or neither)");
    }
    if (config.tls_private_key_file.empty()) {
        throw TlsSetupError(Setting::private_key_file, "",
                            "not set, but the certificate chain file is (both or neither)");
    }
    const ClearOpensslErrors clear_errors;
    ssl::context context(ssl::context::tls_server);
    SSL_CTX_set_min_proto_version(context.native_handle(), TLS1_2_VERSION);
    // No compression (CRIME), no renegotiation (a client could make us do handshakes on demand).
    context.set_options(ssl::context::default_workarounds | ssl::context::no_compression |
                        ssl::context::single_dh_use | SSL_OP_NO_RENEGOTIATION |
                        SSL_OP_CIPHER_SERVER_PREFERENCE);
    load_certificate_chain(context, config.tls_certificate_file);
    load_private_key(context, config.tls_private_key_file, config.tls_certificate_file);
    return context;
}

}  // namespace asyncscrape::server
