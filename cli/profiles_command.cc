// `rwttt profiles`: the model and hardware presets, as the JSON a user can copy and edit.
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <string>

#include "cli/command.h"
#include "core/hardware_profile.h"
#include "core/model_profile.h"
#include "core/profile_source.h"
#include "core/units.h"

namespace rwttt::cli {
namespace {

struct ProfilesFlags {
  std::string show;
};

std::string Join(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// Which kind `name` is: a preset of either kind, or a file, which is a hardware profile when it has
// the field only hardware profiles have (memory_bandwidth_gbs) and a model profile otherwise, so
// that each is judged, and its errors reported, as what it is.
Result<bool> IsHardwareProfile(const std::string& name) {
  const std::vector<std::string> models = ModelPresetNames();
  const std::vector<std::string> hardware = HardwarePresetNames();
  if (std::find(models.begin(), models.end(), name) != models.end()) return false;
  if (std::find(hardware.begin(), hardware.end(), name) != hardware.end()) return true;
  Result<std::string> text = ReadWholeFile(name);
  if (!text.ok()) {
    return Error::Usage(fmt::format(
        "--show {}: not a model preset ({}), not a hardware preset ({}), and not a readable "
        "profile file",
        name, Join(models), Join(hardware)));
  }
  return text->find("\"memory_bandwidth_gbs\"") != std::string::npos;
}

Result<int> RunProfiles(const ProfilesFlags& f) {
  if (!f.show.empty()) {
    RWTTT_ASSIGN_OR_RETURN(const bool hardware, IsHardwareProfile(f.show));
    if (hardware) {
      RWTTT_ASSIGN_OR_RETURN(HardwareProfile hw, LoadHardwareProfile(f.show));
      std::puts(HardwareProfileToJson(hw).c_str());
    } else {
      RWTTT_ASSIGN_OR_RETURN(ModelProfile model, LoadModelProfile(f.show));
      std::puts(ModelProfileToJson(model).c_str());
    }
    return kExitOk;
  }
  std::puts("model presets:");
  for (const std::string& name : ModelPresetNames()) {
    const ModelProfile m = LoadModelProfile(name).value();
    std::puts(fmt::format("  {:<16} {:<12} d_model {:>5}  d_ff {:>5}  layers {:>3}  chunk {:>5}  "
                          "state {:>10.3f} MiB/owner  shared weights {:>9.3f} MiB",
                          name, StateKindName(m.state_kind), m.d_model, m.d_ff, m.layers, m.chunk,
                          m.state_bytes() / kBytesPerMib, m.shared_weight_bytes() / kBytesPerMib)
                  .c_str());
  }
  std::puts("hardware presets:");
  for (const std::string& name : HardwarePresetNames()) {
    const HardwareProfile hw = LoadHardwareProfile(name).value();
    std::puts(fmt::format("  {:<16} {:>6.0f} GB/s  bf16 {:>6.1f} TFLOP/s  memory {:>6.1f} GiB",
                          name, hw.memory_bandwidth_gbs, hw.peak_tflops_bf16, hw.memory_gib)
                  .c_str());
  }
  std::puts(
      "('rwttt profiles --show NAME' prints one as JSON; --model/--hardware take a name or a "
      "JSON file)");
  return kExitOk;
}

}  // namespace

Command AddProfilesCommand(CLI::App& app) {
  auto flags = std::make_shared<ProfilesFlags>();
  CLI::App* profiles = app.add_subcommand("profiles", "List model and hardware presets");
  profiles->add_option("--show", flags->show, "Print one preset (or profile file) as JSON");
  return {profiles, [flags] { return RunProfiles(*flags); }};
}

}  // namespace rwttt::cli
