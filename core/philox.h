// The one source of randomness: Random123's Philox4x32-10, a counter-based generator that gives
// the same bits on host and device for the same (key, counter).
//
//   PhiloxBlock bits = PhiloxBits(seed, owner_lo, token, layer, index);  // the counter's 4 words
//   float u = UnitFloat(bits[0]);   // in (0, 1)
//
// Callers pack what identifies a draw into the counter; nothing is stateful, so draws can be made
// in any order and in parallel and still reproduce.
#pragma once

#include <cstdint>

#include "core/host_device.h"

#if defined(__CUDACC__)
#include <Random123/philox.h>
#else
#pragma GCC system_header
#include <Random123/philox.h>
#endif

namespace rwttt {

struct PhiloxBlock {
  std::uint32_t v[4];
  RWTTT_HD std::uint32_t operator[](int i) const { return v[i]; }
};

// Four 32-bit words for `counter` under the 64-bit `seed`.
RWTTT_HD_ALWAYS_INLINE PhiloxBlock PhiloxBits(std::uint64_t seed, std::uint32_t c0,
                                              std::uint32_t c1, std::uint32_t c2,
                                              std::uint32_t c3) {
  r123::Philox4x32 rng;
  r123::Philox4x32::ctr_type ctr = {{c0, c1, c2, c3}};
  r123::Philox4x32::key_type key = {
      {static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)}};
  r123::Philox4x32::ctr_type out = rng(ctr, key);
  return PhiloxBlock{{out[0], out[1], out[2], out[3]}};
}

// Random123's Philox4x32 multipliers and key increments, for the rounds written out lane by lane
// (PhiloxBitsLanes) and on whole vectors (PhiloxBitsLanes16).
inline constexpr std::uint32_t kPhiloxM0 = 0xD2511F53u, kPhiloxM1 = 0xCD9E8D57u;
inline constexpr std::uint32_t kPhiloxW0 = 0x9E3779B9u, kPhiloxW1 = 0xBB67AE85u;

// PhiloxBits of kLanes counters under one seed at once, in place: on entry words[w][l] is word w
// of lane l's counter, on return word w of PhiloxBits(seed, words[0][l], .., words[3][l]).
// Random123's ten rounds written lane by lane, so that the compiler runs each multiply as one
// vector instruction for many blocks; bit for bit PhiloxBits
// (tests/core/ttt_math_fast_paths_test.cc).
template <std::uint32_t kLanes>
RWTTT_HD_ALWAYS_INLINE void PhiloxBitsLanes(std::uint64_t seed, std::uint32_t (&words)[4][kLanes]) {
  constexpr std::uint64_t kM0 = kPhiloxM0, kM1 = kPhiloxM1;
  constexpr std::uint32_t kW0 = kPhiloxW0, kW1 = kPhiloxW1;
  std::uint32_t k0 = static_cast<std::uint32_t>(seed), k1 = static_cast<std::uint32_t>(seed >> 32);
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      k0 += kW0;
      k1 += kW1;
    }
    for (std::uint32_t l = 0; l < kLanes; ++l) {
      const std::uint64_t p0 = kM0 * words[0][l], p1 = kM1 * words[2][l];
      const auto hi0 = static_cast<std::uint32_t>(p0 >> 32), lo0 = static_cast<std::uint32_t>(p0);
      const auto hi1 = static_cast<std::uint32_t>(p1 >> 32), lo1 = static_cast<std::uint32_t>(p1);
      words[0][l] = hi1 ^ words[1][l] ^ k0;
      words[1][l] = lo1;
      words[2][l] = hi0 ^ words[3][l] ^ k1;
      words[3][l] = lo0;
    }
  }
}

#if !defined(__CUDA_ARCH__)
// PhiloxBits of sixteen lanes (PhiloxBitsLanes<16>'s result), compiled on its own once per ISA
// (RWTTT_HOST_CLONES, core/philox.cc) on whole vectors, each multiply as the products of the
// even and the odd lanes: inlined into the cpu backend's loop nests GCC left the rounds scalar,
// and as lane loops it widened every word to 64 bits and shuffled it back.
void PhiloxBitsLanes16(std::uint64_t seed, std::uint32_t (&words)[4][16]);
#endif

// A float in (0, 1) from 24 random bits; exact, no rounding, same everywhere.
RWTTT_HD float UnitFloat(std::uint32_t bits) {
  return (static_cast<float>(bits >> 8) + 0.5f) * (1.0f / 16777216.0f);
}

// A double in (0, 1) from 53 random bits of two words.
RWTTT_HD double UnitDouble(std::uint32_t hi, std::uint32_t lo) {
  const std::uint64_t x = (static_cast<std::uint64_t>(hi) << 21) ^ (lo >> 11);
  return (static_cast<double>(x & ((std::uint64_t{1} << 53) - 1)) + 0.5) *
         (1.0 / 9007199254740992.0);
}

}  // namespace rwttt
