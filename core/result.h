// Result<T>: a value or an Error (core/error.h), as Abseil's StatusOr.
//
//   Result<ModelProfile> m = LoadModelProfile(path);
//   if (!m.ok()) return m.error();
//   RWTTT_ASSIGN_OR_RETURN(ModelProfile model, LoadModelProfile(path));   // the same, in one line
#pragma once

#include <utility>
#include <variant>

#include "core/check.h"
#include "core/error.h"

namespace rwttt {

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : data_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return data_.index() == 0; }

  // REQUIRES: ok().
  T& value() & {
    RWTTT_CHECK(ok()) << "value() of an error: " << std::get<1>(data_).ToString();
    return std::get<0>(data_);
  }
  const T& value() const& {
    RWTTT_CHECK(ok()) << "value() of an error: " << std::get<1>(data_).ToString();
    return std::get<0>(data_);
  }
  // By value, so that `for (auto& x : Make().value())` does not dangle.
  T value() && {
    RWTTT_CHECK(ok()) << "value() of an error: " << std::get<1>(data_).ToString();
    return std::get<0>(std::move(data_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  // REQUIRES: !ok().
  const Error& error() const& {
    RWTTT_CHECK(!ok()) << "error() of a value";
    return std::get<1>(data_);
  }
  Error&& error() && {
    RWTTT_CHECK(!ok()) << "error() of a value";
    return std::get<1>(std::move(data_));
  }

 private:
  std::variant<T, Error> data_;
};

// Result<void>: success or an Error.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT: implicit by design
  bool ok() const { return ok_; }
  // REQUIRES: !ok().
  const Error& error() const& {
    RWTTT_CHECK(!ok_) << "error() of an ok Status";
    return error_;
  }
  Error&& error() && {
    RWTTT_CHECK(!ok_) << "error() of an ok Status";
    return std::move(error_);
  }

 private:
  Error error_;
  bool ok_ = true;
};

inline Status OkStatus() { return {}; }

}  // namespace rwttt

#define RWTTT_CONCAT_INNER_(a, b) a##b
#define RWTTT_CONCAT_(a, b) RWTTT_CONCAT_INNER_(a, b)

// Returns the Error of a failed Status or Result from the enclosing function.
#define RWTTT_TRY(expr)                                         \
  do {                                                          \
    auto&& rwttt_try_ = (expr);                                 \
    if (!rwttt_try_.ok()) return std::move(rwttt_try_).error(); \
  } while (0)

// RWTTT_ASSIGN_OR_RETURN(auto x, MakeX()) declares x from a Result's value or returns its Error.
#define RWTTT_ASSIGN_OR_RETURN(lhs, expr) \
  RWTTT_ASSIGN_OR_RETURN_IMPL_(RWTTT_CONCAT_(rwttt_result_, __LINE__), lhs, expr)
#define RWTTT_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return std::move(tmp).error();      \
  lhs = std::move(tmp).value()
