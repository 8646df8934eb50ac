// Backends by name, and `rwttt backends` / bad --backend names on the command line.
#include "gpu/backend_registry.h"

#include <gtest/gtest.h>

#include <memory>

#include "core/cpu_backend.h"
#include "core/model_profile.h"
#include "gpu/cuda_backend.h"
#include "gpu/omp_backend.h"
#include "tests/support/test_files.h"

namespace rwttt::gpu {
namespace {

TEST(MakeBackend, MakesEachNamedBackend) {
  for (const char* name : {"cpu", "omp"}) {
    Result<BackendChoice> b = MakeBackend(name);
    ASSERT_TRUE(b.ok()) << name;
    EXPECT_EQ(b->backend->name(), name);
    EXPECT_NE(b->note.find(name), std::string::npos);
  }
}

TEST(MakeBackend, RejectsUnknownNameListingTheKnownOnes) {
  Result<BackendChoice> b = MakeBackend("tpu");
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.error().message.find("unknown backend 'tpu'"), std::string::npos);
  EXPECT_NE(b.error().message.find("cpu, omp, cuda or auto"), std::string::npos);
}

TEST(MakeBackend, RejectsNegativeThreads) {
  EXPECT_FALSE(MakeBackend("omp", {.threads = -1}).ok());
}

TEST(MakeBackend, AutoPicksCudaWhenADeviceAnswersElseOmpAndSaysWhy) {
  Result<BackendChoice> b = MakeBackend("auto");
  ASSERT_TRUE(b.ok());
  const Result<std::string> device = ProbeCudaDevice();
  if (device.ok()) {
    EXPECT_EQ(b->backend->name(), "cuda");
  } else {
    EXPECT_EQ(b->backend->name(), "omp");
    EXPECT_NE(b->note.find(device.error().message), std::string::npos) << b->note;
  }
}

TEST(MakeBackend, AutoWithoutDevicePicksCpuForAModelTooSmallToShareAndSaysWhy) {
  if (ProbeCudaDevice().ok()) GTEST_SKIP() << "a CUDA device answers: auto picks cuda";
  const ModelProfile tiny = LoadModelProfile("tiny").value();
  const ModelProfile small = LoadModelProfile("small").value();
  ASSERT_LT(tiny.token_multiply_adds(), kOmpInlineWork);
  ASSERT_GE(small.token_multiply_adds(), kOmpInlineWork);
  Result<BackendChoice> b = MakeBackend("auto", {.model = &tiny});
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->backend->name(), "cpu");
  EXPECT_NE(b->note.find("model tiny does 2048 multiply-adds per token"), std::string::npos)
      << b->note;
  Result<BackendChoice> s = MakeBackend("auto", {.model = &small});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->backend->name(), "omp") << s->note;
  // Low-rank as small keeps omp: its batched functors were the faster (RunsOnCpuKernels).
  const ModelProfile low_rank = LoadModelProfile("low-rank-tiny").value();
  Result<BackendChoice> l = MakeBackend("auto", {.model = &low_rank});
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->backend->name(), "omp") << l->note;
}

// omp runs an In-Place TTT or LaCT model too small to share on the cpu backend's kernels (the
// batched ones took twice as long on `tiny`, at every batch size measured) and says so; larger
// models, low-rank, or a threshold of 0 keep the batched kernels. The bits are the same either way
// (batched_backend_test.cc).
TEST(MakeBackend, OmpRunsAModelTooSmallToShareOnTheCpuKernelsAndSaysSo) {
  const ModelProfile tiny = LoadModelProfile("tiny").value();
  const ModelProfile small = LoadModelProfile("small").value();
  EXPECT_TRUE(RunsOnCpuKernels(tiny));
  EXPECT_FALSE(RunsOnCpuKernels(tiny, /*inline_work=*/0));
  EXPECT_FALSE(RunsOnCpuKernels(small));
  // LaCT's small models too; low-rank's batched functors beat the cpu backend's (measured).
  const ModelProfile lact = LoadModelProfile("lact-tiny").value();
  const ModelProfile low_rank = LoadModelProfile("low-rank-tiny").value();
  ASSERT_LT(lact.token_multiply_adds(), kOmpInlineWork);
  ASSERT_LT(low_rank.token_multiply_adds(), kOmpInlineWork);
  EXPECT_TRUE(RunsOnCpuKernels(lact));
  EXPECT_FALSE(RunsOnCpuKernels(low_rank));
  Result<BackendChoice> t = MakeBackend("omp", {.model = &tiny});
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->backend->name(), "omp");
  EXPECT_NE(t->note.find("model tiny does 2048 multiply-adds per token, below the 262144"),
            std::string::npos)
      << t->note;
  EXPECT_NE(t->note.find("runs the cpu backend's kernels"), std::string::npos) << t->note;
  Result<BackendChoice> s = MakeBackend("omp", {.model = &small});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->note, "backend: omp (Thrust on OpenMP)");
}

