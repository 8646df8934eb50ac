// The cuda backend of a build without nvcc: it exists only to say why it cannot run.
#include "gpu/cuda_backend.h"

namespace rwttt::gpu {

bool CudaCompiledIn() { return false; }

Result<std::string> ProbeCudaDevice() {
  return Error::Unavailable(
      "this rwttt was built without CUDA (no nvcc at configure time; see RWTTT_CUDA)");
}

Result<std::unique_ptr<Backend>> MakeCudaBackend() { return ProbeCudaDevice().error(); }

}  // namespace rwttt::gpu
