#include "api/idempotency.hpp"

#include "api/call.hpp"
#include "util/digest.hpp"
#include "util/log.hpp"

#include <boost/beast/http/field.hpp>

#include <algorithm>

namespace asyncscrape::api {
namespace {

namespace http = boost::beast::http;

constexpr std::string_view json_type = "application/json";

bool printable_ascii(std::string_view text) {
    return std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x20 && c <= 0x7e; });
}

std::string quoted(std::string_view key) {
    return std::string(idempotency_key_header) + " \"" + std::string(key) + '"';
}

server::Reply key_conflict(std::string_view key, std::string_view what) {
    return server::error_reply(http::status::conflict, quoted(key) + ' ' + std::string(what));
}

}  // namespace

Outcome<std::optional<std::string>> idempotency_key_of(const server::HttpRequest& request) {
    const auto count = request.count(idempotency_key_header);
    if (count == 0) {
        return std::optional<std::string>{};
    }
    const std::string name(idempotency_key_header);
    if (count > 1) {
        return invalid(name + ": given more than once");
    }
    const std::string_view key = request[idempotency_key_header];
    if (key.empty() || key.size() > max_idempotency_key_length || !printable_ascii(key)) {
        return invalid(name + ": must be 1 to " + std::to_string(max_idempotency_key_length) +
                       " printable ASCII characters");
    }
    return std::optional<std::string>(std::string(key));
}

std::string request_digest(const server::HttpRequest& request) {
    const std::string_view target = request.target();
    // Separated by newlines, which neither a method nor a path holds: no two requests feed the
    // same bytes. Fed piece by piece: a large body is hashed without being copied.
    Sha256 sha;
    sha.add(request.method_string()).add("\n");
    sha.add(target.substr(0, target.find('?'))).add("\n");
    sha.add(request.body());
    return to_hex(sha.finish());
}

bool idempotency_expired(const IdempotentReply& stored, TimePoint now) {
    // Strictly before, as Store::remove_idempotent_replies_before removes: what is expired here
    // is what that removes.
    return stored.created_at < now - idempotency_window;
}

IdempotencyDecision decide_idempotency(const std::optional<IdempotentReply>& stored,
                                       std::string_view digest, TimePoint now) {
    if (!stored || idempotency_expired(*stored, now)) {
        return IdempotencyDecision::first;
    }
    return stored->request_digest == digest ? IdempotencyDecision::replay
                                            : IdempotencyDecision::reused;
}

bool replayable(const server::Reply& reply) {
    const unsigned status = reply.response.result_int();
    return !reply.stream && status >= 200 && status < 300 &&
           reply.response[http::field::content_type] == json_type;
}

server::Reply replay_of(const IdempotentReply& stored) {
    server::Reply reply = server::content_reply(http::status::ok, json_type, stored.body);
    // Set as a number: the stored status is given as it was, registered code or not.
    reply.response.result(static_cast<unsigned>(stored.status));
    reply.response.set(idempotent_replayed_header, "true");
    return reply;
}

std::optional<IdempotencyKeysInFlight::Claim> IdempotencyKeysInFlight::claim(TenantId tenant,
                                                                             std::string key) {
    auto [entry, inserted] = keys_.emplace(std::move(tenant), std::move(key));
    if (!inserted) {
        return std::nullopt;
    }
    return std::optional<Claim>(std::in_place, *this, entry);
}

Task<server::Reply> answer_idempotently(const Call& call, Handler handler) {
    auto key = idempotency_key_of(call.request);
    if (!key) {
        co_return server::error_reply(key.error());
    }
    if (!key->has_value()) {
        co_return co_await handler(call);
    }
    const std::string& name = **key;
    // Held until the answer is stored (or the request fails), whichever way this coroutine
    // ends, exceptions and cancellation included.
    auto claim = call.context.idempotency_keys_in_flight.claim(call.tenant, name);
    if (!claim) {
        co_return key_conflict(name, "is still in progress");
    }
    const std::string digest = request_digest(call.request);
    Store& store = call.runtime().store();
    const auto stored = co_await store.find_idempotent_reply(call.tenant, name);
    const TimePoint now = Clock::now();
    switch (decide_idempotency(stored, digest, now)) {
        case IdempotencyDecision::replay:
            co_return replay_of(*stored);
        case IdempotencyDecision::reused:
            co_return key_conflict(name, "was used with another request");
        case IdempotencyDecision::first:
            break;
    }
    if (stored) {
        // Past the window but not yet swept: the store keeps a key's first answer, so the old
        // one must go before this request's can be stored.
        co_await store.remove_idempotent_replies_before(now - idempotency_window);
    }
    server::Reply reply = co_await handler(call);
    if (!replayable(reply)) {
        co_return reply;
    }
    IdempotentReply first{
        call.tenant,           name,        digest, static_cast<int>(reply.response.result_int()),
        reply.response.body(), Clock::now()};
    try {
        co_await store.put_idempotent_reply(std::move(first));
    } catch (const StoreUnavailable& e) {
        // The collection or run exists: answering 503 now would invite a retry that creates it
        // again. The client gets the truth; only a repeat of this key will not be recognised.
        log(LogLevel::warn, "the answer to ", idempotency_key_header, " \"", name,
            "\" was not stored: ", e.what());
    }
    co_return reply;
}

}  // namespace asyncscrape::api