TEST(MakeBackend, CudaWithoutDeviceIsAnErrorSayingWhy) {
  const Result<std::string> device = ProbeCudaDevice();
  if (device.ok()) GTEST_SKIP() << "a CUDA device answers: " << *device;
  Result<BackendChoice> b = MakeBackend("cuda");
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(b.error().message.find(device.error().message), std::string::npos);
}

TEST(MakeBackend, StateLargerThanHostMemoryFailsInReset) {
  ModelProfile huge = LoadModelProfile("inplace-ttt-4b").value();
  for (const char* name : {"cpu", "omp"}) {
    Result<BackendChoice> b = MakeBackend(name);
    ASSERT_TRUE(b.ok());
    const Status s = b->backend->Reset(huge, /*num_slots=*/4096, Seed{1});
    ASSERT_FALSE(s.ok()) << name;
    EXPECT_EQ(s.error().code, ErrorCode::kUnavailable);
    EXPECT_NE(s.error().message.find("GiB of host memory"), std::string::npos) << s.error().message;
  }
  // omp on a model it runs on the cpu kernels names itself, and is usable once Reset succeeds.
  const ModelProfile tiny = LoadModelProfile("tiny").value();
  std::unique_ptr<Backend> omp = MakeOmpBackend(2);
  const Status s = omp->Reset(tiny, /*num_slots=*/4'000'000'000u, Seed{1});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(s.error().message.rfind("backend omp (on the cpu backend's kernels): model tiny", 0),
            0u)
      << s.error().message;
  ASSERT_TRUE(omp->Reset(tiny, /*num_slots=*/1, Seed{1}).ok());
  omp->InitSlot(0);
  CpuBackend cpu;
  ASSERT_TRUE(cpu.Reset(tiny, 1, Seed{1}).ok());
  cpu.InitSlot(0);
  EXPECT_EQ(omp->StateDigest(0), cpu.StateDigest(0));
}

TEST(ListBackends, ListsCpuOmpCudaWithAvailability) {
  const std::vector<BackendInfo> list = ListBackends();
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0].name, "cpu");
  EXPECT_TRUE(list[0].available);
  EXPECT_EQ(list[1].name, "omp");
  EXPECT_TRUE(list[1].available);
  EXPECT_EQ(list[2].name, "cuda");
  EXPECT_EQ(list[2].available, ProbeCudaDevice().ok());
  EXPECT_FALSE(list[2].detail.empty());
}

TEST(BackendsCommand, ListsBackendsAndTheAutoChoice) {
  const testing::CliRun r = testing::RunCli({"backends"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("cpu"), std::string::npos);
  EXPECT_NE(r.out.find("omp"), std::string::npos);
  EXPECT_NE(r.out.find("cuda"), std::string::npos);
  EXPECT_NE(r.out.find("auto"), std::string::npos) << r.out;
}

// --check with --model chooses the backend for that model, as replay does, and says why.
TEST(BackendsCommand, CheckWithAModelChoosesForThatModel) {
  const testing::CliRun omp = testing::RunCli({"backends", "--check", "omp", "--model", "tiny"});
  EXPECT_EQ(omp.exit_code, 0) << omp.err;
  EXPECT_NE(omp.err.find("runs the cpu backend's kernels"), std::string::npos) << omp.err;
  EXPECT_EQ(omp.out, "omp: ok, 1 slots of model tiny allocated\n");
  if (ProbeCudaDevice().ok()) return;  // auto picks cuda whatever the model
  const testing::CliRun tiny = testing::RunCli({"backends", "--check", "auto", "--model", "tiny"});
  EXPECT_EQ(tiny.exit_code, 0) << tiny.err;
  EXPECT_EQ(tiny.out, "cpu: ok, 1 slots of model tiny allocated\n");
  const testing::CliRun small =
      testing::RunCli({"backends", "--check", "auto", "--model", "small"});
  EXPECT_EQ(small.exit_code, 0) << small.err;
  EXPECT_EQ(small.out, "omp: ok, 1 slots of model small allocated\n");
}

TEST(BackendsCommand, CheckOfUnknownBackendExitsTwo) {
  const testing::CliRun r = testing::RunCli({"backends", "--check", "tpu"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown backend 'tpu'"), std::string::npos) << r.err;
}

TEST(BackendsCommand, CheckOfCudaWithoutDeviceExitsTwo) {
  if (ProbeCudaDevice().ok()) GTEST_SKIP() << "a CUDA device answers";
  const testing::CliRun r = testing::RunCli({"backends", "--check", "cuda"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--backend cuda"), std::string::npos) << r.err;
}

TEST(BackendsCommand, CheckOfModelTooLargeForMemoryExitsTwo) {
  const testing::CliRun r = testing::RunCli(
      {"backends", "--check", "omp", "--model", "inplace-ttt-4b", "--slots", "4096"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("host memory"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace rwttt::gpu
