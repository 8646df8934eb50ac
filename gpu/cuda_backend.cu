// The CUDA instantiation of the batched backend: device detection, then the same Thrust source as
// the omp backend on the CUDA system, one output element per thread. Kernels live in
// gpu/internal/*.cuh; this file only validates, dispatches and launches.
#include <cuda_runtime.h>
#include <thrust/system/cuda/execution_policy.h>
#include <thrust/system/cuda/vector.h>

#include "core/host_memory.h"
#include "gpu/cuda_backend.h"
#include "gpu/internal/batched_backend.cuh"

namespace rwttt::gpu {
namespace {

struct CudaSystem {
  template <typename T>
  using Vector = thrust::cuda::vector<T>;
  template <typename T>
  using StateVector = Vector<T>;  // device memory is not faulted in: zeroing it is cheap
  template <typename A>
  using Activation = A;  // scratch in the dtype itself: half the bytes through device memory
  static constexpr const char* kName = "cuda";
  static constexpr bool kHostMemory = false;
  // One output element per thread: neighbouring threads read neighbouring columns (coalesced).
  static constexpr int kUpCols = 1;
  static constexpr int kUpToks = 1;
  static constexpr int kDownCols = 1;
  static constexpr int kDownToks = 1;
  static constexpr int kLactReadToks = 1;  // one LaCT token and head per thread
  static constexpr int kUpdateRows = 1;
  static constexpr int kFingerprintLanes = 1;
  static constexpr std::uint32_t kTokenElems = 4;  // one Philox block per thread
  static constexpr int kUpdateCols = 1;
  static auto Policy() { return thrust::cuda::par; }
  static Status CheckMemory(std::uint64_t bytes, std::string_view what) {
    std::size_t free = 0, total = 0;
    const cudaError_t e = cudaMemGetInfo(&free, &total);
    if (e != cudaSuccess) {
      return Error::Unavailable(std::string(what) + ": cudaMemGetInfo: " + cudaGetErrorString(e));
    }
    return CheckMemoryFits(bytes, free, what, "free device memory");
  }
  static void SetThreads(int) {}
};

}  // namespace

bool CudaCompiledIn() { return true; }

Result<std::string> ProbeCudaDevice() {
  int count = 0;
  const cudaError_t e = cudaGetDeviceCount(&count);
  if (e != cudaSuccess) {
    return Error::Unavailable(std::string("no CUDA device answers: ") + cudaGetErrorString(e));
  }
  if (count == 0) return Error::Unavailable("no CUDA device answers: the driver reports none");
  cudaDeviceProp prop{};
  const cudaError_t p = cudaGetDeviceProperties(&prop, 0);
  if (p != cudaSuccess) {
    return Error::Unavailable(std::string("CUDA device 0: ") + cudaGetErrorString(p));
  }
  return std::string(prop.name);
}

Result<std::unique_ptr<Backend>> MakeCudaBackend() {
  RWTTT_ASSIGN_OR_RETURN(std::string device, ProbeCudaDevice());
  (void)device;
  return std::unique_ptr<Backend>(
      std::make_unique<internal::BatchedBackend<CudaSystem>>(/*threads=*/0));
}

}  // namespace rwttt::gpu
