// Entries asleep until a time of their own, taken out in time order: what a job waiting on a
// `wait-for-timeout` action is while it waits.
//
// 100,000 jobs may wait at once. As suspended coroutines they held, each, two frames, the timer's
// operation and a cancellation handler, all freed seconds after they were allocated and out of
// order: the holes they left between the results kept meanwhile sent every allocation of the
// fetches still going on down glibc's slow paths. Here an entry is a slot in chunks allocated once
// and reused, and its wake time an element of a binary heap; one timer (the owner's) serves them
// all.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

namespace asyncscrape::engine {

template <class Entry>
class WakeQueue {
  public:
    using TimePoint = std::chrono::steady_clock::time_point;

    bool empty() const { return heap_.empty(); }
    std::size_t size() const { return heap_.size(); }

    // The earliest wake time. Only when not empty.
    TimePoint next_wake() const { return heap_.front().time; }

    void push(TimePoint wake, Entry entry) {
        const std::uint32_t slot = take_free_slot();
        slot_at(slot).emplace(std::move(entry));
        heap_.push_back({wake, slot});
        std::push_heap(heap_.begin(), heap_.end(), later);
    }

    // Takes out the earliest entry, if it is due at `now`.
    std::optional<Entry> take_due(TimePoint now) {
        if (heap_.empty() || heap_.front().time > now) {
            return std::nullopt;
        }
        std::pop_heap(heap_.begin(), heap_.end(), later);
        const std::uint32_t slot = heap_.back().slot;
        heap_.pop_back();
        std::optional<Entry> entry = release(slot);
        give_back_if_empty();
        return entry;
    }

    // Takes out every entry for which `match(entry)` holds and hands each to `taken(Entry&&)`,
    // in no particular order: a cancel's entries, which wake now.
    template <class Match, class Taken>
    void take_if(Match match, Taken taken) {
        std::vector<Entry> matched;
        std::erase_if(heap_, [&](const Wake& wake) {
            if (!match(*slot_at(wake.slot))) {
                return false;
            }
            matched.push_back(std::move(*release(wake.slot)));
            return true;
        });
        std::make_heap(heap_.begin(), heap_.end(), later);
        give_back_if_empty();
        for (Entry& entry : matched) {
            taken(std::move(entry));
        }
    }

  private:
    struct Wake {
        TimePoint time;
        std::uint32_t slot;
    };

    // Entries live in chunks of this many slots: a chunk is one allocation, and no entry moves
    // when the queue grows.
    static constexpr std::uint32_t chunk_slots = 256;
    using Slot = std::optional<Entry>;

    // std::push_heap keeps the greatest on top: "later" puts the earliest there.
    static bool later(const Wake& a, const Wake& b) { return a.time > b.time; }

    Slot& slot_at(std::uint32_t slot) { return chunks_[slot / chunk_slots][slot % chunk_slots]; }

    void add_chunk() {
        const auto first = static_cast<std::uint32_t>(chunks_.size() * chunk_slots);
        chunks_.push_back(std::make_unique<Slot[]>(chunk_slots));
        for (std::uint32_t slot = first + chunk_slots; slot > first; --slot) {
            free_.push_back(slot - 1);  // the lowest slot is taken first
        }
    }

    std::uint32_t take_free_slot() {
        if (free_.empty()) {
            add_chunk();
        }
        const std::uint32_t slot = free_.back();
        free_.pop_back();
        return slot;
    }

    std::optional<Entry> release(std::uint32_t slot) {
        Slot& held = slot_at(slot);
        std::optional<Entry> entry = std::move(held);
        held.reset();
        free_.push_back(slot);
        return entry;
    }

    // A queue that emptied keeps one chunk and gives the others back: the waits of a big run do
    // not stay allocated after it.
    void give_back_if_empty() {
        if (!heap_.empty() || chunks_.size() <= 1) {
            return;
        }
        chunks_.clear();
        free_.clear();
        free_.shrink_to_fit();
        heap_.shrink_to_fit();
        add_chunk();
    }

    std::vector<std::unique_ptr<Slot[]>> chunks_;
    std::vector<std::uint32_t> free_;
    std::vector<Wake> heap_;
};

}  // namespace asyncscrape::engine
