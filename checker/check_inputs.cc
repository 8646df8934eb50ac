#include "checker/check_inputs.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "core/hardware_profile.h"

namespace rwttt {
namespace {

namespace fs = std::filesystem;

// The first of dirs/name that exists (or `name` itself when absolute), or nullopt.
std::optional<std::string> Locate(const std::string& name, const std::vector<std::string>& dirs) {
  const fs::path path(name);
  std::error_code ec;
  if (path.is_absolute()) {
    return fs::exists(path, ec) ? std::optional<std::string>(name) : std::nullopt;
  }
  for (const std::string& dir : dirs) {
    const fs::path candidate = dir.empty() ? path : fs::path(dir) / path;
    if (fs::exists(candidate, ec)) return candidate.string();
  }
  return std::nullopt;
}

std::string WhereLooked(const std::string& name, const std::vector<std::string>& dirs) {
  if (fs::path(name).is_absolute()) return "at that absolute path";
  std::string out;
  for (std::size_t i = 0; i < dirs.size(); ++i) {
    std::error_code ec;
    fs::path abs = fs::absolute(dirs[i].empty() ? fs::path(".") : fs::path(dirs[i]), ec);
    abs = abs.lexically_normal();
    if (!abs.has_filename() && abs.has_parent_path()) abs = abs.parent_path();  // "/tmp/" -> "/tmp"
    out += fmt::format("{}{} ({})", i == 0 ? "in " : i + 1 == dirs.size() ? " or " : ", ",
                       (ec ? fs::path(dirs[i]) : abs).string(),
                       dirs.size() > 1 && i == 0 ? "the history's folder" : "the working directory");
  }
  return out;
}

// A trace, model or hardware the header names: its file, found in `dirs` (presets need none).
template <typename T, typename Load>
Result<T> LoadNamed(const std::string& name, std::string_view field,
                    const std::vector<std::string>& presets, const std::string& history,
                    const InputSearch& search, Load load) {
  const SourceLoc at{history, 1, std::string(field)};
  if (std::find(presets.begin(), presets.end(), name) != presets.end()) {
    Result<T> value = load(name);
    if (!value.ok()) return Error::Input(value.error().ToString(), at);
    return value;
  }
  const std::optional<std::string> path = Locate(name, search.dirs);
  if (!path) {
    return Error::Input(
        fmt::format("the header names {} \"{}\", which is {}not found {}{}", field, name,
                    presets.empty() ? "" : "not a preset and ", WhereLooked(name, search.dirs),
                    search.required ? "; pass --no-reference to run checks 1-4 without it" : ""),
        at);
  }
  Result<T> value = load(*path);
  if (!value.ok()) {
    return Error::Input(
        fmt::format("the header names {} \"{}\" ({}), which cannot be loaded: {}", field, name,
                    *path, value.error().ToString()),
        at);
  }
  return value;
}

}  // namespace

std::string CheckInputs::TraceWords() const {
  if (trace) return trace_note.empty() ? "the given trace" : "trace " + trace_note;
  return trace_note.empty() ? "no trace was given" : trace_note;
}

std::vector<std::string> DefaultInputDirs(const std::string& history_path) {
  if (history_path == "-") return {""};
  const std::string folder = fs::path(history_path).parent_path().string();
  if (folder.empty()) return {""};
  return {folder, ""};
}

Result<CheckInputs> LoadCheckInputs(const HistoryHeader& header, const std::string& history,
                                    const InputSearch& search) {
  CheckInputs inputs;
  // A failure is an error when required, else the note of what was left out.
  auto settle = [&](auto result, auto& slot, std::string& note) -> Status {
    if (result.ok()) {
      slot = std::move(result).value();
      return OkStatus();
    }
    if (search.required) return result.error();
    note = result.error().message;
    return OkStatus();
  };
  if (!header.trace) {
    inputs.trace_note = "the header names no trace";
  } else {
    inputs.trace_note = *header.trace;
    RWTTT_TRY(settle(LoadNamed<std::vector<Request>>(*header.trace, "trace", {}, history, search,
                                                     search.load_trace),
                     inputs.trace, inputs.trace_note));
  }
  if (!header.model) {
    inputs.model_note = "the header names no model";
  } else {
    RWTTT_TRY(settle(LoadNamed<ModelProfile>(*header.model, "model", ModelPresetNames(), history,
                                             search,
                                             [](const std::string& p) {
                                               return LoadModelProfile(p);
                                             }),
                     inputs.model, inputs.model_note));
  }
  if (header.hardware) {
    // Nothing checked needs the hardware, but a history naming one that does not exist was made
    // from something else than it says.
    std::optional<HardwareProfile> unused;
    std::string note;
    RWTTT_TRY(settle(LoadNamed<HardwareProfile>(
                         *header.hardware, "hardware", HardwarePresetNames(), history, search,
                         [](const std::string& p) { return LoadHardwareProfile(p); }),
                     unused, note));
  }
  if (inputs.model && header.chunk && *header.chunk != inputs.model->chunk) {
    return Error::Input(fmt::format("chunk {} disagrees with the chunk {} of the model \"{}\" the "
                                    "header names",
                                    *header.chunk, inputs.model->chunk, *header.model),
                        SourceLoc{history, 1, "chunk"});
  }
  return inputs;
}

}  // namespace rwttt
