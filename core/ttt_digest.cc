#include "core/ttt_digest.h"

#include <xxhash.h>

namespace rwttt {

std::uint64_t OutputDigest(const void* bytes, std::size_t size) { return XXH3_64bits(bytes, size); }

std::uint64_t StateDigestOfFingerprints(std::span<const std::uint64_t> fingerprints) {
  return XXH3_64bits(fingerprints.data(), fingerprints.size_bytes());
}

std::uint64_t NextCarry(std::uint64_t carry, std::uint64_t out_digest) {
  return XXH3_64bits_withSeed(&out_digest, sizeof out_digest, carry);
}

}  // namespace rwttt
