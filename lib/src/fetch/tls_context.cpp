#include "fetch/tls_context.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

namespace asyncscrape::fetch {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;

namespace {

bool is_ip_address(const std::string& host) {
    boost::system::error_code error;
    asio::ip::make_address(host, error);
    return !error;
}

// asio's host_name_verification rejects a certificate for another host without saying why, so the
// handshake would fail as a bare "certificate verify failed". Recording the mismatch as the
// chain's verify error lets describe_tls_failure name it.
class VerifyHostName {
  public:
    explicit VerifyHostName(const std::string& host)
        : check_(host), is_address_(is_ip_address(host)) {}

    bool operator()(bool preverified, ssl::verify_context& context) {
        if (check_(preverified, context)) {
            return true;
        }
        if (preverified) {
            X509_STORE_CTX_set_error(context.native_handle(), is_address_
                                                                  ? X509_V_ERR_IP_ADDRESS_MISMATCH
                                                                  : X509_V_ERR_HOSTNAME_MISMATCH);
        }
        return false;
    }

  private:
    ssl::host_name_verification check_;
    bool is_address_;
};

}  // namespace

TlsClientContext::TlsClientContext(const std::string& extra_ca_file)
    : context_(ssl::context::tls_client) {
    if (!extra_ca_file.empty()) {
        context_.load_verify_file(extra_ca_file);
    }
    context_.set_verify_mode(ssl::verify_peer);
    SSL_CTX_set_min_proto_version(context_.native_handle(), TLS1_2_VERSION);
}

ssl::context& TlsClientContext::get() {
    if (!system_store_loaded_) {
        context_.set_default_verify_paths();
        system_store_loaded_ = true;
    }
    return context_;
}

boost::system::error_code prepare_tls_stream(TlsStream& stream, const std::string& host) {
    // RFC 6066 forbids addresses in SNI.
    if (!is_ip_address(host) && !SSL_set_tlsext_host_name(stream.native_handle(), host.c_str())) {
        return {static_cast<int>(::ERR_get_error()), asio::error::get_ssl_category()};
    }
    boost::system::error_code error;
    stream.set_verify_callback(VerifyHostName(host), error);
    return error;
}

std::string describe_tls_failure(TlsStream& stream, const boost::system::error_code& error) {
    const long verify_result = SSL_get_verify_result(stream.native_handle());
    if (verify_result != X509_V_OK) {
        return std::string("tls: certificate verify failed: ") +
               X509_verify_cert_error_string(verify_result);
    }
    return "tls: " + error.message();
}

}  // namespace asyncscrape::fetch
