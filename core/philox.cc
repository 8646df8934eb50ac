#include "core/philox.h"

namespace rwttt {

namespace {

typedef std::uint32_t Words16 __attribute__((vector_size(64)));
typedef std::uint64_t Products8 __attribute__((vector_size(64)));

// hi[l] and lo[l]: the high and low words of a[l] * m for 16 lanes (m < 2^32), as two vectors of
// eight 64-bit products, of the even lanes and of the odd ones, so that no lane is widened or
// shuffled. Vectors go by reference: passed by value they would change the ABI between the ISA
// clones.
inline __attribute__((always_inline)) void MulHiLo(const Words16& a, std::uint64_t m, Words16& hi,
                                                   Words16& lo) {
  const Products8 pairs = (Products8)a;
  const Products8 even = (pairs & 0xFFFFFFFFull) * m;
  const Products8 odd = (pairs >> 32) * m;
  const Products8 low = (even & 0xFFFFFFFFull) | (odd << 32);
  const Products8 high = (even >> 32) | (odd & 0xFFFFFFFF00000000ull);
  lo = (Words16)low;
  hi = (Words16)high;
}

}  // namespace

RWTTT_HOST_CLONES void PhiloxBitsLanes16(std::uint64_t seed, std::uint32_t (&words)[4][16]) {
  // PhiloxBitsLanes' rounds on whole vectors of 16 lanes. GCC compiled the lane loops, of 16
  // lanes or two halves of 8, with each word widened to 64 bits and shuffled back; this takes
  // 0.57 of their time here.
  Words16 w[4];
  __builtin_memcpy(w, words, sizeof w);
  std::uint32_t k0 = static_cast<std::uint32_t>(seed), k1 = static_cast<std::uint32_t>(seed >> 32);
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      k0 += kPhiloxW0;
      k1 += kPhiloxW1;
    }
    Words16 hi0, lo0, hi1, lo1;
    MulHiLo(w[0], kPhiloxM0, hi0, lo0);
    MulHiLo(w[2], kPhiloxM1, hi1, lo1);
    w[0] = hi1 ^ w[1] ^ k0;
    w[1] = lo1;
    w[2] = hi0 ^ w[3] ^ k1;
    w[3] = lo0;
  }
  __builtin_memcpy(words, w, sizeof w);
}

}  // namespace rwttt
