#include "webhook/try_verdict.hpp"

namespace asyncscrape::webhook {

namespace {

bool is_success(int status) {
    return status >= 200 && status <= 299;
}

std::string describe_status(int status) {
    std::string reason = "HTTP status " + std::to_string(status);
    if (status >= 300 && status <= 399) {
        reason += " (redirects are not followed)";
    }
    return reason;
}

}  // namespace

TryOutcome judge_try(const fetch::FetchResult& result) {
    using fetch::FetchError;
    switch (result.error) {
        case FetchError::none:
            if (is_success(result.status)) {
                return {TryVerdict::delivered, {}};
            }
            return {TryVerdict::try_again, describe_status(result.status)};
        case FetchError::body_too_large:
            // The receiver answered; what it says beyond our small limit does not matter.
            if (is_success(result.status)) {
                return {TryVerdict::delivered, {}};
            }
            return {TryVerdict::try_again, describe_status(result.status)};
        case FetchError::too_many_redirects:
            // The client follows no redirect for us (max_redirects 0): a 3xx with a Location.
            return {TryVerdict::try_again, describe_status(result.status)};
        case FetchError::blocked:
        case FetchError::invalid_url:
            return {TryVerdict::give_up, result.error_message};
        case FetchError::dns:
        case FetchError::unknown_host:
        case FetchError::connect:
        case FetchError::tls:
        case FetchError::protocol:
        case FetchError::timeout:
        case FetchError::cancelled:
            break;
    }
    return {TryVerdict::try_again, result.error_message};
}

}  // namespace asyncscrape::webhook
