// The outbound HTTP/1.1 client: one attempt of one request, redirects followed, on the caller's
// io_context. Failures of the outside world are data in FetchResult, never exceptions.
#pragma once

#include <asyncscrape/config.hpp>
#include <asyncscrape/model.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace asyncscrape::fetch {

using SteadyTime = std::chrono::steady_clock::time_point;

struct FetchRequest {
    std::string method = "GET";
    std::string url;  // normalised absolute http(s) URL
    HeaderList headers;
    std::optional<std::string> body;
    SteadyTime deadline;  // everything (DNS, pool wait, connect, TLS, I/O, redirects) ends by then
};

enum class FetchError {
    none,
    invalid_url,
    blocked,       // the SSRF guard refused the address: "blocked: private address"
    dns,           // the lookup failed; it may work another time
    unknown_host,  // DNS says the name does not exist or has no address: final
    connect,
    tls,       // handshake or certificate failure
    protocol,  // not HTTP, malformed response, connection reset mid-message
    body_too_large,
    too_many_redirects,
    timeout,    // the deadline passed
    cancelled,  // the caller's cancellation slot fired
};

struct FetchResult {
    FetchError error = FetchError::none;
    std::string error_message;  // a clear sentence, e.g. "tls: certificate verify failed (...)"
    int status = 0;             // final status when a response arrived
    HeaderList headers;         // lower-case names, repeated ones joined (", ", set-cookie "\n")
    std::string body;           // decoded (gzip/deflate)
    std::string final_url;
    Timings timings;  // dns, connect, tls, ttfb, total of this attempt
    std::optional<std::chrono::milliseconds> retry_after;  // from a Retry-After header

    bool ok() const { return error == FetchError::none; }
    // A connection-level failure worth another attempt (not blocked, not a timeout).
    bool retryable_error() const {
        return error == FetchError::dns || error == FetchError::connect ||
               error == FetchError::protocol;
    }
};

class HttpClient {
  public:
    HttpClient(boost::asio::any_io_executor executor, const RuntimeConfig& config);
    ~HttpClient();
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    // One attempt (with its redirects). Honours the awaiting coroutine's cancellation slot
    // (terminal cancellation ends it promptly with FetchError::cancelled and closes its socket).
    boost::asio::awaitable<FetchResult> fetch(FetchRequest request);

    // Closes idle pooled connections; in-flight fetches are ended by their own cancellation.
    void shutdown();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace asyncscrape::fetch
