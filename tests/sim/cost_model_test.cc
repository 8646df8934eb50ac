// The cost model against times worked out by hand (docs/cost-model.md has the same example).
#include "sim/cost_model.h"

#include <gtest/gtest.h>

#include <cmath>

#include "tests/sim/sim_test_util.h"

namespace rwttt {
namespace {

// Round numbers: 1 byte/ns, 1000 flop/ns, 100 ns per launch, 10 ns per layer.
HardwareProfile RoundHardware(const char* peak = "1") {
  return ParseHardwareProfile(
             std::string(R"({"name":"round","memory_bandwidth_gbs":1,"peak_tflops_bf16":)") + peak +
                 ","
                 R"("peak_tflops_fp32":1,"memory_gib":1,"launch_overhead_ns":100,)"
                 R"("layer_overhead_ns":10})",
             "round")
      .value();
}

TEST(CostModel, ReadBatchOfTwoOwnersMatchesTheHandComputedTime) {
  const CostModel cost(LoadModelProfile("tiny").value(), RoundHardware());
  // Per layer: W_up 1024 B once + 2 fast weights of 2048 B + 2 tokens * 64 B = 5248 B -> 5248 ns
  // (memory-bound: 4096 flops take 4.1 ns). 2 layers * (10 + 5248) + 100 = 10616 ns.
  EXPECT_EQ(cost.BatchTime({.read_steps = 2, .read_tokens = 2, .read_slots = 2}).total,
            Nanos{10616});
  // A prefill of 8 tokens each: 1024 + 2 * 2048 + 16 * 64 = 6144 B per layer: 12408 ns.
  EXPECT_EQ(cost.BatchTime({.read_steps = 2, .read_tokens = 16, .read_slots = 2}).total,
            Nanos{12408});
}

TEST(CostModel, WriteBatchOfTwoOwnersMatchesTheHandComputedTime) {
  const CostModel cost(LoadModelProfile("tiny").value(), RoundHardware());
  // Per TTT layer: 2 slots * (read + write 2048 B) + 2 * C (8) * (32 + 16) * 2 B = 9728 B.
  // 2 layers * (10 + 9728) + 100 = 19576 ns.
  EXPECT_EQ(cost.BatchTime({.write_steps = 2, .write_slots = 2}).total, Nanos{19576});
}

TEST(CostModel, CachedBytesMoveAtTheCacheBandwidth) {
  const ModelProfile m = LoadModelProfile("tiny").value();
  HardwareProfile hw = RoundHardware();
  hw.cache_mib = 1;
  hw.cache_bandwidth_gbs = 4;  // 4 bytes/ns
  const CostModel cost(m, hw);
  // READ x2, the weights and one state cached. Per layer 5248 B (as above), of which W_up's 1024
  // and one fast weight's 2048 from the cache: 2176 ns + 3072 / 4 ns = 2944 ns, memory-bound.
  // 2 layers * (10 + 2944) + 100 = 6008 ns.
  const BatchShape read{.read_steps = 2,
                        .read_tokens = 2,
                        .read_slots = 2,
                        .cached_weights = 1,
                        .cached_read_slots = 1};
  EXPECT_EQ(cost.BatchTime(read).total, Nanos{6008});
  const BatchCost c = cost.Cost(read);
  EXPECT_DOUBLE_EQ(c.memory_ns, 2 * 2176);
  EXPECT_DOUBLE_EQ(c.cache_ns, 2 * 768);
  // WRITE x2, one state cached: per layer 9728 B, of which 4096 (read and written) from the
  // cache: 5632 + 1024 ns. 2 * (10 + 6656) + 100 = 13432 ns.
  EXPECT_EQ(cost.BatchTime({.write_steps = 2, .write_slots = 2, .cached_write_slots = 1}).total,
            Nanos{13432});
  // Without a cache the same shapes cost what uncached ones do (the worked examples above).
  const CostModel no_cache(m, RoundHardware());
  EXPECT_EQ(no_cache.BatchTime(read).total, Nanos{10616});
  EXPECT_EQ(no_cache.BatchTime({.write_steps = 2, .write_slots = 2, .cached_write_slots = 1}).total,
            Nanos{19576});
  // The memo tells cached shapes from the uncached ones it has seen.
  EXPECT_EQ(cost.BatchTime({.read_steps = 2, .read_tokens = 2, .read_slots = 2}).total,
            Nanos{10616});
  EXPECT_EQ(cost.BatchTime(read).total, Nanos{6008});
}

TEST(CostModel, TheOverheadsAreHostTimeAndSwapsCopyBothWays) {
  const CostModel cost(LoadModelProfile("tiny").value(), RoundHardware());
  // One owner, one token: 1024 + 2048 + 64 = 3136 B per layer: 2 * 3136 ns on the device, and
  // the launch (100 ns) and two layer overheads (10 ns each) on the host.
  const BatchTiming one = cost.BatchTime({.read_steps = 1, .read_tokens = 1, .read_slots = 1});
  EXPECT_EQ(one.total, Nanos{6392});
  EXPECT_EQ(one.device, Nanos{2 * 3136});
  EXPECT_EQ(one.host(), Nanos{120});
  // Swapping 4096 bytes reads and writes them: 8192 ns at 1 B/ns, on the device.
  const BatchCost c =
      cost.Cost({.read_steps = 1, .read_tokens = 1, .read_slots = 1, .swap_bytes = 4096});
  EXPECT_DOUBLE_EQ(c.swap_ns, 8192);
  EXPECT_DOUBLE_EQ(c.memory_ns, 2 * 3136);
  EXPECT_DOUBLE_EQ(c.overhead_ns, 20);
  EXPECT_DOUBLE_EQ(c.launch_ns, 100);
  EXPECT_DOUBLE_EQ(c.device_ns(), 8192 + 2 * 3136);
}

// Fractions of a nanosecond round the total up once (the single-lane times of every earlier
// release), and the device part up on its own, never above the total.
TEST(CostModel, TheDevicePartRoundsUpAndNeverExceedsTheTotal) {
  const CostModel cost(LoadModelProfile("tiny").value(), RoundHardware());
  for (std::uint64_t tokens : {1, 3, 7, 64, 1000}) {
    const BatchShape shape{.read_steps = 1, .read_tokens = tokens, .read_slots = 1};
    const BatchCost c = cost.Cost(shape);
    const BatchTiming t = cost.BatchTime(shape);
    EXPECT_EQ(t.total.value(), static_cast<std::int64_t>(std::ceil(c.total_ns())));
    EXPECT_EQ(t.device.value(), static_cast<std::int64_t>(std::ceil(c.device_ns())));
    EXPECT_LE(t.device, t.total);
  }
}

TEST(CostModel, WriteBecomesComputeBoundOnASlowDevice) {
  const ModelProfile m = LoadModelProfile("tiny").value();
  // 1 flop/ns: H^T V's 1024 flops per chunk token outweigh its 96 bytes.
  const CostModel cost(m, RoundHardware("0.001"));
  const BatchCost c = cost.Cost({.write_steps = 1, .write_slots = 1});
  EXPECT_GT(c.write_compute_ns, 0);
  EXPECT_EQ(c.compute_ns, 0);  // no READ
  EXPECT_EQ(c.memory_ns, 0);
}

// A profile's WRITE peak times the WRITE layers alone; without one, WRITEs run at the READ's.
TEST(CostModel, TheWritePeakTimesWritesAndOnlyWrites) {
  const ModelProfile m = LoadModelProfile("tiny").value();
  HardwareProfile hw = RoundHardware("0.001");  // 1 FLOP/ns
  const BatchShape write{.write_steps = 1, .write_slots = 1};
  const BatchShape read{.read_steps = 1, .read_tokens = 8, .read_slots = 1};
  const BatchCost before = CostModel(m, hw).Cost(write);
  const BatchCost read_before = CostModel(m, hw).Cost(read);
  hw.write_peak_tflops = 0.0005;  // 0.5 FLOP/ns
  const BatchCost after = CostModel(m, hw).Cost(write);
  EXPECT_GT(before.write_compute_ns, 0);
  EXPECT_DOUBLE_EQ(after.write_compute_ns, 2 * before.write_compute_ns);
  EXPECT_DOUBLE_EQ(after.overhead_ns, before.overhead_ns);
  const BatchCost read_after = CostModel(m, hw).Cost(read);
  EXPECT_DOUBLE_EQ(read_after.total_ns(), read_before.total_ns());
  EXPECT_GT(read_after.compute_ns, 0);
}

// LaCT's WRITE does 12 C d_model fast_dim FLOPs while moving 24 d_model fast_dim state bytes:
// about C / 2 FLOPs per byte, against In-Place TTT's C / 4 (2 C per 8 bytes). At the chunks each
// is run with (2048 for LaCT, 512 for In-Place TTT) an H100 (295 FLOPs per byte at bf16 peak)
// runs LaCT's WRITE compute-bound and In-Place TTT's bandwidth-bound.
TEST(CostModel, LactWriteIsComputeBoundAtItsChunkWhereInplaceIsNot) {
  const HardwareProfile h100 = LoadHardwareProfile("h100-sxm").value();
  ModelProfile lact = LoadModelProfile("lact-1b").value();
  const BatchShape one_write{.write_steps = 1, .write_slots = 1};
  const BatchCost at_2048 = CostModel(lact, h100).Cost(one_write);
  EXPECT_GT(at_2048.write_compute_ns, 0);
  EXPECT_EQ(at_2048.memory_ns, 0);
  lact.chunk = 128;
  const BatchCost at_128 = CostModel(lact, h100).Cost(one_write);
  EXPECT_EQ(at_128.write_compute_ns, 0);
  EXPECT_GT(at_128.memory_ns, 0);
  const ModelProfile inplace = LoadModelProfile("inplace-ttt-4b").value();  // C = 512
  const BatchCost inplace_512 = CostModel(inplace, h100).Cost(one_write);
  EXPECT_EQ(inplace_512.write_compute_ns, 0);
  EXPECT_GT(inplace_512.memory_ns, 0);
}

TEST(CostModel, MuonAddsItsNewtonSchulzFlops) {
  ModelProfile m = LoadModelProfile("lact-1b").value();
  const LayerWork plain = WriteLayerWork(m);
  std::get<LactSwigluKind>(m.state_kind).muon = true;
  const LayerWork muon = WriteLayerWork(m);
  // Four heads, three 512 x 512 matrices each, 5 * (4 + 2) * 512^3 + 2 * 512^2 FLOPs apiece.
  const double ns = 5.0 * 6.0 * 512.0 * 512.0 * 512.0 + 2.0 * 512.0 * 512.0;
  EXPECT_DOUBLE_EQ(muon.flops - plain.flops, 4 * 3 * ns);
  EXPECT_DOUBLE_EQ(NewtonSchulzFlops(512, 512), ns);
  EXPECT_EQ(muon.owner_bytes, plain.owner_bytes);
}

TEST(CostModel, LowRankReadSharesTheBaseWeightsAndAddsTheDeltaFlops) {
  const ModelProfile m = LoadModelProfile("low-rank-tiny").value();  // rank 4, up and down
  const LayerWork r = ReadLayerWork(m, true, 1);
  const double layer_params = 2.0 * 16 * 32;  // params = layers * 2 * d_model * d_ff
  const double delta = 2.0 * 4 * (16 + 32);
  EXPECT_DOUBLE_EQ(r.shared_bytes, layer_params * 2);  // bf16, nothing replaced
  EXPECT_DOUBLE_EQ(r.owner_bytes, delta * 4);          // fp32 deltas
  EXPECT_DOUBLE_EQ(r.flops, 2.0 * (layer_params + delta));
  const LayerWork w = WriteLayerWork(m);
  EXPECT_DOUBLE_EQ(w.flops, 4.0 * 8 * delta + 2.0 * delta);  // C = 8
}

}  // namespace
}  // namespace rwttt
