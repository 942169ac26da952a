// Every limit and deadline in one place, with the defaults documented once (docs/api.md repeats
// them for operators). The server's flags map one to one onto these fields.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace asyncscrape {

struct RuntimeConfig {
    // Jobs in flight across all runs; queued jobs beyond it hold no socket and no coroutine.
    std::size_t max_concurrency = 256;
    // Open connections (and so jobs in flight) per target (scheme, host, port).
    std::size_t per_host = 8;
    // Deadline of a job whose request has no `timeout_ms`.
    std::chrono::milliseconds request_timeout{30000};
    // Retries after the first attempt, for connection errors, 429, 502, 503 and 504.
    int retries = 2;
    // Most requests in one collection.
    std::size_t max_requests = 100000;
    // Lets jobs reach loopback, private and other non-public addresses (local use and tests).
    bool allow_private_targets = false;
    // Largest response body, after decoding; a larger one fails the job with "body too large".
    std::size_t max_response_bytes = 10 * 1024 * 1024;
    // Most redirects followed by one attempt.
    int max_redirects = 10;
    // First delay of the exponential retry backoff, and its ceiling.
    std::chrono::milliseconds retry_base_delay{250};
    std::chrono::milliseconds retry_max_delay{10000};
    // Idle keep-alive connections kept per target, and how long an idle one may wait for reuse.
    // 0 keeps none; otherwise at least per_host are kept, so that every connection a target may
    // have in use can be reused.
    std::size_t idle_connections_per_host = 8;
    std::chrono::milliseconds idle_connection_timeout{30000};
    // Successful DNS answers are reused for this long.
    std::chrono::milliseconds dns_cache_ttl{60000};
    std::string user_agent = "asyncscrape/0.1";
    // PEM file of CAs trusted besides the system store (empty: none).
    std::string extra_ca_file;
    // Pages open in Chromium at once; further browser jobs queue for a tab, as plain jobs queue
    // for a connection, and never hold up plain jobs.
    std::size_t browser_tabs = 4;
    // The Chromium binary for browser requests, started at the first browser job. Empty: Debian's
    // /usr/bin/chromium; with allow_private_targets, Debian's chromium-headless-shell when it is
    // installed, about twice the page rate, which cannot turn off the speculative loads the
    // private-address guard needs off (docs/api.md).
    std::string chromium_path;
    // Finished runs older than this are removed with their jobs, results and screenshots by a
    // periodic sweep; zero keeps everything.
    std::chrono::seconds retention{24 * 3600};
    // How often that sweep looks for runs past the retention period.
    std::chrono::milliseconds retention_sweep_interval{60000};
    // Per tenant, each zero for no limit: jobs in flight at once, and jobs queued (a run that
    // would queue more is refused with Errc::too_many_requests). Tenants take turns for slots
    // either way.
    std::size_t tenant_concurrency = 0;
    std::size_t tenant_queue = 0;
    // Key of the HMAC-SHA256 signature of webhook deliveries (X-Asyncscrape-Signature) for
    // tenants without a secret of their own (Runtime::set_webhook_secrets); empty: unsigned.
    std::string webhook_secret;
};

struct ServerConfig {
    std::string host = "127.0.0.1";
    std::uint16_t port = 8080;
    std::size_t max_body_bytes = 64 * 1024 * 1024;  // larger request bodies answer 413
    std::size_t max_header_bytes = 16 * 1024;
    std::chrono::milliseconds header_timeout{10000};  // a client must send its headers by then
    std::chrono::milliseconds idle_timeout{60000};    // an idle keep-alive connection is closed
    std::chrono::milliseconds body_timeout{60000};    // a client must send its body by then
    std::size_t max_connections = 10000;  // beyond it, new connections wait in the backlog
    // HTTPS instead of HTTP when set: both or neither. The certificate chain file is PEM, the
    // server's certificate first, then its intermediates; the key file is its PEM private key,
    // unencrypted. TLS 1.2 and later only; the handshake must end within header_timeout.
    std::string tls_certificate_file;
    std::string tls_private_key_file;
    // API keys, one `tenant:key` or `tenant:sha256:<hex>` a line (docs/api.md, "Authentication").
    // Empty: no keys, every client is the one tenant "", and start() refuses to listen on
    // anything but loopback unless insecure_open says so.
    std::string api_keys_file;
    bool insecure_open = false;
    // API calls a second per key (a token bucket holding twice that); zero: no limit.
    std::size_t rate_limit = 0;
};

}  // namespace asyncscrape
