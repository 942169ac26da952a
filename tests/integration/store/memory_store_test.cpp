// What only the memory store has: it creates a large run's records and frees a deleted
// collection's runs in time slices, letting the loop's other work run in between.
#include "store_fixture.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>

#include <exception>
#include <string>
#include <vector>

using namespace asyncscrape;
using namespace asyncscrape::test;
namespace asio = boost::asio;

namespace {

// Large enough to take many 1 ms slices on any machine (job ids are hashed one by one).
constexpr int large_run = 50000;

void rethrow(std::exception_ptr error) {
    if (error) {
        std::rethrow_exception(error);
    }
}

asio::awaitable<void> create_then_note(Store& store, Run run, RequestList requests,
                                       std::string& trace, bool& created) {
    created = co_await store.create_run(std::move(run), std::move(requests));
    trace += 'C';
}

asio::awaitable<void> delete_then_note(Store& store, std::string id, std::string& trace) {
    co_await store.delete_collection(std::move(id));
    trace += 'D';
}

// A store holding collection "c" of a large run's requests.
struct LargeCollection {
    StoreFixture<MemoryStoreFactory> f;
    Collection collection = collection_of("c", large_run);

    LargeCollection() { f.await(f.store->put_collection(collection)); }
};

struct Note {
    std::string* trace;
    char c;
    void operator()() const { *trace += c; }
};

}  // namespace

TEST_CASE("the memory store gives way while it creates a large run") {
    LargeCollection large;
    auto& [f, collection] = large;
    std::string trace;
    bool created = false;
    asio::co_spawn(
        f.io,
        create_then_note(*f.store, run_of(collection, "r"), collection.requests, trace, created),
        rethrow);
    asio::post(f.io, Note{&trace, 'x'});  // queued after the creation began
    f.io.restart();                       // after the awaits above, which ran it out of work
    f.io.run();
    CHECK(trace == "xC");
    CHECK(created);
    CHECK(f.await(f.store->get_run("c", "r")));
}

TEST_CASE("a collection deleted while its run is being created leaves no run") {
    LargeCollection large;
    auto& [f, collection] = large;
    std::string trace;
    bool created = true;
    asio::co_spawn(
        f.io,
        create_then_note(*f.store, run_of(collection, "r"), collection.requests, trace, created),
        rethrow);
    asio::co_spawn(f.io, delete_then_note(*f.store, "c", trace), rethrow);
    f.io.restart();  // after the awaits above, which ran it out of work
    f.io.run();
    CHECK(trace == "DC");  // the deletion ran in one of the creation's pauses
    CHECK_FALSE(created);
    CHECK_FALSE(f.await(f.store->get_run("c", "r")));
    CHECK(f.await(f.store->list_runs("c", std::nullopt, {})).total == 0);
}

TEST_CASE("deleting a collection frees its runs in slices, answered once all is freed") {
    LargeCollection large;
    auto& [f, collection] = large;
    // Freeing one run's records can take less than a slice on a fast machine: four take several.
    const std::vector<std::string> runs{"r1", "r2", "r3", "r4"};
    for (const std::string& run : runs) {
        REQUIRE(f.await(f.store->create_run(run_of(collection, run), collection.requests)));
    }
    std::string trace;
    asio::co_spawn(f.io, delete_then_note(*f.store, "c", trace), rethrow);
    asio::post(f.io, Note{&trace, 'x'});
    f.io.restart();  // after the awaits above, which ran it out of work
    f.io.run();
    CHECK(trace == "xD");
    for (const std::string& run : runs) {
        CHECK_FALSE(f.await(f.store->get_run("c", run)));
    }
}
