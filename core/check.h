// RWTTT_CHECK: invariants that only a bug can break. A failed check prints the condition, the
// function, file and line, and any streamed context, then aborts, in release builds too.
//
//   RWTTT_CHECK(batch.size() > 0) << "policy " << name << " returned an empty batch";
#pragma once

#include <sstream>

namespace rwttt::internal {

class CheckFailure {
 public:
  CheckFailure(const char* condition, const char* function, const char* file, int line);
  [[noreturn]] ~CheckFailure();
  template <typename T>
  CheckFailure& operator<<(const T& value) {
    stream_ << value;
    return *this;
  }

 private:
  std::ostringstream stream_;
};

}  // namespace rwttt::internal

#define RWTTT_CHECK(cond)              \
  if (__builtin_expect(!!(cond), 1)) { \
  } else                               \
    ::rwttt::internal::CheckFailure(#cond, __func__, __FILE__, __LINE__)
