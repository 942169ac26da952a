#include "api/api_keys.hpp"

#include <asyncscrape/server.hpp>

#include <openssl/crypto.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace asyncscrape::api {
namespace {

constexpr std::string_view digest_prefix = "sha256:";
constexpr std::string_view webhook_secret_prefix = "webhook_secret:";
constexpr std::size_t max_tenant_length = 64;

std::string_view trim(std::string_view text) {
    const auto first = text.find_first_not_of(" \t\r");
    if (first == std::string_view::npos) {
        return {};
    }
    return text.substr(first, text.find_last_not_of(" \t\r") - first + 1);
}

// Tenant names travel in logs and file names: letters, digits, '.', '_' and '-'.
bool is_tenant_name(std::string_view name) {
    return !name.empty() && name.size() <= max_tenant_length &&
           std::all_of(name.begin(), name.end(), [](char c) {
               return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '.' || c == '_' || c == '-';
           });
}

// A key is sent in a header: visible ASCII, no spaces.
bool is_key_text(std::string_view key) {
    return std::all_of(key.begin(), key.end(), [](char c) { return c > ' ' && c < 0x7f; });
}

Error line_error(std::size_t line, std::string_view problem) {
    return invalid("line " + std::to_string(line) + ": " + std::string(problem));
}

}  // namespace

Outcome<ApiKeys> ApiKeys::parse(std::string_view text) {
    ApiKeys keys;
    std::size_t line_number = 0;
    while (!text.empty()) {
        const auto end = text.find('\n');
        const std::string_view line = trim(text.substr(0, end));
        text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
        ++line_number;
        if (line.empty() || line.front() == '#') {
            continue;
        }
        const auto colon = line.find(':');
        if (colon == std::string_view::npos) {
            return line_error(line_number,
                              "expected tenant:key, tenant:sha256:<hex> or "
                              "tenant:webhook_secret:<secret>");
        }
        const std::string_view tenant = line.substr(0, colon);
        std::string_view rest = line.substr(colon + 1);
        if (!is_tenant_name(tenant)) {
            return line_error(line_number,
                              "the tenant must be 1 to 64 letters, digits, '.', '_' or '-'");
        }
        if (rest.starts_with(webhook_secret_prefix)) {
            rest.remove_prefix(webhook_secret_prefix.size());
            if (rest.empty()) {
                return line_error(line_number, "the webhook secret is empty");
            }
            keys.webhook_secrets_.insert_or_assign(std::string(tenant), std::string(rest));
            continue;
        }
        ApiKey key;
        key.tenant = std::string(tenant);
        if (rest.starts_with(digest_prefix)) {
            rest.remove_prefix(digest_prefix.size());
            if (!from_hex(rest, key.digest)) {
                return line_error(line_number, "a sha256: key needs 64 hex digits");
            }
        } else {
            if (rest.size() < min_key_length || !is_key_text(rest)) {
                return line_error(line_number,
                                  "a key must be at least 16 visible ASCII "
                                  "characters without spaces");
            }
            key.digest = sha256(rest);
        }
        const bool repeated =
            std::any_of(keys.keys_.begin(), keys.keys_.end(),
                        [&](const ApiKey& known) { return known.digest == key.digest; });
        if (repeated) {
            return line_error(line_number, "this key is listed already");
        }
        key.id = key.tenant + "/" + to_hex(std::span(key.digest).first(4));
        keys.keys_.push_back(std::move(key));
    }
    if (keys.keys_.empty()) {
        return invalid("no keys in it");
    }
    return keys;
}

const ApiKey* ApiKeys::find(std::string_view presented) const {
    const Sha256Digest digest = sha256(presented);
    // Every digest is compared, whichever matches: the time taken does not depend on the key.
    const ApiKey* found = nullptr;
    for (const ApiKey& key : keys_) {
        const bool same = CRYPTO_memcmp(key.digest.data(), digest.data(), digest.size()) == 0;
        found = same ? &key : found;
    }
    return found;
}

std::shared_ptr<const ApiKeys> load_api_keys(const std::string& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        throw ApiKeysError(file, "cannot be read: " + std::string(std::strerror(errno)));
    }
    std::ostringstream text;
    text << in.rdbuf();
    auto keys = ApiKeys::parse(text.str());
    if (!keys) {
        throw ApiKeysError(file, keys.error().detail);
    }
    return std::make_shared<const ApiKeys>(std::move(keys).value());
}

}  // namespace asyncscrape::api
