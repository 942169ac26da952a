// What one delivery try's outcome means for the delivery: a 2xx answer delivers it; any other
// answer or a failure of the connection is worth another try later; an address the SSRF guard
// refuses or a URL we cannot send to stays so, and ends the delivery at once (as it ends a job
// without retries). Redirects are not followed: a receiver must answer at the URL it gave.
#pragma once

#include "fetch/http_client.hpp"

#include <string>

namespace asyncscrape::webhook {

enum class TryVerdict { delivered, try_again, give_up };

struct TryOutcome {
    TryVerdict verdict = TryVerdict::try_again;
    std::string reason;  // why it was not delivered, for the log: "HTTP status 503"
};

// A cancelled fetch is no try (the notifier is stopping) and must not be judged.
TryOutcome judge_try(const fetch::FetchResult& result);

}  // namespace asyncscrape::webhook
