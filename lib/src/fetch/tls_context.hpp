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

// A client context trusting the system CA store and, when `extra_ca_file` is not empty, the CAs
// of that PEM file too. Throws when the file cannot be loaded (a configuration error).
boost::asio::ssl::context make_tls_client_context(const std::string& extra_ca_file);

// Readies a stream for a handshake with `host`: SNI (for names, not addresses) and verification
// that the certificate is for `host`.
boost::system::error_code prepare_tls_stream(TlsStream& stream, const std::string& host);

// The sentence for a failed handshake, naming the certificate problem when there was one, e.g.
// "tls: certificate verify failed: self-signed certificate".
std::string describe_tls_failure(TlsStream& stream, const boost::system::error_code& error);

}  // namespace asyncscrape::fetch
