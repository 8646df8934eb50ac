// Backends by name: what `--backend` accepts (DESIGN §4, §8). "cpu" is the reference (one thread),
// "omp" the multi-threaded Thrust build, "cuda" the GPU build, "auto" cuda when a device answers,
// else cpu for a model too small to share between threads, else omp.
//
//   RWTTT_ASSIGN_OR_RETURN(BackendChoice choice, MakeBackend("auto", {.threads = 2}));
//   std::fprintf(stderr, "%s\n", choice.note.c_str());  // "backend: omp (no CUDA device ...)"
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/backend.h"
#include "core/model_profile.h"
#include "core/result.h"

namespace rwttt::gpu {

struct BackendOptions {
  // omp: OpenMP threads (0: OMP_NUM_THREADS, else one per core). Ignored by cpu and cuda.
  int threads = 0;
  // The model the backend will run, for auto and the note. When it is In-Place TTT or LaCT with
  // less work per token than omp shares between threads (RunsOnCpuKernels), auto without a CUDA
  // device picks cpu, and omp runs it on the cpu backend's kernels (its batched ones are slower at
  // that size) and says so; otherwise auto picks omp. Null: auto picks omp, and the note says
  // nothing of the model.
  const ModelProfile* model = nullptr;
};

struct BackendChoice {
  std::unique_ptr<Backend> backend;
  // One line saying which backend runs and why, e.g. "backend: omp (auto: no CUDA device answers:
  // CUDA driver version is insufficient for CUDA runtime version)". Callers print it on stderr.
  std::string note;
};

// The backend called `name`: "cpu", "omp", "cuda" or "auto". Errors (exit 2 material): an
// unknown name (the message lists the names), "cuda" with no device or no CUDA in this build (the
// message says which), threads < 0. A state too large for memory fails later, in Reset().
Result<BackendChoice> MakeBackend(std::string_view name, const BackendOptions& options = {});

struct BackendInfo {
  std::string name;
  bool available = false;
  std::string detail;  // what it is, the device, or why it is unavailable
};

// Every backend name but "auto", in the order cpu, omp, cuda, each with whether it can run here.
std::vector<BackendInfo> ListBackends();

// The names MakeBackend accepts: cpu, omp, cuda, auto.
std::vector<std::string> BackendNames();

}  // namespace rwttt::gpu
