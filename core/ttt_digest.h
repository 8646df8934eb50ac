// Digests of what the kernels produce (DESIGN §6 history fields out_digest and state_digest), and
// the owner's autoregressive carry. Host-only: XXH3-64 from xxHash.
//
//   std::uint64_t d = OutputDigest(outputs.data(), outputs.size() * sizeof(Bf16));
//   carry = NextCarry(carry, d);
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace rwttt {

// XXH3-64 of a READ step's outputs: the stored bytes (bf16 or fp32, little-endian) of
// y[token][ttt layer][d_model], tokens ascending.
std::uint64_t OutputDigest(const void* bytes, std::size_t size);

// XXH3-64 of a state's block fingerprints (FingerprintStart/FingerprintAbsorb, core/ttt_math.h):
// one per block of ModelProfile::state_block_elems() elements, [ttt layers][blocks per layer] in
// that order (for In-Place TTT a block is a row of W_down: [ttt layers][d_ff]).
std::uint64_t StateDigestOfFingerprints(std::span<const std::uint64_t> fingerprints);

// The carry after a READ: XXH3-64 of its out_digest, seeded with the carry before it. A WRITE
// produces no output and leaves the carry as it was.
std::uint64_t NextCarry(std::uint64_t carry, std::uint64_t out_digest);

}  // namespace rwttt
