// A property a fuzz target checks beyond "no crash": when it does not hold, the input is a
// finding like a crash, so the target stops the process (libFuzzer saves the input).
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace asyncscrape::fuzz {

inline void expect(bool holds, std::string_view property, std::string_view detail = {}) {
    if (holds) {
        return;
    }
    std::fprintf(stderr, "invariant broken: %.*s\n%.*s\n", static_cast<int>(property.size()),
                 property.data(), static_cast<int>(detail.size()), detail.data());
    std::abort();
}

}  // namespace asyncscrape::fuzz
