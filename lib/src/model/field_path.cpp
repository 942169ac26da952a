#include "model/field_path.hpp"

#include <stdexcept>

namespace asyncscrape {

FieldPath FieldPath::field(std::string_view name) const {
    return with({name, 0, false});
}

FieldPath FieldPath::index(std::size_t index) const {
    return with({{}, index, true});
}

FieldPath FieldPath::with(Step step) const {
    if (depth_ == max_depth) {
        throw std::logic_error("FieldPath: deeper than any field of the contract");
    }
    FieldPath below = *this;
    below.steps_[below.depth_++] = step;
    return below;
}

std::string FieldPath::str() const {
    std::string text;
    for (std::size_t i = 0; i < depth_; ++i) {
        const Step& step = steps_[i];
        if (step.is_index) {
            text += '[';
            text += std::to_string(step.index);
            text += ']';
            continue;
        }
        if (i > 0) {
            text += '.';
        }
        text += step.name;
    }
    return text;
}

}  // namespace asyncscrape
