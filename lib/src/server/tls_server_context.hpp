// TLS for the API server: the context every HTTPS connection is served with, made from the
// certificate chain and private key files that ServerConfig names.
#pragma once

#include <asyncscrape/config.hpp>

#include <boost/asio/ssl/context.hpp>

namespace asyncscrape::server {

// Whether the configuration asks for HTTPS (names either file).
bool wants_tls(const ServerConfig& config);

// A server context for TLS 1.2 and later with the configured certificate chain and key. Throws
// TlsSetupError naming the setting at fault: one of the two files not set, a file missing or
// unreadable, not PEM, an encrypted key, or a key that does not match the certificate.
boost::asio::ssl::context make_tls_server_context(const ServerConfig& config);

}  // namespace asyncscrape::server
