// The cuda backend runs the batch-invariance properties of the omp backend on the device. With no
// device answering (or no CUDA in this build) each test skips and says why.
#include "gpu/cuda_backend.h"

#include <memory>

#include "tests/gpu/backend_harness.h"
#include "tests/support/property.h"

namespace rwttt {
namespace {

std::unique_ptr<Backend> CudaOrSkipReason(std::string& reason) {
  Result<std::unique_ptr<Backend>> cuda = gpu::MakeCudaBackend();
  if (!cuda.ok()) {
    reason = cuda.error().message;
    return nullptr;
  }
  return std::move(cuda).value();
}

TEST(CudaBackend, RandomBatchesEqualSerialReference) {
  std::string reason;
  std::unique_ptr<Backend> cuda = CudaOrSkipReason(reason);
  if (!cuda) GTEST_SKIP() << reason;
  EXPECT_TRUE(rc::check("cuda in random batches equals the serial reference", [&] {
    testing::RcAssertMatchesSerialReference(*cuda, *testing::GenKernelCase());
  }));
}

TEST(CudaBackend, AppliesItemsSharingASlotInItemOrder) {
  std::string reason;
  std::unique_ptr<Backend> cuda = CudaOrSkipReason(reason);
  if (!cuda) GTEST_SKIP() << reason;
  EXPECT_TRUE(rc::check("cuda applies items sharing a slot in item order", [&] {
    ModelProfile model = testing::SmallProfile(*rc::gen::inRange<std::uint32_t>(1, 17),
                                               *rc::gen::inRange<std::uint32_t>(1, 17), 2, 3,
                                               DType::kBf16, DType::kBf16, 0.5f);
    testing::GenStateKind(model);
    testing::RcAssertSharedSlotItemsMatchCpu(*cuda, model);
  }));
}

TEST(CudaBackend, ProbeExplainsAbsence) {
  const Result<std::string> device = gpu::ProbeCudaDevice();
  if (device.ok()) {
    EXPECT_FALSE(device->empty());
  } else {
    EXPECT_NE(
        device.error().message.find(gpu::CudaCompiledIn() ? "no CUDA device" : "without CUDA"),
        std::string::npos)
        << device.error().message;
  }
}

}  // namespace
}  // namespace rwttt
