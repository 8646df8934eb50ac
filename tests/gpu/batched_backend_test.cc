// The batched backend on the OpenMP system against the serial reference on cpu: batch invariance
// as a property, items sharing a slot, and what READ and WRITE may change.
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <memory>

#include "core/cpu_backend.h"
#include "gpu/internal/batch_plan.h"
#include "gpu/omp_backend.h"
#include "tests/gpu/backend_harness.h"
#include "tests/support/property.h"

namespace rwttt {
namespace {

using testing::GenKernelCase;
using testing::RcAssertMatchesSerialReference;
using testing::SmallProfile;

RC_GTEST_PROP(BatchInvariance, CpuInRandomBatchesEqualsSerialReference, ()) {
  CpuBackend cpu;
  RcAssertMatchesSerialReference(cpu, *GenKernelCase());
}

RC_GTEST_PROP(BatchInvariance, OmpOneThreadEqualsSerialReference, ()) {
  RcAssertMatchesSerialReference(*gpu::MakeOmpBackend(1, /*inline_work=*/0), *GenKernelCase());
}

// omp as users get it: these small models' In-Place TTT and LaCT cases on the cpu backend's
// kernels (RunsOnCpuKernels), low-rank's on the batched ones, inline.
RC_GTEST_PROP(BatchInvariance, OmpTwoThreadsEqualsSerialReference, ()) {
  RcAssertMatchesSerialReference(*gpu::MakeOmpBackend(2), *GenKernelCase());
}

// The batched kernels with nothing run inline: these small models would otherwise run on the cpu
// kernels or stay on the calling thread, and the parallel path is the one large models take.
RC_GTEST_PROP(BatchInvariance, OmpTwoThreadsSharingAllWorkEqualsSerialReference, ()) {
  RcAssertMatchesSerialReference(*gpu::MakeOmpBackend(2, /*inline_work=*/0), *GenKernelCase());
}

// One omp backend Reset to models on either side of its threshold moves between the cpu
// backend's kernels and the batched ones (RunsOnCpuKernels), and matches the reference on each.
RC_GTEST_PROP(BatchInvariance, OmpResetAcrossItsThresholdEqualsSerialReference, ()) {
  testing::KernelCase a = *GenKernelCase(), b = *GenKernelCase();
  a.model.state_kind = b.model.state_kind = InplaceTttKind{};  // a kind RunsOnCpuKernels picks
  const std::uint64_t threshold =
      std::max(a.model.token_multiply_adds(), b.model.token_multiply_adds());
  RC_PRE(a.model.token_multiply_adds() != b.model.token_multiply_adds());
  RC_ASSERT(gpu::RunsOnCpuKernels(a.model, threshold) != gpu::RunsOnCpuKernels(b.model, threshold));
  const std::unique_ptr<Backend> omp = gpu::MakeOmpBackend(2, threshold);
  // a and b are random, so across runs a Reset goes each way: cpu kernels to batched and back.
  for (const testing::KernelCase* c : {&a, &b}) RcAssertMatchesSerialReference(*omp, *c);
}

// Layers wide enough for the host kernels' 4 x 64 register tiles, 1024-column row blocks and
// multi-token tiles, inline and shared.
RC_GTEST_PROP(BatchInvariance, OmpOnWideLayersEqualsSerialReference, ()) {
  const testing::KernelCase c = *testing::GenWideKernelCase();
  RcAssertMatchesSerialReference(*gpu::MakeOmpBackend(1, /*inline_work=*/0), c);
  RcAssertMatchesSerialReference(*gpu::MakeOmpBackend(2, /*inline_work=*/0), c);
}

// Rows wide enough that a part with fewer tiles than threads splits each state's columns between
// the threads (pieces of at least 512 columns, BatchedBackend::DownColumns): one or two owners,
// decode tokens one tile each. Chunks of 2 to 4 close WRITEs as well: UpdateFunctor on partial
// last column tiles (d_model not a multiple of 64) and one to three row tiles of 16 (d_ff to 40).
RC_GTEST_PROP(BatchInvariance, OmpSplittingWideRowsBetweenThreadsEqualsSerialReference, ()) {
  testing::KernelCase c;
  c.model = testing::SmallProfile(*rc::gen::inRange<std::uint32_t>(1024, 1300),
                                  *rc::gen::inRange<std::uint32_t>(1, 41), 1,
                                  *rc::gen::inRange<std::uint32_t>(2, 5), DType::kBf16,
                                  *rc::gen::element(DType::kBf16, DType::kFp32), 0.01f);
  c.seed = Seed{*rc::gen::arbitrary<std::uint64_t>()};
  for (std::uint64_t id = 0; id < *rc::gen::inRange<std::uint64_t>(1, 3); ++id) {
    c.requests.push_back(Request{OwnerId{id},
                                 Nanos{0},
                                 *rc::gen::inRange<std::uint32_t>(1, 6),
                                 *rc::gen::inRange<std::uint32_t>(1, 4),
                                 {}});
  }
  RcAssertMatchesSerialReference(*gpu::MakeOmpBackend(1, /*inline_work=*/0), c);
  RcAssertMatchesSerialReference(*gpu::MakeOmpBackend(2, /*inline_work=*/0), c);
}

// Items sharing a slot, effects mixed (a broken policy's batch): the batched backend applies them
// in item order, as the cpu backend does one by one.
RC_GTEST_PROP(BatchInvariance, OmpAppliesItemsSharingASlotInItemOrder, ()) {
  ModelProfile model =
      SmallProfile(*rc::gen::inRange<std::uint32_t>(1, 17), *rc::gen::inRange<std::uint32_t>(1, 17),
                   2, *rc::gen::inRange<std::uint32_t>(1, 5), DType::kBf16, DType::kFp32, 0.5f);
  testing::GenStateKind(model);
  testing::RcAssertSharedSlotItemsMatchCpu(*gpu::MakeOmpBackend(1, /*inline_work=*/0), model);
  testing::RcAssertSharedSlotItemsMatchCpu(*gpu::MakeOmpBackend(2, /*inline_work=*/0), model);
}

// Each backend with each state kind.
class ReadWriteEffects : public ::testing::TestWithParam<std::tuple<const char*, StateKind>> {
 protected:
  std::unique_ptr<Backend> Make() {
    if (std::string_view(std::get<0>(GetParam())) == "cpu") return std::make_unique<CpuBackend>();
    // The batched kernels, whatever the model's size (RunsOnCpuKernels never holds at 0).
    return gpu::MakeOmpBackend(2, /*inline_work=*/0);
  }
  ModelProfile Profile(DType state_dtype, float eta) {
    return testing::WithStateKind(SmallProfile(8, 12, 2, 4, DType::kBf16, state_dtype, eta),
                                  std::get<1>(GetParam()));
  }
};

TEST_P(ReadWriteEffects, ReadNeverChangesStateAndWriteChangesExactlyItsSlot) {
  const ModelProfile model = Profile(DType::kFp32, 0.1f);
  std::unique_ptr<Backend> b = Make();
  ASSERT_TRUE(b->Reset(model, 3, Seed{11}).ok());
  for (std::uint32_t s = 0; s < 3; ++s) b->InitSlot(s);
  const std::uint64_t fresh = b->StateDigest(0);
  EXPECT_EQ(b->StateDigest(1), fresh);  // every owner starts from the same base weights

  std::vector<BatchItem> reads;
  for (std::uint32_t s = 0; s < 3; ++s) {
    reads.push_back(
        {.owner = OwnerId{s}, .first_token = 0, .end_token = 4, .slot = s, .input_seed = 5});
  }
  std::vector<ItemResult> r(3);
  b->RunBatch(reads, r);
  for (std::uint32_t s = 0; s < 3; ++s) {
    EXPECT_EQ(b->StateDigest(s), fresh) << "slot " << s;
    EXPECT_NE(r[s].out_digest, 0u);
    EXPECT_EQ(r[s].state_digest, 0u);
  }
  EXPECT_NE(r[0].out_digest, r[1].out_digest);  // owners' inputs differ

  const BatchItem write{.owner = OwnerId{1},
                        .effect = Effect::kWrite,
                        .first_token = 0,
                        .end_token = 4,
                        .slot = 1,
                        .input_seed = 5,
                        .carry = r[1].carry};
  ItemResult w;
  b->RunBatch({&write, 1}, {&w, 1});
  EXPECT_EQ(b->StateDigest(0), fresh);
  EXPECT_EQ(b->StateDigest(2), fresh);
  EXPECT_NE(b->StateDigest(1), fresh);
  EXPECT_EQ(w.state_digest, b->StateDigest(1));
  EXPECT_EQ(w.carry, r[1].carry);

  b->CopySlot(1, 2);
  EXPECT_EQ(b->StateDigest(2), b->StateDigest(1));
}

TEST_P(ReadWriteEffects, CopyLayersCopiesOnlyTheNamedLayersLikeTheCpuBackend) {
  const ModelProfile model = Profile(DType::kBf16, 0.5f);
  const auto layers = static_cast<std::uint32_t>(model.ttt_layers.size());
  ASSERT_GE(layers, 2u);
  // The same WRITE on `b` and on the cpu reference, then its second half of the layers put back
  // from the fresh slot 0: a torn state, as sim/faults/ makes one.
  std::unique_ptr<Backend> b = Make();
  CpuBackend cpu;
  std::uint64_t torn[2] = {};
  Backend* backends[2] = {b.get(), &cpu};
  for (int n = 0; n < 2; ++n) {
    Backend& x = *backends[n];
    ASSERT_TRUE(x.Reset(model, 3, Seed{11}).ok());
    for (std::uint32_t s = 0; s < 3; ++s) x.InitSlot(s);
    const std::uint64_t fresh = x.StateDigest(0);
    const BatchItem write{.owner = OwnerId{7},
                          .effect = Effect::kWrite,
                          .first_token = 0,
                          .end_token = 4,
                          .slot = 1,
                          .input_seed = 5};
    ItemResult w;
    x.RunBatch({&write, 1}, {&w, 1});
    const std::uint64_t full = x.StateDigest(1);
    x.CopyLayers(0, 1, layers / 2, layers);
    torn[n] = x.StateDigest(1);
    EXPECT_NE(torn[n], full);
    EXPECT_NE(torn[n], fresh);  // the first half of the layers keeps the update
    x.CopyLayers(0, 1, 0, layers / 2);
    EXPECT_EQ(x.StateDigest(1), fresh);
    x.CopyLayers(0, 2, 0, 0);  // an empty range changes nothing
    EXPECT_EQ(x.StateDigest(2), fresh);
  }
  EXPECT_EQ(torn[0], torn[1]);
}

INSTANTIATE_TEST_SUITE_P(BackendsAndKinds, ReadWriteEffects,
                         ::testing::Combine(::testing::Values("cpu", "omp"),
                                            ::testing::Values(StateKind{InplaceTttKind{}},
                                                              StateKind{LactSwigluKind{}},
                                                              StateKind{LowRankKind{}})));

// Resident memory of this process, from /proc/self/statm.
std::uint64_t ResidentBytes() {
  std::ifstream statm("/proc/self/statm");
  std::uint64_t size = 0, resident = 0;
  statm >> size >> resident;
  return resident * static_cast<std::uint64_t>(sysconf(_SC_PAGE_SIZE));
}

// A run sizes the backend for the most owners it may hold, and often holds far fewer: the slots
// it never initialises must cost no memory (they once cost 19 GB of zeroed pages in the README's
// LaCT replay, which held 10 owners in 64 slots).
TEST(BackendMemory, SlotsNeverInitialisedAreNeverTouched) {
  const ModelProfile model = LoadModelProfile("small").value();  // 4 MiB of state per slot
  const std::uint64_t slot_bytes = model.state_bytes();
  const std::uint32_t slots = 256;  // 1 GiB of slots
  for (const bool omp : {false, true}) {
    SCOPED_TRACE(omp ? "omp" : "cpu");
    std::unique_ptr<Backend> b = omp ? gpu::MakeOmpBackend(2) : std::make_unique<CpuBackend>();
    const std::uint64_t before = ResidentBytes();
    ASSERT_TRUE(b->Reset(model, slots, Seed{3}).ok());
    b->InitSlot(slots - 1);
    const std::uint64_t grown = ResidentBytes() - std::min(before, ResidentBytes());
    // The shared weights, the base state and one slot: a few slots' worth, not 256.
    EXPECT_LT(grown, 16 * slot_bytes) << "grew " << grown << " bytes";
  }
}

TEST(PlanBatch, CorrectBatchIsOnePartGroupedBySlot) {
  std::vector<BatchItem> items;
  for (std::uint32_t s : {2u, 0u, 1u}) {
    items.push_back({.owner = OwnerId{s}, .first_token = 0, .end_token = 3, .slot = s});
  }
  const auto parts = gpu::internal::PlanBatch(items, 2);
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_EQ(parts[0].items, (std::vector<std::uint32_t>{1, 2, 0}));
  EXPECT_EQ(parts[0].item_offsets, (std::vector<std::uint32_t>{0, 3, 6, 9}));
  ASSERT_EQ(parts[0].tiles.size(), 6u);  // 3 tokens per slot in tiles of at most 2
  EXPECT_EQ(parts[0].tiles[0].slot, 0u);
  EXPECT_EQ(parts[0].tiles[1].token_begin, 2u);
  EXPECT_EQ(parts[0].tiles[1].token_end, 3u);
}

TEST(PlanBatch, SharedSlotSplitsIntoWavesInItemOrder) {
  // READ s0, WRITE s0, READ s0, READ s1, WRITE s1: waves {R0, R3}, {W1, W4}, {R2}.
  std::vector<BatchItem> items = {
      {.owner = OwnerId{}, .effect = Effect::kRead, .end_token = 1, .slot = 0},
      {.owner = OwnerId{}, .effect = Effect::kWrite, .end_token = 1, .slot = 0},
      {.owner = OwnerId{}, .effect = Effect::kRead, .end_token = 1, .slot = 0},
      {.owner = OwnerId{}, .effect = Effect::kRead, .end_token = 1, .slot = 1},
      {.owner = OwnerId{}, .effect = Effect::kWrite, .end_token = 1, .slot = 1},
  };
  const auto parts = gpu::internal::PlanBatch(items, 16);
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0].items, (std::vector<std::uint32_t>{0, 3}));
  EXPECT_EQ(parts[1].effect, Effect::kWrite);
  EXPECT_EQ(parts[1].items, (std::vector<std::uint32_t>{1, 4}));
  EXPECT_EQ(parts[2].items, (std::vector<std::uint32_t>{2}));
}

}  // namespace
}  // namespace rwttt
