#include "core/philox.h"

namespace rwttt {

RWTTT_HOST_CLONES void PhiloxBitsLanes16(std::uint64_t seed, std::uint32_t (&words)[4][16]) {
  // As two halves of eight lanes: GCC multiplies those with vpmuludq (32 x 32 -> 64 bits), where
  // for sixteen it widened to 64-bit lanes and used the slower 64 x 64 multiply.
  for (int half = 0; half < 2; ++half) {
    std::uint32_t part[4][8];
    for (int w = 0; w < 4; ++w) {
      for (int l = 0; l < 8; ++l) part[w][l] = words[w][half * 8 + l];
    }
    PhiloxBitsLanes(seed, part);
    for (int w = 0; w < 4; ++w) {
      for (int l = 0; l < 8; ++l) words[w][half * 8 + l] = part[w][l];
    }
  }
}

}  // namespace rwttt
