#include "sim/policy_plugin.h"

#include <dlfcn.h>
#include <fmt/format.h>

namespace rwttt {

Status LoadPolicyPlugin(const std::string& path) {
  // Without a slash dlopen would search the library path; a plugin is always a file the user names.
  const std::string where = path.find('/') == std::string::npos ? "./" + path : path;
  void* handle = ::dlopen(where.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    return Error::Input(fmt::format("cannot load policy plugin: {}", ::dlerror()), {path, 0, ""});
  }
  using EntryPoint = const PolicyPluginInfo* (*)();
  auto entry = reinterpret_cast<EntryPoint>(::dlsym(handle, RWTTT_POLICY_PLUGIN_SYMBOL));
  if (entry == nullptr) {
    ::dlclose(handle);
    return Error::Input("not a policy plugin: it exports no " RWTTT_POLICY_PLUGIN_SYMBOL
                        " entry point (define one with RWTTT_POLICY_PLUGIN, sim/policy_plugin.h)",
                        {path, 0, ""});
  }
  const PolicyPluginInfo* info = entry();
  if (info == nullptr || info->abi != kPolicyPluginAbi) {
    const int abi = info == nullptr ? -1 : info->abi;
    ::dlclose(handle);
    return Error::Input(fmt::format("policy plugin ABI {} does not match this rwttt's ABI {}: "
                                    "rebuild the plugin against this rwttt",
                                    abi, kPolicyPluginAbi),
                        {path, 0, ""});
  }
  // The library stays loaded for the life of the process: its policies' code lives there.
  const Status registered = info->register_policies(&RegisterPolicy);
  if (!registered.ok()) {
    return Error::Input("policy plugin: " + registered.error().message, {path, 0, ""});
  }
  return OkStatus();
}

}  // namespace rwttt
