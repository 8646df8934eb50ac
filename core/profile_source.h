// Shared plumbing of the profile readers: a name that is a preset or a path to a JSON file.
//
//   RWTTT_ASSIGN_OR_RETURN(ProfileText t, ResolveProfile(arg, presets, PresetJson, "model"));
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace rwttt {

struct ProfileText {
  std::string json;
  std::string source;  // the preset name or the file path, for error messages
};

// A preset's JSON when `name_or_path` is one of `presets`; else the contents of the file it
// names. An unknown name that is not a file either is an error listing the presets.
Result<ProfileText> ResolveProfile(std::string_view name_or_path,
                                   const std::vector<std::string>& presets,
                                   const std::function<Result<std::string>(std::string_view)>& json,
                                   std::string_view kind);

// The whole file at `path`, or an Io error naming it.
Result<std::string> ReadWholeFile(const std::string& path);

}  // namespace rwttt
