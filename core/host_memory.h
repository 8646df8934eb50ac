// How much host memory a backend may take, so that a state that cannot fit fails with a message
// (exit 2) instead of the kernel's out-of-memory killer.
//
//   RWTTT_TRY(CheckHostMemory(bytes, "8 slots of model medium"));
//   AvailableHostMemoryBytes();  // MemAvailable from /proc/meminfo
#pragma once

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

}  // namespace rwttt
