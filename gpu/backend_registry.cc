#include "gpu/backend_registry.h"

#include <fmt/format.h>

#include "core/cpu_backend.h"
#include "gpu/cuda_backend.h"
#include "gpu/omp_backend.h"

namespace rwttt::gpu {
namespace {

// Why a model runs on the cpu backend's kernels (RunsOnCpuKernels), for the backend's note.
std::string TooSmallToShare(const ModelProfile& model) {
  return fmt::format(
      "model {} does {} multiply-adds per token, below the {} at which omp shares work between "
      "threads",
      model.name, model.token_multiply_adds(), kOmpInlineWork);
}

}  // namespace

std::vector<std::string> BackendNames() { return {"cpu", "omp", "cuda", "auto"}; }

Result<BackendChoice> MakeBackend(std::string_view name, const BackendOptions& options) {
  if (options.threads < 0) {
    return Error::Usage(fmt::format("--threads must be >= 0, found {}", options.threads));
  }
  if (name == "cpu") {
    return BackendChoice{std::make_unique<CpuBackend>(),
                         "backend: cpu (the reference, one thread)"};
  }
  if (name == "omp") {
    if (options.model != nullptr && RunsOnCpuKernels(*options.model)) {
      return BackendChoice{
          MakeOmpBackend(options.threads),
          fmt::format("backend: omp ({}: it runs the cpu backend's kernels on the calling thread)",
                      TooSmallToShare(*options.model))};
    }
    return BackendChoice{MakeOmpBackend(options.threads), "backend: omp (Thrust on OpenMP)"};
  }
  if (name == "cuda") {
    Result<std::unique_ptr<Backend>> cuda = MakeCudaBackend();
    if (!cuda.ok()) {
      return Error::Unavailable(
          fmt::format("--backend cuda: {} (use --backend auto or omp)", cuda.error().message));
    }
    return BackendChoice{std::move(cuda).value(),
                         fmt::format("backend: cuda ({})", ProbeCudaDevice().value())};
  }
  if (name == "auto") {
    Result<std::unique_ptr<Backend>> cuda = MakeCudaBackend();
    if (cuda.ok()) {
      return BackendChoice{std::move(cuda).value(),
                           fmt::format("backend: cuda (auto: {})", ProbeCudaDevice().value())};
    }
    if (options.model != nullptr && RunsOnCpuKernels(*options.model)) {
      return BackendChoice{std::make_unique<CpuBackend>(),
                           fmt::format("backend: cpu (auto: {}; {})", cuda.error().message,
                                       TooSmallToShare(*options.model))};
    }
    return BackendChoice{MakeOmpBackend(options.threads),
                         fmt::format("backend: omp (auto: {})", cuda.error().message)};
  }
  return Error::Usage(fmt::format("unknown backend '{}' (expected cpu, omp, cuda or auto)", name));
}

std::vector<BackendInfo> ListBackends() {
  std::vector<BackendInfo> list;
  list.push_back({"cpu", true, "the reference, one thread; the serial reference runs on it"});
  list.push_back(
      {"omp", true, "Thrust on OpenMP, multi-threaded (--threads N or OMP_NUM_THREADS)"});
  Result<std::string> device = ProbeCudaDevice();
  list.push_back({"cuda", device.ok(),
                  device.ok() ? "Thrust on CUDA, device 0: " + *device : device.error().message});
  return list;
}

}  // namespace rwttt::gpu
