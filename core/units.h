// Units the reports and flags share: memory in GiB, checked conversion to bytes.
//
//   std::uint64_t b = GibToBytes(33.53);            // REQUIRES 0 <= gib <= kMaxGib
//   FormatBytes(24576);                             // "24.000 KiB"
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <string>

namespace rwttt {

// Bytes in a GiB (2^30), a MiB (2^20) and a KiB: every conversion and report uses these.
inline constexpr double kBytesPerGib = 1073741824.0;
inline constexpr double kBytesPerMib = 1048576.0;
inline constexpr double kBytesPerKib = 1024.0;
// The largest memory size in GiB whose bytes fit 64 bits (2^34 GiB is 2^64 bytes).
inline constexpr double kMaxGib = 17179869183.0;

// `gib` GiB in bytes, rounded down: the one conversion every --budget uses.
// REQUIRES: 0 <= gib <= kMaxGib (so that the product fits 64 bits).
inline std::uint64_t GibToBytes(double gib) {
  return static_cast<std::uint64_t>(gib * kBytesPerGib);
}

// `bytes` in the largest binary unit that keeps the value at least 1, three decimals:
// "72.619 GiB", "24.000 KiB", "512 B".
inline std::string FormatBytes(std::uint64_t bytes) {
  const auto b = static_cast<double>(bytes);
  if (b >= kBytesPerGib) return fmt::format("{:.3f} GiB", b / kBytesPerGib);
  if (b >= kBytesPerMib) return fmt::format("{:.3f} MiB", b / kBytesPerMib);
  if (b >= kBytesPerKib) return fmt::format("{:.3f} KiB", b / kBytesPerKib);
  return fmt::format("{} B", bytes);
}

}  // namespace rwttt
