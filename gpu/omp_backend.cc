// The OpenMP instantiation of the batched backend. Compiled by the host compiler with -fopenmp and
// THRUST_DEVICE_SYSTEM=THRUST_DEVICE_SYSTEM_OMP; explicit thrust::omp types keep it distinct from
// the CUDA instantiation linked into the same program.
#include "gpu/omp_backend.h"

#include <omp.h>
#include <thrust/mr/allocator.h>
#include <thrust/mr/fancy_pointer_resource.h>
#include <thrust/mr/memory_resource.h>
#include <thrust/system/omp/execution_policy.h>
#include <thrust/system/omp/vector.h>

#include <variant>

#include "core/cpu_backend.h"
#include "core/host_memory.h"
#include "gpu/internal/batched_backend.cuh"

namespace rwttt::gpu {
namespace {

// The "device" memory of the omp system: host memory in huge pages (AllocateHostPages), so that a
// slot's first touch costs a fault per 2 MiB rather than per 4 KiB.
class HugePageResource final : public thrust::mr::memory_resource<> {
 public:  // fancy_pointer_resource calls these directly
  void* do_allocate(std::size_t bytes, std::size_t) override { return AllocateHostPages(bytes); }
  void do_deallocate(void* p, std::size_t bytes, std::size_t) override { FreeHostPages(p, bytes); }
};
using OmpResource =
    thrust::mr::fancy_pointer_resource<HugePageResource, thrust::omp::pointer<void>>;
template <typename T>
using OmpAllocator = thrust::mr::stateless_resource_allocator<T, OmpResource>;

// OmpAllocator whose vectors leave new elements unwritten. Only for the slots' states: InitSlot
// writes a slot before anything reads it, and value-initialising them all at Reset made the kernel
// fault in and zero every slot's pages, used or not (19 GB, a sixth of the README's LaCT replay's
// time, for the 10 owners it held at once).
template <typename T>
struct UninitialisedAllocator : OmpAllocator<T> {
  template <typename U>
  struct rebind {
    using other = UninitialisedAllocator<U>;
  };
  UninitialisedAllocator() = default;
  template <typename U>
  UninitialisedAllocator(const UninitialisedAllocator<U>&) noexcept {}
  // Thrust default-constructs each new element through this member when there is one.
  void construct(T*) noexcept {}
};

struct OmpSystem {
  template <typename T>
  using Vector = thrust::omp::vector<T, OmpAllocator<T>>;
  template <typename T>
  using StateVector = thrust::omp::vector<T, UninitialisedAllocator<T>>;
  // Activations in fp32 scratch (rounded to the dtype as they are stored): the register tiles
  // load and broadcast them without widening bf16 at every use.
  template <typename A>
  using Activation = float;
  static constexpr const char* kName = "omp";
  static constexpr bool kHostMemory = true;  // "device" pointers are host pointers
  // Wide tiles: W_up is read once per 16 tokens of the batch; a slot's fast weight once per tile
  // of up to 4 of its tokens, in column blocks of up to 1024 (whole rows for d_model <= 1024);
  // the column loops vectorize.
  static constexpr int kUpCols = 64;
  static constexpr int kUpToks = 16;
  static constexpr int kDownCols = 1024;
  static constexpr int kDownToks = 4;
  // A LaCT head's state is read once per run of up to 16 tokens of its slot (LactReadTokens).
  static constexpr int kLactReadToks = kLactReadLanes;
  static constexpr int kUpdateRows = 16;
  static constexpr int kFingerprintLanes = 8;
  static constexpr std::uint32_t kTokenElems = 1u << 30;  // a whole row per call
  static constexpr int kUpdateCols = 64;
  static auto Policy() { return thrust::omp::par; }
  static Status CheckMemory(std::uint64_t bytes, std::string_view what) {
    return CheckHostMemory(bytes, what);
  }
  static void SetThreads(int threads) {
    if (threads > 0) omp_set_num_threads(threads);
  }
  static int Threads() { return omp_get_max_threads(); }
};

// The backend `omp` names: the batched kernels on OmpSystem, or, for an In-Place TTT or LaCT
// model whose one token is below the inline threshold (RunsOnCpuKernels), the cpu backend's,
// which ran such models faster (docs/performance.md#omp-and-cpu). Which one is decided at each
// Reset; the results are the same bits either way.
class OmpBackend final : public Backend {
 public:
  OmpBackend(int threads, std::uint64_t inline_work)
      : threads_(threads), inline_work_(inline_work) {}

  std::string_view name() const override { return "omp"; }
  Status Reset(const ModelProfile& model, std::uint32_t num_slots, Seed seed) override {
    kernels_.reset();  // the old model's memory goes before the new model's is taken
    const bool cpu = RunsOnCpuKernels(model, inline_work_);
    if (cpu) {
      kernels_ = std::make_unique<CpuBackend>("omp (on the cpu backend's kernels)");
    } else {
      kernels_ = std::make_unique<internal::BatchedBackend<OmpSystem>>(threads_, inline_work_);
    }
    Status status = kernels_->Reset(model, num_slots, seed);
    if (!status.ok()) kernels_.reset();  // used again before a Reset succeeds: Kernels() says so
    return status;
  }
  void InitSlot(std::uint32_t slot) override { Kernels().InitSlot(slot); }
  void RunBatch(std::span<const BatchItem> items, std::span<ItemResult> results) override {
    Kernels().RunBatch(items, results);
  }
  std::uint64_t StateDigest(std::uint32_t slot) override { return Kernels().StateDigest(slot); }
  void CopySlot(std::uint32_t from, std::uint32_t to) override { Kernels().CopySlot(from, to); }
  void CopyLayers(std::uint32_t from, std::uint32_t to, std::uint32_t first,
                  std::uint32_t end) override {
    Kernels().CopyLayers(from, to, first, end);
  }

 private:
  Backend& Kernels() {
    RWTTT_CHECK(kernels_ != nullptr) << "backend omp used before Reset";
    return *kernels_;
  }

  int threads_;
  std::uint64_t inline_work_;
  std::unique_ptr<Backend> kernels_;  // set by Reset
};

}  // namespace

bool RunsOnCpuKernels(const ModelProfile& model, std::uint64_t inline_work) {
  // Measured per kind on small models (docs/performance.md#omp-and-cpu): low-rank's batched
  // functors beat the cpu backend's even on one-item batches; In-Place TTT's and LaCT's lost there.
  return !std::holds_alternative<LowRankKind>(model.state_kind) &&
         model.token_multiply_adds() < inline_work;
}

std::unique_ptr<Backend> MakeOmpBackend(int threads, std::uint64_t inline_work) {
  return std::make_unique<OmpBackend>(threads, inline_work);
}

}  // namespace rwttt::gpu
