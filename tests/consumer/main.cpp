// Links against the installed asyncscrape: validates a collection through the public JSON API and
// creates it in a runtime, which exercises headers, the library and its dependencies.
#include <asyncscrape/json.hpp>
#include <asyncscrape/runtime.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <exception>
#include <iostream>

namespace {

boost::asio::awaitable<bool> create(asyncscrape::Runtime& runtime) {
    auto spec = asyncscrape::parse_collection_spec(
        R"({"name": "consumer", "requests": [{"url": "www.example.com"}]})", {});
    if (!spec) {
        std::cerr << spec.error().detail << '\n';
        co_return false;
    }
    auto collection = co_await runtime.create_collection(std::move(*spec));
    // Ends the runtime's background work (the retention sweep), so that io.run() returns.
    co_await runtime.shutdown();
    co_return collection && collection->requests->front().url == "https://www.example.com/";
}

}  // namespace

int main() {
    boost::asio::io_context io;
    asyncscrape::Runtime runtime(io.get_executor());
    bool ok = false;
    boost::asio::co_spawn(io, create(runtime), [&ok](std::exception_ptr error, bool created) {
        ok = !error && created;
    });
    io.run();
    std::cout << (ok ? "consumer ok" : "consumer failed") << '\n';
    return ok ? 0 : 1;
}
