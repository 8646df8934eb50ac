// How much host memory a backend may take, so that a state that cannot fit fails with a message
// (exit 2) instead of the kernel's out-of-memory killer.
//
//   RWTTT_TRY(CheckHostMemory(bytes, "8 slots of model medium"));
//   AvailableHostMemoryBytes();  // MemAvailable from /proc/meminfo
//   std::vector<float, HugePageAllocator<float>> state(n);  // large: in huge pages
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/result.h"

namespace rwttt {

// MemAvailable from /proc/meminfo, else the physical memory size (sysconf), in bytes.
std::uint64_t AvailableHostMemoryBytes();

// OK when `bytes` fits in the available host memory; else an Unavailable error naming `what`,
// the bytes it needs and the bytes available.
Status CheckHostMemory(std::uint64_t bytes, std::string_view what);

// OK when bytes <= available; else "WHAT needs X GiB of MEMORY; Y GiB available" (Unavailable).
Status CheckMemoryFits(std::uint64_t bytes, std::uint64_t available, std::string_view what,
                       std::string_view memory);

// `bytes` of raw memory, aligned to 2 MiB and advised into transparent huge pages when the kernel
// offers them on request ("madvise" mode), when bytes >= 2 MiB; plain operator new below that.
// Touching fresh memory costs a page fault per page, and on a virtual machine each fault is
// expensive: a state of hundreds of MB costs 512 times fewer faults in 2 MiB pages. Throws
// std::bad_alloc. Free with FreeHostPages(p, bytes).
void* AllocateHostPages(std::size_t bytes);
void FreeHostPages(void* p, std::size_t bytes) noexcept;

// A std::allocator for the large arrays of host backends (states, shared weights): their pages
// come from AllocateHostPages.
template <typename T>
struct HugePageAllocator {
  using value_type = T;
  HugePageAllocator() = default;
  template <typename U>
  HugePageAllocator(const HugePageAllocator<U>&) noexcept {}
  T* allocate(std::size_t n) { return static_cast<T*>(AllocateHostPages(n * sizeof(T))); }
  void deallocate(T* p, std::size_t n) noexcept { FreeHostPages(p, n * sizeof(T)); }
  template <typename U>
  bool operator==(const HugePageAllocator<U>&) const noexcept {
    return true;
  }
};

}  // namespace rwttt
