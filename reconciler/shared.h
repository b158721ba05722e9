// Shared<T>: an optional, immutable value that copies share instead of duplicating. A plan hands the same record
// to its change, its step (or two, for a replacement) and a held-back update: planning 10,000 new VMs made
// ~180,000 copies of records, and the bytes they wrote were most of its cost. Immutable, so sharing is invisible:
// a writer makes a new value (`Edit`) and only its own holder sees it.
#pragma once

#include <memory>
#include <optional>
#include <utility>

namespace berth::reconciler {

template <typename T>
class Shared {
 public:
  Shared() = default;
  Shared(std::nullopt_t) {}  // NOLINT(google-explicit-constructor): reads like std::optional
  Shared(T value) : value_(std::make_shared<const T>(std::move(value))) {}  // NOLINT(google-explicit-constructor)
  Shared(std::optional<T> value) {  // NOLINT(google-explicit-constructor)
    if (value) value_ = std::make_shared<const T>(std::move(*value));
  }

  bool has_value() const { return value_ != nullptr; }
  explicit operator bool() const { return has_value(); }
  const T& operator*() const { return *value_; }
  const T* operator->() const { return value_.get(); }
  /// Reads as the value where one is expected (a record handed to a function taking `const T&`).
  operator const T&() const { return *value_; }  // NOLINT(google-explicit-constructor)
  void reset() { value_.reset(); }

  /// A private copy to change: the other holders keep the value they had.
  template <typename Fn>
  void Edit(Fn&& change) {
    auto copy = std::make_shared<T>(*value_);
    change(*copy);
    value_ = std::move(copy);
  }

  /// Equal values, not the same pointer: sharing is an implementation detail.
  friend bool operator==(const Shared& a, const Shared& b) {
    return a.has_value() == b.has_value() && (!a || a.value_ == b.value_ || *a == *b);
  }

 private:
  std::shared_ptr<const T> value_;
};

}  // namespace berth::reconciler
