#include "core/host_memory.h"

#include <fmt/format.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <new>
#include <string>

#include "core/units.h"

namespace rwttt {

std::uint64_t AvailableHostMemoryBytes() {
  std::ifstream meminfo("/proc/meminfo");
  std::string key;
  std::uint64_t kib = 0;
  std::string unit;
  while (meminfo >> key >> kib >> unit) {
    if (key == "MemAvailable:") return kib * 1024;
  }
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page = sysconf(_SC_PAGE_SIZE);
  return pages > 0 && page > 0 ? static_cast<std::uint64_t>(pages) * page : 0;
}

namespace {
constexpr std::size_t kHugePage = std::size_t{2} << 20;
}  // namespace

void* AllocateHostPages(std::size_t bytes) {
  if (bytes < kHugePage) return ::operator new(bytes);
  const std::size_t rounded = (bytes + kHugePage - 1) / kHugePage * kHugePage;
  void* p = std::aligned_alloc(kHugePage, rounded);
  if (p == nullptr) throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
  madvise(p, rounded, MADV_HUGEPAGE);  // advice only: without it the pages are small
#endif
  return p;
}

void FreeHostPages(void* p, std::size_t bytes) noexcept {
  if (bytes < kHugePage) {
    ::operator delete(p);
  } else {
    std::free(p);
  }
}

Status CheckHostMemory(std::uint64_t bytes, std::string_view what) {
  return CheckMemoryFits(bytes, AvailableHostMemoryBytes(), what, "host memory");
}

Status CheckMemoryFits(std::uint64_t bytes, std::uint64_t available, std::string_view what,
                       std::string_view memory) {
  if (bytes <= available) return OkStatus();
  return Error::Unavailable(fmt::format("{} needs {:.3f} GiB of {}; {:.3f} GiB available", what,
                                        bytes / kBytesPerGib, memory, available / kBytesPerGib));
}

}  // namespace rwttt
