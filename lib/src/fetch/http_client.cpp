#include "fetch/http_client.hpp"

#include "fetch/fetcher.hpp"
#include "fetch/ssrf_guard.hpp"

namespace asyncscrape::fetch {

struct HttpClient::Impl {
    Impl(boost::asio::any_io_executor executor, const RuntimeConfig& config)
        : fetcher(std::move(executor), config, AddressGuard(config.allow_private_targets)) {}

    Fetcher fetcher;
};

HttpClient::HttpClient(boost::asio::any_io_executor executor, const RuntimeConfig& config)
    : impl_(std::make_unique<Impl>(std::move(executor), config)) {}

HttpClient::~HttpClient() = default;

boost::asio::awaitable<FetchResult> HttpClient::fetch(FetchRequest request) {
    return impl_->fetcher.fetch(std::move(request));
}

void HttpClient::shutdown() {
    impl_->fetcher.shutdown();
}

}  // namespace asyncscrape::fetch
