// The `cuda` backend: the batched Thrust kernels on Thrust's CUDA system, built by nvcc
// (--fmad=false) when the CUDA toolkit is found at configure time. Bit-identical to `cpu`.
//
//   Result<std::string> device = ProbeCudaDevice();   // "NVIDIA H100 80GB HBM3", or why not
//   RWTTT_ASSIGN_OR_RETURN(auto cuda, MakeCudaBackend());
#pragma once

#include <memory>
#include <string>

#include "core/backend.h"
#include "core/result.h"

namespace rwttt::gpu {

// Whether this build has the cuda backend at all (nvcc was found at configure time).
bool CudaCompiledIn();

// The name of CUDA device 0 when one answers; else an Unavailable error saying why: not compiled
// in, no driver ("CUDA driver version is insufficient" is how a machine without a GPU answers),
// or no device.
Result<std::string> ProbeCudaDevice();

// The cuda backend on device 0, or ProbeCudaDevice()'s error.
Result<std::unique_ptr<Backend>> MakeCudaBackend();

}  // namespace rwttt::gpu
