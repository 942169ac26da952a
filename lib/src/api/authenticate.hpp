// Who makes a request: the tenant of its API key. Every route but health needs a key once the
// server has keys; without keys every client is the one tenant "".
#pragma once

#include "api/api_keys.hpp"
#include "server/reply.hpp"

#include <asyncscrape/model.hpp>

#include <string>
#include <variant>

namespace asyncscrape::api {

struct Caller {
    TenantId tenant;
    std::string key_id;  // ApiKey::id; empty on a server without keys
};

// The caller of `request`, or the 401 to answer (with WWW-Authenticate) when it has no valid
// key. `keys` null: the server is open.
std::variant<Caller, server::Reply> authenticate(const server::HttpRequest& request,
                                                 const ApiKeys* keys);

}  // namespace asyncscrape::api
