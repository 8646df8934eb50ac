// Hardware profiles: what the cost model needs to know of a device (DESIGN §5).
//
//   RWTTT_ASSIGN_OR_RETURN(HardwareProfile hw, LoadHardwareProfile("h100-sxm"));
//   hw.memory_bytes();  // the default memory budget
//
// JSON fields (docs/formats.md#hardware-profile): name, memory_bandwidth_gbs, peak_tflops_bf16,
// peak_tflops_fp32, memory_gib, launch_overhead_ns, layer_overhead_ns; optional,
// write_peak_tflops (the rate WRITEs reach, when a calibration found it differs); host_memory_gib
// and host_link_gbs, together (the host tier states may be offloaded to); cache_mib and
// cache_bandwidth_gbs, together (a last-level cache that serves what recent batches touched);
// and, optional and ignored by the cost model, the calibration `rwttt calibrate` records
// (docs/calibration.md).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/dtype.h"
#include "core/result.h"
#include "core/units.h"

namespace rwttt {

// The physical range of each field (docs/formats.md#hardware-profile): from a slow host to well
// beyond any device, so that durations stay within 64-bit nanoseconds.
inline constexpr double kMinBandwidthGbs = 0.1;
inline constexpr double kMaxBandwidthGbs = 1e6;
inline constexpr double kMinTflops = 0.001;
inline constexpr double kMaxTflops = 1e6;
inline constexpr double kMinMemoryGib = 1.0 / 1024;  // 1 MiB
inline constexpr double kMaxMemoryGib = 1e6;
inline constexpr std::int64_t kMaxOverheadNs = 1'000'000'000;
inline constexpr double kMinCacheMib = 1.0 / 1024;  // 1 KiB
inline constexpr double kMaxCacheMib = 1e6;

struct HardwareProfile {
  std::string name;
  double memory_bandwidth_gbs = 0;  // sustained device-memory bandwidth, 1e9 bytes/s
  double peak_tflops_bf16 = 0;      // dense tensor-core peak, 1e12 FLOP/s
  double peak_tflops_fp32 = 0;
  double memory_gib = 0;                // device memory, 2^30 bytes
  std::int64_t launch_overhead_ns = 0;  // fixed cost of one batch launch
  std::int64_t layer_overhead_ns = 0;   // per-layer framework cost inside a launch
  // The FLOP rate WRITE kernels reach, 1e12 FLOP/s, where it differs from the READ's (their
  // GEMMs have other shapes); 0: the peak of the model's dtype, as for READs.
  double write_peak_tflops = 0;
  // The host tier: host memory for offloaded states (2^30 bytes) and the host link's bandwidth in
  // each direction (1e9 B/s; a copy each way may run at once). Both 0: no host tier.
  double host_memory_gib = 0;
  double host_link_gbs = 0;
  // The last-level cache: its capacity (2^20 bytes) and the bandwidth at which a batch moves what
  // it holds (1e9 B/s; reads, and a WRITE's write-back of a cached state): the shared weights and
  // states the batches before touched, when they fit (sim/cache_residency.h). Both 0: no cache
  // term, every byte comes from memory.
  double cache_mib = 0;
  double cache_bandwidth_gbs = 0;

  std::uint64_t memory_bytes() const {
    return static_cast<std::uint64_t>(memory_gib * kBytesPerGib);
  }
  double bandwidth_bytes_per_ns() const { return memory_bandwidth_gbs; }  // 1e9 B/s == 1 B/ns
  bool has_host_tier() const { return host_link_gbs > 0; }
  std::uint64_t host_memory_bytes() const {
    return static_cast<std::uint64_t>(host_memory_gib * kBytesPerGib);
  }
  bool has_cache() const { return cache_bandwidth_gbs > 0; }
  std::uint64_t cache_bytes() const { return static_cast<std::uint64_t>(cache_mib * kBytesPerMib); }
  double peak_flops_per_ns(DType t) const {
    return (t == DType::kBf16 ? peak_tflops_bf16 : peak_tflops_fp32) * 1e3;
  }
  double write_peak_flops_per_ns(DType t) const {
    return write_peak_tflops > 0 ? write_peak_tflops * 1e3 : peak_flops_per_ns(t);
  }
};

// Names of the presets, in a fixed order: h100-sxm, h200, a100-80g, gh200, cpu-host, paper-h100.
std::vector<std::string> HardwarePresetNames();
Result<std::string> HardwarePresetJson(std::string_view name);
Result<HardwareProfile> ParseHardwareProfile(std::string_view json, const std::string& source);
// A preset when `name_or_path` names one, else a JSON file at that path.
Result<HardwareProfile> LoadHardwareProfile(std::string_view name_or_path);
std::string HardwareProfileToJson(const HardwareProfile& profile);

}  // namespace rwttt
