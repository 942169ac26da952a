// Errors of the public API: a kind that callers branch on and a sentence that names the cause.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace asyncscrape {

enum class Errc {
    invalid_argument,  // the input breaks a rule; `detail` names the field
    not_found,         // no such collection, run or job
    conflict,          // the object is not in a state that allows the operation
    unavailable,       // shutting down, or the store cannot take the write
    over_limit,        // a tenant's limit would be passed; the same call may succeed later
};

struct Error {
    Errc code;
    std::string detail;
};

// The value of an operation or the reason it has none. A small stand-in for C++23's std::expected.
template <class T>
class Outcome {
  public:
    Outcome(T value) : state_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
    Outcome(Error error) : state_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

    bool has_value() const noexcept { return state_.index() == 0; }
    explicit operator bool() const noexcept { return has_value(); }

    T& value() & { return std::get<0>(state_); }
    const T& value() const& { return std::get<0>(state_); }
    T&& value() && { return std::get<0>(std::move(state_)); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    const Error& error() const& { return std::get<1>(state_); }

  private:
    std::variant<T, Error> state_;
};

inline Error not_found(std::string detail) {
    return {Errc::not_found, std::move(detail)};
}
inline Error invalid(std::string detail) {
    return {Errc::invalid_argument, std::move(detail)};
}
inline Error conflict(std::string detail) {
    return {Errc::conflict, std::move(detail)};
}
inline Error unavailable(std::string detail) {
    return {Errc::unavailable, std::move(detail)};
}
inline Error over_limit(std::string detail) {
    return {Errc::over_limit, std::move(detail)};
}

}  // namespace asyncscrape
