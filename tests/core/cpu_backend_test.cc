// The cpu backend and the serial reference: sensitivity to one flipped bit, isolation of owners,
// and golden digests that pin the math (docs/kernels.md) so that any change to it is deliberate.
#include "core/cpu_backend.h"

#include <gtest/gtest.h>

#include "core/program.h"
#include "core/serial_reference.h"

namespace rwttt {
namespace {

ModelProfile Tiny() { return LoadModelProfile("tiny").value(); }

struct Owner {
  Request request;
  std::uint32_t slot;
  std::vector<Step> program;
  OwnerReference got;
  std::uint64_t carry = 0;
};

// Runs owners in lockstep, one batch per program index, and flips `bit` of element 5 of slot 0's
// first TTT layer right before step `flip_at` of every program.
std::vector<Owner> RunWithFlip(const ModelProfile& model, std::size_t flip_at, std::uint32_t bit) {
  std::vector<Owner> owners;
  for (std::uint32_t k = 0; k < 3; ++k) {
    Owner o;
    o.request = Request{.id = OwnerId{10 + k}, .prompt_tokens = 12, .output_tokens = 9, .seed = {}};
    o.slot = k;
    o.program = BuildProgram(o.request, model.chunk);
    owners.push_back(o);
  }
  CpuBackend cpu;
  EXPECT_TRUE(cpu.Reset(model, 3, Seed{42}).ok());
  for (std::uint32_t k = 0; k < 3; ++k) cpu.InitSlot(k);
  for (std::size_t i = 0; i < owners[0].program.size(); ++i) {
    if (i == flip_at) cpu.FlipStateBit(0, 0, 5, bit);
    std::vector<BatchItem> items;
    for (const Owner& o : owners) {
      const Step& s = o.program[i];
      items.push_back({.owner = o.request.id,
                       .effect = s.tag.effect,
                       .first_token = s.first_token,
                       .end_token = s.end_token,
                       .slot = o.slot,
                       .input_seed = 42,
                       .carry = o.carry});
    }
    std::vector<ItemResult> results(items.size());
    cpu.RunBatch(items, results);
    for (std::size_t k = 0; k < owners.size(); ++k) {
      owners[k].carry = results[k].carry;
      owners[k].got.steps.push_back(
          {owners[k].program[i], results[k].out_digest, results[k].state_digest});
    }
  }
  return owners;
}

// The sensitivity and isolation properties hold for every state kind.
class EveryStateKind : public ::testing::TestWithParam<const char*> {
 protected:
  ModelProfile Model() const { return LoadModelProfile(GetParam()).value(); }
};

INSTANTIATE_TEST_SUITE_P(TinyPresets, EveryStateKind,
                         ::testing::Values("tiny", "lact-tiny", "low-rank-tiny"));

TEST_P(EveryStateKind, FlippedStateBitChangesThatOwnersLaterDigestsOnly) {
  const ModelProfile model = Model();
  constexpr std::size_t kFlipAt = 4;
  const std::vector<Owner> owners = RunWithFlip(model, kFlipAt, /*bit=*/30);
  for (std::size_t k = 0; k < owners.size(); ++k) {
    const OwnerReference want = RunSerialReference(model, owners[k].request, Seed{42});
    ASSERT_EQ(want.steps.size(), owners[k].got.steps.size());
    for (std::size_t i = 0; i < want.steps.size(); ++i) {
      const ReferenceStep& w = want.steps[i];
      const ReferenceStep& g = owners[k].got.steps[i];
      if (k != 0 || i < kFlipAt) {
        EXPECT_EQ(g.out_digest, w.out_digest) << "owner " << k << " step " << i;
        EXPECT_EQ(g.state_digest, w.state_digest) << "owner " << k << " step " << i;
      } else if (w.step.is_read()) {
        EXPECT_NE(g.out_digest, w.out_digest) << "step " << i;
      } else {
        EXPECT_NE(g.state_digest, w.state_digest) << "step " << i;
      }
    }
  }
}

TEST_P(EveryStateKind, LowMantissaBitFlipOfAnyElementIsVisibleInTheStateDigest) {
  const ModelProfile model = Model();
  CpuBackend cpu;
  ASSERT_TRUE(cpu.Reset(model, 1, Seed{1}).ok());
  cpu.InitSlot(0);
  const std::uint64_t before = cpu.StateDigest(0);
  for (std::uint64_t element = 0; element < model.layer_state_elems(); element += 7) {
    cpu.FlipStateBit(0, 1, element, 0);
    EXPECT_NE(cpu.StateDigest(0), before) << "element " << element;
    cpu.FlipStateBit(0, 1, element, 0);  // back
  }
  EXPECT_EQ(cpu.StateDigest(0), before);
}

TEST(SerialReference, IsDeterministicAndSeedSensitive) {
  const Request r{.id = OwnerId{3}, .prompt_tokens = 20, .output_tokens = 5, .seed = {}};
  const OwnerReference a = RunSerialReference(Tiny(), r, Seed{7});
  const OwnerReference b = RunSerialReference(Tiny(), r, Seed{7});
  const OwnerReference c = RunSerialReference(Tiny(), r, Seed{8});
  ASSERT_EQ(a.steps.size(), BuildProgram(r, 8).size());
  for (std::size_t i = 0; i < a.steps.size(); ++i) {
    EXPECT_EQ(a.steps[i].out_digest, b.steps[i].out_digest);
    EXPECT_EQ(a.steps[i].state_digest, b.steps[i].state_digest);
    EXPECT_NE(a.steps[i].out_digest + a.steps[i].state_digest,
              c.steps[i].out_digest + c.steps[i].state_digest);
    EXPECT_EQ(a.steps[i].step.is_read(), a.steps[i].state_digest == 0);
    EXPECT_EQ(a.steps[i].step.is_read(), a.steps[i].out_digest != 0);
  }
}

TEST(SerialReference, RequestSeedOverridesRunSeed) {
  Request r{.id = OwnerId{3}, .prompt_tokens = 4, .output_tokens = 1, .seed = Seed{99}};
  const OwnerReference a = RunSerialReference(Tiny(), r, Seed{7});
  r.seed.reset();
  const OwnerReference b = RunSerialReference(Tiny(), r, Seed{7});
  EXPECT_NE(a.steps[0].out_digest, b.steps[0].out_digest);
}

TEST(SerialReference, ReusedBackendGivesTheSameDigests) {
  CpuBackend cpu;
  ASSERT_TRUE(cpu.Reset(Tiny(), 1, Seed{7}).ok());
  for (std::uint64_t id : {1u, 2u, 1u}) {
    const Request r{.id = OwnerId{id}, .prompt_tokens = 9, .output_tokens = 2, .seed = {}};
    const OwnerReference a = RunSerialReference(cpu, Tiny(), r, Seed{7});
    const OwnerReference b = RunSerialReference(Tiny(), r, Seed{7});
    ASSERT_EQ(a.steps.size(), b.steps.size());
    for (std::size_t i = 0; i < a.steps.size(); ++i) {
      EXPECT_EQ(a.steps[i].out_digest, b.steps[i].out_digest);
      EXPECT_EQ(a.steps[i].state_digest, b.steps[i].state_digest);
    }
  }
}

// A backend sharing another's weights (what check 5's worker threads use) gives each owner the
// same serial run as a backend of its own, for every state kind, and its slots are its own.
TEST(CpuBackend, SharingWeightsGivesTheSameDigestsWithSlotsOfItsOwn) {
  for (const char* name : {"tiny", "lact-tiny", "low-rank-tiny"}) {
    const ModelProfile model = LoadModelProfile(name).value();
    CpuBackend source;
    ASSERT_TRUE(source.Reset(model, 1, Seed{7}).ok());
    CpuBackend worker;
    ASSERT_TRUE(worker.ShareWeightsOf(source, 1).ok());
    source.InitSlot(0);
    const std::uint64_t before = source.StateDigest(0);
    const Request r{.id = OwnerId{4}, .prompt_tokens = 11, .output_tokens = 5, .seed = {}};
    const OwnerReference shared = RunSerialReference(worker, model, r, Seed{7});
    const OwnerReference own = RunSerialReference(model, r, Seed{7});
    ASSERT_EQ(shared.steps.size(), own.steps.size()) << name;
    for (std::size_t i = 0; i < own.steps.size(); ++i) {
      EXPECT_EQ(shared.steps[i].out_digest, own.steps[i].out_digest) << name << " step " << i;
      EXPECT_EQ(shared.steps[i].state_digest, own.steps[i].state_digest) << name << " step " << i;
    }
    EXPECT_EQ(source.StateDigest(0), before) << name << ": the worker's WRITEs reached the source";
    worker.InitSlot(0);
    EXPECT_EQ(worker.StateDigest(0), before) << name << ": the shared base state differs";
  }
}

// Golden digests of the tiny profile: any change to the math, the draws or the digests moves them.
// Update them only with a note in docs/kernels.md, since histories record these values.
TEST(SerialReference, GoldenDigestsOfTinyProfile) {
  const Request r{.id = OwnerId{1}, .prompt_tokens = 10, .output_tokens = 3, .seed = {}};
  const OwnerReference ref = RunSerialReference(Tiny(), r, Seed{7});
  ASSERT_EQ(ref.steps.size(), 6u);  // READ[0,8) WRITE READ[8,10) READ READ READ
  EXPECT_EQ(ref.steps[0].out_digest, 0xd7696adbd22470b5ull);
  EXPECT_EQ(ref.steps[1].state_digest, 0x64ab926c6f22a6acull);
  EXPECT_EQ(ref.steps[5].out_digest, 0xf4aed10f974a1de2ull);
}

// The same for the other state kinds (docs/kernels.md#state-kinds).
TEST(SerialReference, GoldenDigestsOfLactAndLowRankTinyProfiles) {
  const Request r{.id = OwnerId{1}, .prompt_tokens = 10, .output_tokens = 3, .seed = {}};
  const OwnerReference lact = RunSerialReference(LoadModelProfile("lact-tiny").value(), r, Seed{7});
  ASSERT_EQ(lact.steps.size(), 6u);
  EXPECT_EQ(lact.steps[0].out_digest, 0x0a769df8ad71407eull);
  EXPECT_EQ(lact.steps[1].state_digest, 0x4c968d9b9979e035ull);
  EXPECT_EQ(lact.steps[5].out_digest, 0xacf85d39d57c22c4ull);
  const OwnerReference low_rank =
      RunSerialReference(LoadModelProfile("low-rank-tiny").value(), r, Seed{7});
  ASSERT_EQ(low_rank.steps.size(), 6u);
  EXPECT_EQ(low_rank.steps[0].out_digest, 0x1960d0ab5b5068b2ull);
  EXPECT_EQ(low_rank.steps[1].state_digest, 0x19e8188d33f28792ull);
  EXPECT_EQ(low_rank.steps[5].out_digest, 0x6ca82c3cef5576a9ull);
}

}  // namespace
}  // namespace rwttt
