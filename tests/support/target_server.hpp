// An in-process HTTP/1.1 target for loopback tests: it listens on 127.0.0.1 at an ephemeral port
// and serves from coroutines on the test's own io_context, so a test runs client and server on
// one thread. Keep-alive is supported; every response carries `X-Connection: <n>`, the number of
// the connection (from 1) that served it.
//
// Routes (query parameters are optional):
//   /page               200, a ~2 KB HTML page; `?close=1` answers with Connection: close
//   /scripted           a page whose script writes "written by script" into #status after
//                       `?delay_ms=300` ms (a browser sees it, a plain fetch does not)
//   /status/{code}      that status; `?retry_after=<value>` adds a Retry-After header
//   /delay/{ms}         the page, after that many milliseconds
//   /hang               reads the request and never answers
//   /headers-then-hang  sends the headers of a 1000-byte body, then nothing
//   /drip               a body sent one byte at a time: `?bytes=100&interval_ms=100`
//   /reset              headers and part of the body, then a TCP reset (SO_LINGER 0)
//   /redirect/{n}       302 to /redirect/{n-1} (a relative Location); /redirect/0 is the page
//   /redirect-loop      302 to itself
//   /redirect-to?url=U  a redirect to U as given; `&status=302` by default
//   /gzip               the page, gzip-encoded
//   /deflate            the page, deflate-encoded (zlib-wrapped; `?raw=1` for raw deflate)
//   /gzip-bomb          ~32 KB of gzip that inflates to 32 MB
//   /huge               a body of `?bytes=33554432` bytes with its Content-Length
//   /huge-declared      declares a 10 GB Content-Length, then sends until the client leaves
//   /endless-chunked    a chunked body whose last chunk never comes: sends until the client
//                       leaves
//   /echo               200, JSON {"method", "target", "headers": {lower-case name: value},
//                       "body"} of the request it got
//   /binary             the 256 byte values 0..255, application/octet-stream
//   /flaky/{n}?key=K    503 for the first n requests with that key, then the page
//   /set-cookie         200 with two Set-Cookie headers
//   /not-http           bytes that are not an HTTP response, then close
// Anything else answers 404.
#pragma once

#include <boost/asio/io_context.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace asyncscrape::test {

enum class TargetTransport {
    plain,            // HTTP
    tls,              // HTTPS, certificate for localhost and 127.0.0.1 signed by the test CA
    tls_wrong_host,   // HTTPS, certificate for another host name signed by the test CA
    tls_self_signed,  // HTTPS, self-signed certificate for localhost and 127.0.0.1
    tls_expired,      // HTTPS, certificate for localhost and 127.0.0.1 that expired yesterday
    silent,           // accepts connections, then never answers (hangs a TLS handshake)
};

class TargetServer {
  public:
    // Listening when constructed. The TLS variants trust test_pki() (test_certificates.hpp):
    // put ca_file() in RuntimeConfig::extra_ca_file.
    explicit TargetServer(boost::asio::io_context& io,
                          TargetTransport transport = TargetTransport::plain);
    ~TargetServer();
    TargetServer(const TargetServer&) = delete;
    TargetServer& operator=(const TargetServer&) = delete;

    std::uint16_t port() const;
    // "http://127.0.0.1:<port>" ("https://..." for the TLS variants), without a trailing slash.
    std::string base_url() const;
    // base_url() followed by `path_and_query`, e.g. url("/status/503?retry_after=2").
    std::string url(std::string_view path_and_query) const;

    // Closes the listener and every open connection.
    void stop();
    // Closes every open connection (as a server ending idle keep-alive connections does) and
    // goes on listening.
    void drop_connections();

    // Requests whose path (without the query) was `path`.
    std::size_t requests_seen(std::string_view path) const;
    std::size_t connections_accepted() const;
    std::size_t open_connections() const;
    // The most connections that were open at the same time.
    std::size_t peak_open_connections() const;

    // The PEM file of the test CA.
    static const std::string& ca_file();

    struct State;

  private:
    std::shared_ptr<State> state_;
};

}  // namespace asyncscrape::test
