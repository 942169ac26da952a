// How an I/O error of one phase of a fetch becomes the FetchError and sentence a job reports.
#pragma once

#include "fetch/http_client.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>

#include <string>
#include <string_view>

namespace asyncscrape::fetch {

enum class FetchPhase {
    pool_wait,
    dns,
    connect,
    tls_handshake,
    write_request,
    read_header,
    read_body,
};

struct FetchFailure {
    FetchError error = FetchError::none;
    std::string message;
};

// What these words mean in a message: "timeout while <phase>".
std::string_view describe(FetchPhase phase);

// `cancelled`: the awaiting coroutine's cancellation slot fired, which wins over whatever error
// the interrupted operation reported. A deadline shows as beast::error::timeout (socket I/O) or
// asio::error::timed_out (our own waits).
FetchFailure classify_failure(FetchPhase phase, const boost::system::error_code& error,
                              bool cancelled);

inline FetchFailure cancelled_failure() {
    return {FetchError::cancelled, "cancelled"};
}

// Whether the awaiting coroutine's cancellation slot has fired.
boost::asio::awaitable<bool> caller_cancelled();

}  // namespace asyncscrape::fetch
