// The cost model against times worked out by hand (docs/cost-model.md has the same example).
#include "sim/cost_model.h"

#include <gtest/gtest.h>

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
  EXPECT_EQ(cost.BatchTime({.read_steps = 2, .read_tokens = 2, .read_slots = 2}, 1), Nanos{10616});
  // A prefill of 8 tokens each: 1024 + 2 * 2048 + 16 * 64 = 6144 B per layer: 12408 ns.
  EXPECT_EQ(cost.BatchTime({.read_steps = 2, .read_tokens = 16, .read_slots = 2}, 1), Nanos{12408});
}

TEST(CostModel, WriteBatchOfTwoOwnersMatchesTheHandComputedTime) {
  const CostModel cost(LoadModelProfile("tiny").value(), RoundHardware());
  // Per TTT layer: 2 slots * (read + write 2048 B) + 2 * C (8) * (32 + 16) * 2 B = 9728 B.
  // 2 layers * (10 + 9728) + 100 = 19576 ns.
  EXPECT_EQ(cost.BatchTime({.write_steps = 2, .write_slots = 2}, 1), Nanos{19576});
}

TEST(CostModel, SharingLanesDividesBandwidthAndSwapsCopyBothWays) {
  const CostModel cost(LoadModelProfile("tiny").value(), RoundHardware());
  // One owner, one token: 1024 + 2048 + 64 = 3136 B per layer; shared by 2 lanes: 6272 ns.
  EXPECT_EQ(cost.BatchTime({.read_steps = 1, .read_tokens = 1, .read_slots = 1}, 1), Nanos{6392});
  EXPECT_EQ(cost.BatchTime({.read_steps = 1, .read_tokens = 1, .read_slots = 1}, 2),
            Nanos{100 + 2 * (10 + 6272)});
  // Swapping 4096 bytes reads and writes them: 8192 ns at 1 B/ns.
  const BatchCost c =
      cost.Cost({.read_steps = 1, .read_tokens = 1, .read_slots = 1, .swap_bytes = 4096}, 1);
  EXPECT_DOUBLE_EQ(c.swap_ns, 8192);
  EXPECT_DOUBLE_EQ(c.memory_ns, 2 * 3136);
  EXPECT_DOUBLE_EQ(c.overhead_ns, 20);
  EXPECT_DOUBLE_EQ(c.launch_ns, 100);
}

TEST(CostModel, WriteBecomesComputeBoundOnASlowDevice) {
  const ModelProfile m = LoadModelProfile("tiny").value();
  // 1 flop/ns: H^T V's 1024 flops per chunk token outweigh its 96 bytes.
  const CostModel cost(m, RoundHardware("0.001"));
  const BatchCost c = cost.Cost({.write_steps = 1, .write_slots = 1}, 1);
  EXPECT_GT(c.compute_ns, 0);
  EXPECT_EQ(c.memory_ns, 0);
}

}  // namespace
}  // namespace rwttt
