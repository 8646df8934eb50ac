// Units the reports and flags share: memory in GiB, checked conversion to bytes.
//
//   std::uint64_t b = GibToBytes(33.53);            // REQUIRES 0 <= gib <= kMaxGib
//   fmt::format("{:.3f} GiB", bytes / kBytesPerGib);
#pragma once

#include <cstdint>

namespace rwttt {

inline constexpr double kBytesPerGib = 1073741824.0;
// The largest memory size in GiB whose bytes fit 64 bits (2^34 GiB is 2^64 bytes).
inline constexpr double kMaxGib = 17179869183.0;

// `gib` GiB in bytes, rounded down: the one conversion every --budget uses.
// REQUIRES: 0 <= gib <= kMaxGib (so that the product fits 64 bits).
inline std::uint64_t GibToBytes(double gib) {
  return static_cast<std::uint64_t>(gib * kBytesPerGib);
}

}  // namespace rwttt
