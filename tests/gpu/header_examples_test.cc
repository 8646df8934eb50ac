// Every gpu/ header's opening example, verbatim between `// example: H` and `// end example`,
// given the variables it names and run (tests/headers/check_header_examples.py keeps the copies
// equal to the headers). A build or machine without CUDA runs them too: where an example asks for
// the cuda backend, the test accepts a device or the error that says why there is none.
// clang-format is off around each example: it keeps its header's layout, line for line.
#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "core/model_profile.h"
#include "gpu/backend_registry.h"
#include "gpu/cuda_backend.h"
#include "gpu/omp_backend.h"

namespace rwttt::gpu {
namespace {

// Whether `message` is one of the ways ProbeCudaDevice() says there is no cuda backend here.
bool IsNoCudaMessage(const std::string& message) {
  if (!CudaCompiledIn()) {
    return message ==
           "this rwttt was built without CUDA (no nvcc at configure time; see RWTTT_CUDA)";
  }
  return message.starts_with("no CUDA device answers: ") || message.starts_with("CUDA device 0: ");
}

TEST(HeaderExample, GpuBackendRegistry) {
  std::string note;
  auto example = [&]() -> Status {
    // clang-format off
    // example: gpu/backend_registry.h
    RWTTT_ASSIGN_OR_RETURN(BackendChoice choice, MakeBackend("auto", {.threads = 2}));
    std::fprintf(stderr, "%s\n", choice.note.c_str());  // "backend: omp (no CUDA device ...)"
    // end example
    // clang-format on
    EXPECT_NE(choice.backend, nullptr);
    note = choice.note;
    return OkStatus();
  };
  ASSERT_TRUE(example().ok());
  const Result<std::string> device = ProbeCudaDevice();
  if (device.ok()) {
    EXPECT_EQ(note, "backend: cuda (auto: " + *device + ")");
  } else {
    EXPECT_EQ(note, "backend: omp (auto: " + device.error().message + ")");
  }
}

TEST(HeaderExample, GpuCudaBackend) {
  std::unique_ptr<Backend> made;
  Result<std::string> probed = Error::Usage("not probed");
  auto example = [&]() -> Status {
    // clang-format off
    // example: gpu/cuda_backend.h
    Result<std::string> device = ProbeCudaDevice();   // "NVIDIA H100 80GB HBM3", or why not
    RWTTT_ASSIGN_OR_RETURN(auto cuda, MakeCudaBackend());
    // end example
    // clang-format on
    probed = std::move(device);
    made = std::move(cuda);
    return OkStatus();
  };
  const Status s = example();
  if (s.ok()) {  // a device answered: the backend exists and the probe named it
    ASSERT_TRUE(probed.ok());
    EXPECT_FALSE(probed->empty());
    EXPECT_NE(made, nullptr);
  } else {  // no device, or no CUDA in this build: MakeCudaBackend() says which
    EXPECT_EQ(s.error().code, ErrorCode::kUnavailable);
    EXPECT_TRUE(IsNoCudaMessage(s.error().message)) << s.error().message;
  }
}

TEST(HeaderExample, GpuOmpBackend) {
  const ModelProfile model = LoadModelProfile("tiny").value();
  const std::uint32_t num_slots = 2;
  std::unique_ptr<Backend> reset;
  auto example = [&]() -> Status {
    // clang-format off
    // example: gpu/omp_backend.h
    std::unique_ptr<Backend> omp = MakeOmpBackend(/*threads=*/2);
    RWTTT_TRY(omp->Reset(model, num_slots, Seed{7}));
    // end example
    // clang-format on
    reset = std::move(omp);
    return OkStatus();
  };
  EXPECT_TRUE(example().ok());
  ASSERT_NE(reset, nullptr);
}

}  // namespace
}  // namespace rwttt::gpu
