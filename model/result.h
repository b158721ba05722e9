// Result<T>: a value or an error, shaped like C++23 std::expected so it can be swapped for it later.
// Errors travel as values across layer boundaries; no exception crosses one.
#pragma once

#include <string>
#include <utility>
#include <variant>

#include "model/bug.h"

namespace berth {

/// A plain error message. Richer error types (Diagnostic, DriverError) are carried by Result<T, E>.
struct Error {
  std::string message;
};

template <typename E>
struct Unexpected {
  E error;
};

template <typename E>
Unexpected<E> MakeUnexpected(E e) {
  return Unexpected<E>{std::move(e)};
}

inline Unexpected<Error> Fail(std::string message) { return Unexpected<Error>{Error{std::move(message)}}; }

template <typename T, typename E = Error>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Unexpected<E> e) : v_(std::in_place_index<1>, std::move(e.error)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { BERTH_CHECK(ok(), "value() of a failed Result"); return std::get<0>(v_); }
  const T& value() const& { BERTH_CHECK(ok(), "value() of a failed Result"); return std::get<0>(v_); }
  T&& value() && { BERTH_CHECK(ok(), "value() of a failed Result"); return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const E& error() const { BERTH_CHECK(!ok(), "error() of a successful Result"); return std::get<1>(v_); }

 private:
  std::variant<T, E> v_;
};

/// Result of an operation that yields nothing but may fail.
struct Ok {};
template <typename E = Error>
using Status = Result<Ok, E>;

}  // namespace berth
