// bfloat16 storage: fp32 -> bf16 with round-to-nearest-even, and back, identically on host and
// device. The math (core/ttt_math.h) accumulates in fp32 and rounds each stored value through here.
//
//   Bf16 b = FloatToBf16(1.00390625f);   // a tie: rounds to even, b.bits == 0x3F80 (1.0f)
//   float f = Bf16ToFloat(b);            // exact: bf16 is the top half of an fp32
//
// Why hand-written: C++23's std::bfloat16_t needs GCC 13 (Debian 12 ships 12), and CUDA's
// __nv_bfloat16 exists only where the CUDA toolkit is installed; the backends must agree bit for
// bit with or without nvcc. The conversion is the one every library implements (PyTorch c10,
// Eigen, CUDA's __float2bfloat16_rn): add 0x7FFF plus the lowest kept bit, truncate.
#pragma once

#include <cstdint>
#include <cstring>

#include "core/host_device.h"

namespace rwttt {

// One bf16 value: sign, 8 exponent bits, 7 mantissa bits. A storage type, not an arithmetic one.
struct Bf16 {
  std::uint16_t bits = 0;
};

// The IEEE bits of an fp32 value, and back. memcpy is the portable bit cast on host and device.
RWTTT_HD std::uint32_t FloatBits(float f) {
  std::uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}
RWTTT_HD float BitsToFloat(std::uint32_t u) {
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

// The one NaN rwttt stores, in fp32 and bf16: positive, quiet, no payload. Hardware disagrees on
// the NaN an invalid operation makes (x86: 0xFFC00000, CUDA: 0x7FFFFFFF), and digests hash stored
// bits, so every stored NaN is replaced by this one.
inline constexpr std::uint32_t kCanonicalNanBits = 0x7FC00000u;
inline constexpr std::uint16_t kCanonicalBf16NanBits = 0x7FC0u;

// Rounds to the nearest bf16, ties to even. Infinities stay infinite, finite values past the
// largest bf16 (0x7F7F) round to infinity as IEEE rounding says, and every NaN becomes the
// canonical NaN (never an infinity, which plain rounding would make of NaNs whose payload sits in
// the low 16 bits).
RWTTT_HD Bf16 FloatToBf16(float f) {
  const std::uint32_t u = FloatBits(f);
  const bool nan = (u & 0x7F800000u) == 0x7F800000u && (u & 0x007FFFFFu) != 0;
  const std::uint32_t lsb = (u >> 16) & 1u;
  // A select, not a branch, so that loops of conversions vectorise.
  return Bf16{nan ? kCanonicalBf16NanBits : static_cast<std::uint16_t>((u + 0x7FFFu + lsb) >> 16)};
}

// Exact: a bf16 is an fp32 with the low 16 mantissa bits zero.
RWTTT_HD float Bf16ToFloat(Bf16 b) { return BitsToFloat(static_cast<std::uint32_t>(b.bits) << 16); }

// v, or the canonical NaN when v is a NaN: what an fp32 store keeps.
RWTTT_HD float CanonicalFloat(float v) { return v == v ? v : BitsToFloat(kCanonicalNanBits); }

// fp32 rounded to the nearest bf16 value, held in an fp32.
RWTTT_HD float RoundToBf16(float f) { return Bf16ToFloat(FloatToBf16(f)); }

}  // namespace rwttt
