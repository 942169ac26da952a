#include "fetch/fetch_failure.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>

namespace asyncscrape::fetch {

namespace asio = boost::asio;
namespace http = boost::beast::http;

namespace {

bool is_timeout(const boost::system::error_code& error) {
    return error == boost::beast::error::timeout || error == asio::error::timed_out;
}

// The peer went away in the middle of a message: the same failure whatever the transport said.
bool is_connection_lost(const boost::system::error_code& error) {
    return error == asio::error::eof || error == asio::error::connection_reset ||
           error == asio::error::broken_pipe || error == asio::error::connection_aborted ||
           error == http::error::partial_message || error == asio::ssl::error::stream_truncated;
}

}  // namespace

std::string_view describe(FetchPhase phase) {
    switch (phase) {
        case FetchPhase::pool_wait:
            return "waiting for a connection";
        case FetchPhase::dns:
            return "resolving the host";
        case FetchPhase::connect:
            return "connecting";
        case FetchPhase::tls_handshake:
            return "in the TLS handshake";
        case FetchPhase::write_request:
            return "sending the request";
        case FetchPhase::read_header:
            return "reading the response headers";
        case FetchPhase::read_body:
            return "reading the response body";
    }
    return "fetching";
}

FetchFailure classify_failure(FetchPhase phase, const boost::system::error_code& error,
                              bool cancelled) {
    if (cancelled || error == asio::error::operation_aborted) {
        return cancelled_failure();
    }
    if (is_timeout(error)) {
        return {FetchError::timeout, "timeout while " + std::string(describe(phase))};
    }
    switch (phase) {
        case FetchPhase::pool_wait:
        case FetchPhase::connect:
            return {FetchError::connect, "connect: " + error.message()};
        case FetchPhase::dns:
            if (error == asio::error::host_not_found || error == asio::error::no_data) {
                return {FetchError::unknown_host, "dns: no such host (" + error.message() + ")"};
            }
            return {FetchError::dns, "dns: " + error.message()};
        case FetchPhase::tls_handshake:
            return {FetchError::tls, "tls: " + error.message()};
        case FetchPhase::write_request:
        case FetchPhase::read_header:
        case FetchPhase::read_body:
            break;
    }
    if (error == http::error::body_limit) {
        return {FetchError::body_too_large, "body too large"};
    }
    if (error == http::error::header_limit) {
        return {FetchError::protocol, "protocol: response headers too large"};
    }
    if (is_connection_lost(error)) {
        return {FetchError::protocol, "protocol: connection closed while " +
                                          std::string(describe(phase)) + " (" + error.message() +
                                          ")"};
    }
    if (error.category() == http::make_error_code(http::error::bad_version).category()) {
        return {FetchError::protocol,
                "protocol: not a valid HTTP response (" + error.message() + ")"};
    }
    return {FetchError::protocol, "protocol: " + error.message()};
}

boost::asio::awaitable<bool> caller_cancelled() {
    const auto state = co_await asio::this_coro::cancellation_state;
    co_return state.cancelled() != asio::cancellation_type::none;
}

}  // namespace asyncscrape::fetch
