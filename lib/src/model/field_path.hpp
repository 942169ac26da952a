// Where a value sits in a request body, as error details spell it: "requests[1].actions[0].time".
// The checks build one by value as they descend and spell it out only when they report a problem,
// so that a valid collection of 100,000 requests spells none (each spelling is an allocation).
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

namespace asyncscrape {

class FieldPath {
  public:
    FieldPath() = default;  // the body itself: its fields are spelt without a leading dot

    // The path of a field or an element below this one. `name` must outlive the path (the
    // checks name fields with literals or with the keys of the JSON value they read).
    FieldPath field(std::string_view name) const;
    FieldPath index(std::size_t index) const;

    std::string str() const;

  private:
    // Deeper than any path of the contract, requests[i].actions[j].field being the deepest.
    static constexpr std::size_t max_depth = 6;

    struct Step {
        std::string_view name;
        std::size_t index = 0;
        bool is_index = false;
    };

    FieldPath with(Step step) const;

    std::array<Step, max_depth> steps_{};
    std::size_t depth_ = 0;
};

}  // namespace asyncscrape
