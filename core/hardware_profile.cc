#include "core/hardware_profile.h"

#include <fmt/format.h>

#include <map>
#include <set>

#include "core/json_fields.h"
#include "core/json_writer.h"
#include "core/profile_source.h"

namespace rwttt {
namespace {

// Vendor datasheet figures (dense, no sparsity); memory as the driver reports it. Overheads are
// nominal CUDA-graph-free PyTorch figures; `rwttt bench` calibrates its own profile separately.
// The host tier (docs/formats.md#the-host-tier-of-the-presets): one GPU's share of its DGX's
// system memory, and the host link's bandwidth in one direction (PCIe Gen5 or Gen4 x16,
// NVLink-C2C for the Grace Hopper superchip).
const std::map<std::string, std::string, std::less<>>& Presets() {
  static const auto* presets = new std::map<std::string, std::string, std::less<>>{
      {"h100-sxm", R"({"name":"h100-sxm","memory_bandwidth_gbs":3350,"peak_tflops_bf16":989,)"
                   R"("peak_tflops_fp32":67,"memory_gib":79.6,"launch_overhead_ns":5000,)"
                   R"("layer_overhead_ns":2000,"host_memory_gib":256,"host_link_gbs":64})"},
      {"h200", R"({"name":"h200","memory_bandwidth_gbs":4800,"peak_tflops_bf16":989,)"
               R"("peak_tflops_fp32":67,"memory_gib":140.4,"launch_overhead_ns":5000,)"
               R"("layer_overhead_ns":2000,"host_memory_gib":256,"host_link_gbs":64})"},
      {"a100-80g", R"({"name":"a100-80g","memory_bandwidth_gbs":2039,"peak_tflops_bf16":312,)"
                   R"("peak_tflops_fp32":19.5,"memory_gib":80,"launch_overhead_ns":5000,)"
                   R"("layer_overhead_ns":2000,"host_memory_gib":256,"host_link_gbs":32})"},
      {"gh200", R"({"name":"gh200","memory_bandwidth_gbs":4000,"peak_tflops_bf16":989,)"
                R"("peak_tflops_fp32":67,"memory_gib":95,"launch_overhead_ns":5000,)"
                R"("layer_overhead_ns":2000,"host_memory_gib":447,"host_link_gbs":450})"},
      // H100 SXM datasheet figures with the per-layer framework overhead fitted to the RW-TTT
      // paper's published throughput (docs/paper-reproduction.md); the one fitted parameter.
      {"paper-h100", R"({"name":"paper-h100","memory_bandwidth_gbs":3350,"peak_tflops_bf16":989,)"
                     R"("peak_tflops_fp32":67,"memory_gib":79.6,"launch_overhead_ns":5000,)"
                     R"("layer_overhead_ns":632000,"host_memory_gib":256,"host_link_gbs":64})"},
      // A two-socket-class server's DRAM for the omp backend; an order of magnitude only.
      {"cpu-host", R"({"name":"cpu-host","memory_bandwidth_gbs":20,"peak_tflops_bf16":0.5,)"
                   R"("peak_tflops_fp32":0.5,"memory_gib":16,"launch_overhead_ns":1000,)"
                   R"("layer_overhead_ns":500})"},
  };
  return *presets;
}

// A physical quantity within what devices have: a value outside (1e-300 GB/s, 1e300 GiB) would
// make every duration overflow or round to nothing.
Result<double> GetInRange(simdjson::ondemand::value v, const SourceLoc& at, double min, double max,
                          std::string_view unit) {
  RWTTT_ASSIGN_OR_RETURN(double x, json::GetDouble(v, at));
  if (!(x >= min && x <= max)) {
    return Error::Input(fmt::format("must be from {} to {} {}, found {}", min, max, unit, x), at);
  }
  return x;
}

Result<std::int64_t> GetOverheadNs(simdjson::ondemand::value v, const SourceLoc& at) {
  RWTTT_ASSIGN_OR_RETURN(std::uint64_t x, json::GetUint(v, at));
  if (x > kMaxOverheadNs) {
    return Error::Input(
        fmt::format("must be from 0 to {} ns (one second), found {}", kMaxOverheadNs, x), at);
  }
  return static_cast<std::int64_t>(x);
}

}  // namespace

std::vector<std::string> HardwarePresetNames() {
  return {"h100-sxm", "h200", "a100-80g", "gh200", "cpu-host", "paper-h100"};
}

Result<std::string> HardwarePresetJson(std::string_view name) {
  auto it = Presets().find(name);
  if (it == Presets().end()) {
    return Error::Input("no hardware preset named '" + std::string(name) + "'");
  }
  return it->second;
}

Result<HardwareProfile> ParseHardwareProfile(std::string_view json, const std::string& source) {
  simdjson::ondemand::parser parser;
  const simdjson::padded_string padded(json);
  HardwareProfile hw;
  std::set<std::string, std::less<>> seen;
  RWTTT_TRY(json::ForEachField(
      parser, padded, SourceLoc{source, 0, ""},
      [&](std::string_view key, simdjson::ondemand::value v, const SourceLoc& f) -> Status {
        if (!seen.insert(std::string(key)).second) return Error::Input("duplicate field", f);
        if (key == "name") {
          RWTTT_ASSIGN_OR_RETURN(hw.name, json::GetString(v, f));
        } else if (key == "memory_bandwidth_gbs") {
          RWTTT_ASSIGN_OR_RETURN(hw.memory_bandwidth_gbs,
                                 GetInRange(v, f, kMinBandwidthGbs, kMaxBandwidthGbs, "GB/s"));
        } else if (key == "peak_tflops_bf16") {
          RWTTT_ASSIGN_OR_RETURN(hw.peak_tflops_bf16,
                                 GetInRange(v, f, kMinTflops, kMaxTflops, "TFLOP/s"));
        } else if (key == "peak_tflops_fp32") {
          RWTTT_ASSIGN_OR_RETURN(hw.peak_tflops_fp32,
                                 GetInRange(v, f, kMinTflops, kMaxTflops, "TFLOP/s"));
        } else if (key == "write_peak_tflops") {
          RWTTT_ASSIGN_OR_RETURN(hw.write_peak_tflops,
                                 GetInRange(v, f, kMinTflops, kMaxTflops, "TFLOP/s"));
        } else if (key == "memory_gib") {
          RWTTT_ASSIGN_OR_RETURN(hw.memory_gib,
                                 GetInRange(v, f, kMinMemoryGib, kMaxMemoryGib, "GiB"));
        } else if (key == "host_memory_gib") {
          RWTTT_ASSIGN_OR_RETURN(hw.host_memory_gib,
                                 GetInRange(v, f, kMinMemoryGib, kMaxMemoryGib, "GiB"));
        } else if (key == "host_link_gbs") {
          RWTTT_ASSIGN_OR_RETURN(hw.host_link_gbs,
                                 GetInRange(v, f, kMinBandwidthGbs, kMaxBandwidthGbs, "GB/s"));
        } else if (key == "cache_mib") {
          RWTTT_ASSIGN_OR_RETURN(hw.cache_mib, GetInRange(v, f, kMinCacheMib, kMaxCacheMib, "MiB"));
        } else if (key == "cache_bandwidth_gbs") {
          RWTTT_ASSIGN_OR_RETURN(hw.cache_bandwidth_gbs,
                                 GetInRange(v, f, kMinBandwidthGbs, kMaxBandwidthGbs, "GB/s"));
        } else if (key == "launch_overhead_ns") {
          RWTTT_ASSIGN_OR_RETURN(hw.launch_overhead_ns, GetOverheadNs(v, f));
        } else if (key == "layer_overhead_ns") {
          RWTTT_ASSIGN_OR_RETURN(hw.layer_overhead_ns, GetOverheadNs(v, f));
        } else if (key == "calibration") {
          // What `rwttt calibrate` measured and fitted: for the reader, not the cost model.
          simdjson::ondemand::object calibration;
          if (v.get_object().get(calibration) != simdjson::SUCCESS) {
            return Error::Input("expected an object (see docs/calibration.md)", f);
          }
        } else {
          return Error::Input("unknown field (see docs/formats.md#hardware-profile)", f);
        }
        return OkStatus();
      }));
  for (const char* required :
       {"name", "memory_bandwidth_gbs", "peak_tflops_bf16", "peak_tflops_fp32", "memory_gib",
        "launch_overhead_ns", "layer_overhead_ns"}) {
    if (!seen.contains(required))
      return Error::Input("missing required field", {source, 0, required});
  }
  if (seen.contains("host_memory_gib") != seen.contains("host_link_gbs")) {
    return Error::Input(
        "a host tier needs both host_memory_gib and host_link_gbs",
        {source, 0, seen.contains("host_memory_gib") ? "host_link_gbs" : "host_memory_gib"});
  }
  if (seen.contains("cache_mib") != seen.contains("cache_bandwidth_gbs")) {
    return Error::Input(
        "a cache needs both cache_mib and cache_bandwidth_gbs",
        {source, 0, seen.contains("cache_mib") ? "cache_bandwidth_gbs" : "cache_mib"});
  }
  return hw;
}

Result<HardwareProfile> LoadHardwareProfile(std::string_view name_or_path) {
  RWTTT_ASSIGN_OR_RETURN(ProfileText text, ResolveProfile(name_or_path, HardwarePresetNames(),
                                                          HardwarePresetJson, "hardware"));
  return ParseHardwareProfile(text.json, text.source);
}

std::string HardwareProfileToJson(const HardwareProfile& hw) {
  return fmt::format(
      R"({{"name":{},"memory_bandwidth_gbs":{},"peak_tflops_bf16":{},"peak_tflops_fp32":{},)"
      R"({}"memory_gib":{},"launch_overhead_ns":{},"layer_overhead_ns":{}{}{}}})",
      JsonString(hw.name), hw.memory_bandwidth_gbs, hw.peak_tflops_bf16, hw.peak_tflops_fp32,
      hw.write_peak_tflops > 0 ? fmt::format(R"("write_peak_tflops":{},)", hw.write_peak_tflops)
                               : std::string(),
      hw.memory_gib, hw.launch_overhead_ns, hw.layer_overhead_ns,
      hw.has_host_tier() ? fmt::format(R"(,"host_memory_gib":{},"host_link_gbs":{})",
                                       hw.host_memory_gib, hw.host_link_gbs)
                         : std::string(),
      hw.has_cache() ? fmt::format(R"(,"cache_mib":{},"cache_bandwidth_gbs":{})", hw.cache_mib,
                                   hw.cache_bandwidth_gbs)
                     : std::string());
}

}  // namespace rwttt
