#include "engine/wake_queue.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <vector>

using asyncscrape::engine::WakeQueue;
using std::chrono::milliseconds;

namespace {

// Move-only, as the engine's entries are in effect: an entry that was copied would not compile.
struct Sleeper {
    int id = 0;
    std::unique_ptr<int> owned;
};

using Queue = WakeQueue<Sleeper>;
const Queue::TimePoint t0{std::chrono::seconds(1000)};

Sleeper sleeper(int id) {
    return {id, std::make_unique<int>(id * 10)};
}

// The ids of the entries due at `now`, in the order they come out.
std::vector<int> take_all_due(Queue& queue, Queue::TimePoint now) {
    std::vector<int> ids;
    while (auto due = queue.take_due(now)) {
        CHECK(*due->owned == due->id * 10);  // the entry came back whole
        ids.push_back(due->id);
    }
    return ids;
}

}  // namespace

TEST_CASE("entries come out in the order of their wake times, only once due", "[wake_queue]") {
    Queue queue;
    CHECK(queue.empty());
    queue.push(t0 + milliseconds(30), sleeper(3));
    queue.push(t0 + milliseconds(10), sleeper(1));
    queue.push(t0 + milliseconds(20), sleeper(2));
    queue.push(t0 + milliseconds(40), sleeper(4));
    REQUIRE(queue.size() == 4);
    CHECK(queue.next_wake() == t0 + milliseconds(10));

    CHECK(take_all_due(queue, t0).empty());
    CHECK(take_all_due(queue, t0 + milliseconds(9)).empty());
    CHECK(take_all_due(queue, t0 + milliseconds(20)) == std::vector<int>{1, 2});  // due at 20
    CHECK(queue.next_wake() == t0 + milliseconds(30));
    CHECK(take_all_due(queue, t0 + milliseconds(100)) == std::vector<int>{3, 4});
    CHECK(queue.empty());
}

TEST_CASE("take_if takes out the matching entries and leaves the others in order", "[wake_queue]") {
    Queue queue;
    for (int id = 1; id <= 10; ++id) {
        queue.push(t0 + milliseconds(id), sleeper(id));
    }
    std::vector<int> taken;
    queue.take_if([](const Sleeper& entry) { return entry.id % 2 == 0; },
                  [&](Sleeper&& entry) {
                      CHECK(*entry.owned == entry.id * 10);
                      taken.push_back(entry.id);
                  });
    std::sort(taken.begin(), taken.end());
    CHECK(taken == std::vector<int>{2, 4, 6, 8, 10});
    REQUIRE(queue.size() == 5);
    CHECK(queue.next_wake() == t0 + milliseconds(1));
    CHECK(take_all_due(queue, t0 + milliseconds(10)) == std::vector<int>{1, 3, 5, 7, 9});

    queue.take_if([](const Sleeper&) { return true; }, [](Sleeper&&) { FAIL("nothing left"); });
    CHECK(queue.empty());
}

TEST_CASE("slots are reused, and entries stay whole across many chunks and a queue that empties",
          "[wake_queue]") {
    Queue queue;
    // Several chunks' worth, pushed in reverse wake order: every push sifts to the top.
    constexpr int many = 2000;
    for (int round = 0; round < 2; ++round) {
        for (int id = many; id >= 1; --id) {
            queue.push(t0 + milliseconds(id), sleeper(id));
        }
        REQUIRE(queue.size() == many);
        // Half out, a quarter in again (into the freed slots), then everything out in order.
        CHECK(take_all_due(queue, t0 + milliseconds(many / 2)).size() == many / 2);
        for (int id = 1; id <= many / 4; ++id) {
            queue.push(t0 + milliseconds(id), sleeper(id));
        }
        const std::vector<int> rest = take_all_due(queue, t0 + milliseconds(many));
        REQUIRE(rest.size() == many / 2 + many / 4);
        CHECK(rest.front() == 1);
        CHECK(rest[many / 4 - 1] == many / 4);
        CHECK(rest[many / 4] == many / 2 + 1);
        CHECK(rest.back() == many);
        CHECK(queue.empty());  // and again, from the chunk it kept
    }
}
