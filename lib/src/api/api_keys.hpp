// The API keys a server accepts, as its keys file lists them (docs/api.md, "Authentication"):
//
//     # comments and blank lines are skipped
//     acme:9f2c6a0e4b7d1c3a8e5f0b2d            a key, as clients send it
//     globex:sha256:<64 hex digits>            only the SHA-256 of the key
//     acme:webhook_secret:<secret>             the key of acme's webhook signatures
//
// Only digests are kept in memory, and a presented key is compared with every one of them in
// constant time, so that neither the answer's timing nor a memory dump gives a key away.
#pragma once

#include "util/digest.hpp"

#include <asyncscrape/error.hpp>
#include <asyncscrape/model.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace asyncscrape::api {

struct ApiKey {
    TenantId tenant;
    Sha256Digest digest{};
    // Names the key in logs and rate limits without giving it away: tenant and digest prefix.
    std::string id;
};

class ApiKeys {
  public:
    // Keys shorter than this are refused: a key is a password that cannot be rate limited
    // before it is known.
    static constexpr std::size_t min_key_length = 16;

    // The keys in `text`; an error names the line and what is wrong with it.
    static Outcome<ApiKeys> parse(std::string_view text);

    // The key that `presented` is, if it is one.
    const ApiKey* find(std::string_view presented) const;

    // Tenants' own webhook secrets, by tenant.
    const std::unordered_map<TenantId, std::string>& webhook_secrets() const {
        return webhook_secrets_;
    }

    std::size_t size() const { return keys_.size(); }

  private:
    std::vector<ApiKey> keys_;
    std::unordered_map<TenantId, std::string> webhook_secrets_;
};

// Reads and parses a keys file; throws ApiKeysError (asyncscrape/server.hpp) naming the file and
// the problem.
std::shared_ptr<const ApiKeys> load_api_keys(const std::string& file);

}  // namespace asyncscrape::api
