#include "core/attention.h"

#include <algorithm>

#include "core/check.h"

namespace rwttt {
namespace {

// 1 + 2 + ... + n.
double Triangle(std::uint64_t n) {
  return 0.5 * static_cast<double>(n) * static_cast<double>(n + 1);
}

}  // namespace

std::uint64_t AttentionShape::KvTokensRead(std::uint32_t first, std::uint32_t end) const {
  RWTTT_CHECK(first <= end);
  if (first == end) return 0;
  // The earliest position any of them attends to: first's window start.
  const std::uint64_t lowest =
      window == 0 || first + 1u <= window ? 0 : std::uint64_t{first} + 1 - window;
  return end - lowest;
}

double AttentionShape::AttendedPairs(std::uint32_t first, std::uint32_t end) const {
  RWTTT_CHECK(first <= end);
  if (window == 0) return Triangle(end) - Triangle(first);
  // Positions t < window attend to t + 1 positions; later ones to `window`.
  const std::uint32_t growing_end = std::min(end, window);
  const std::uint32_t growing_first = std::min(first, growing_end);
  const std::uint32_t full_first = std::max(first, window);
  const double full = end > full_first ? static_cast<double>(end - full_first) * window : 0.0;
  return Triangle(growing_end) - Triangle(growing_first) + full;
}

std::uint64_t AttentionShape::KvTokensKept(std::uint64_t context) const {
  return window == 0 ? context : std::min<std::uint64_t>(context, window);
}

}  // namespace rwttt
