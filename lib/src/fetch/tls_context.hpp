// TLS for outbound connections: the peer's certificate chain is verified against the system CA
// store, and its name against the host we meant to reach.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/system/error_code.hpp>

#include <string>

namespace asyncscrape::fetch {

using TlsStream = boost::asio::ssl::stream<boost::beast::tcp_stream>;

// The client context: it trusts the system CA store and, when `extra_ca_file` is not empty, the
// CAs of that PEM file too.
class TlsClientContext {
  public:
    // Loads `extra_ca_file` at once: throws when it cannot be loaded (a configuration error).
    explicit TlsClientContext(const std::string& extra_ca_file);

    // The context, with the system CA store read at the first call. Reading it takes tens of
    // milliseconds: a runtime that never makes a TLS connection (the API server between HTTPS
    // jobs, a plain-HTTP fan-out) starts without paying for it.
    boost::asio::ssl::context& get();

  private:
    boost::asio::ssl::context context_;
    bool system_store_loaded_ = false;
};

// Readies a stream for a handshake with `host`: SNI (for names, not addresses) and verification
// that the certificate is for `host`.
boost::system::error_code prepare_tls_stream(TlsStream& stream, const std::string& host);

// The sentence for a failed handshake, naming the certificate problem when there was one, e.g.
// "tls: certificate verify failed: self-signed certificate".
std::string describe_tls_failure(TlsStream& stream, const boost::system::error_code& error);

}  // namespace asyncscrape::fetch
