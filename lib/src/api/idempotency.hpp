// Idempotency-Key on the POSTs that create something (a collection, a run): a client that did not
// see the answer may send the request again with the same key and gets the first answer back
// instead of a second collection or run. The first 2xx answer to each (tenant, key) is stored
// (Store::put_idempotent_reply) and replayed for 24 hours to the same request; the same key with
// another request is a client's mistake and answers 409. Answers other than 2xx are not stored:
// nothing was created, and a retry runs again.
#pragma once

#include "server/reply.hpp"

#include <asyncscrape/model.hpp>
#include <asyncscrape/store.hpp>

#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>

namespace asyncscrape::api {

struct Call;

inline constexpr std::string_view idempotency_key_header = "Idempotency-Key";
// Set to "true" on an answer that is a stored one given again.
inline constexpr std::string_view idempotent_replayed_header = "Idempotent-Replayed";
// How long a stored answer is given again; an older one is as good as none.
inline constexpr std::chrono::hours idempotency_window = idempotent_reply_lifetime;
inline constexpr std::size_t max_idempotency_key_length = 255;

// The key a request carries: nothing without the header; an invalid_argument error naming the
// header when it is repeated or its value is not 1 to 255 printable ASCII characters.
Outcome<std::optional<std::string>> idempotency_key_of(const server::HttpRequest& request);

// What the request was, to tell a repeat from a reuse of its key: the hex SHA-256 of the method,
// the path (without the query) and the body.
std::string request_digest(const server::HttpRequest& request);

enum class IdempotencyDecision {
    first,   // no answer stored for the key, or one older than the window: answer the request
    replay,  // the same request again: give the stored answer
    reused,  // the key came with another request: 409
};

// `stored` is the store's answer for the request's (tenant, key).
IdempotencyDecision decide_idempotency(const std::optional<IdempotentReply>& stored,
                                       std::string_view digest, TimePoint now);

// True when a stored answer is past the window: it is removed before the key is used again, as
// the store keeps the first answer of a key.
bool idempotency_expired(const IdempotentReply& stored, TimePoint now);

// Whether an answer is kept for replay: a complete JSON answer with a 2xx status. Replay gives
// the status, the content type and the body, which is all the create answers carry.
bool replayable(const server::Reply& reply);

// The stored answer as given again, marked with Idempotent-Replayed: true.
server::Reply replay_of(const IdempotentReply& stored);

// The keys whose first request this process is answering: a repeat that arrives meanwhile would
// find nothing stored yet and create a second time, so it is refused with 409 instead. Not
// thread-safe: the server calls it from its one io_context thread.
class IdempotencyKeysInFlight {
  public:
    using Entry = std::pair<TenantId, std::string>;

    // Holds a key in flight; lets it go when destroyed, whichever way the request ended.
    class Claim {
      public:
        Claim(IdempotencyKeysInFlight& owner, std::set<Entry>::iterator entry)
            : owner_(&owner), entry_(entry) {}
        Claim(Claim&& other) noexcept
            : owner_(std::exchange(other.owner_, nullptr)), entry_(other.entry_) {}
        Claim& operator=(Claim&&) = delete;
        Claim(const Claim&) = delete;
        Claim& operator=(const Claim&) = delete;
        ~Claim() {
            if (owner_ != nullptr) {
                owner_->keys_.erase(entry_);
            }
        }

      private:
        IdempotencyKeysInFlight* owner_;
        std::set<Entry>::iterator entry_;
    };

    // Nothing when the key is in flight already.
    std::optional<Claim> claim(TenantId tenant, std::string key);
    std::size_t size() const { return keys_.size(); }

  private:
    std::set<Entry> keys_;
};

// The request answered by `handler` at most once per (call.tenant, Idempotency-Key); a request
// without the header is simply answered.
using Handler = Task<server::Reply> (*)(const Call& call);
Task<server::Reply> answer_idempotently(const Call& call, Handler handler);

}  // namespace asyncscrape::api
