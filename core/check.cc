#include "core/check.h"

#include <cstdio>
#include <cstdlib>

namespace rwttt::internal {

CheckFailure::CheckFailure(const char* condition, const char* function, const char* file,
                           int line) {
  stream_ << "rwttt: internal error: check failed: " << condition << " in " << function << " ("
          << file << ":" << line << ") ";
}

CheckFailure::~CheckFailure() {
  std::fprintf(stderr, "%s\n", stream_.str().c_str());
  std::fflush(stderr);
  std::abort();
}

}  // namespace rwttt::internal
