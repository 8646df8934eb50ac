#include "core/profile_source.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace rwttt {

Result<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::Io(std::string("cannot open: ") + std::strerror(errno), {path, 0, ""});
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Error::Io("read failed", {path, 0, ""});
  return text.str();
}

Result<ProfileText> ResolveProfile(std::string_view name_or_path,
                                   const std::vector<std::string>& presets,
                                   const std::function<Result<std::string>(std::string_view)>& json,
                                   std::string_view kind) {
  if (std::find(presets.begin(), presets.end(), name_or_path) != presets.end()) {
    RWTTT_ASSIGN_OR_RETURN(std::string text, json(name_or_path));
    return ProfileText{std::move(text), std::string(name_or_path)};
  }
  const std::string path(name_or_path);
  std::ifstream probe(path);
  if (!probe) {
    std::string names;
    for (const auto& p : presets) names += (names.empty() ? "" : ", ") + p;
    return Error::Input("unknown " + std::string(kind) + " profile '" + path + "': not a preset (" +
                        names + ") and not a readable file");
  }
  RWTTT_ASSIGN_OR_RETURN(std::string text, ReadWholeFile(path));
  return ProfileText{std::move(text), path};
}

}  // namespace rwttt
