// A plugin built against a different ABI version: loading it must fail with exit 2.
#include "sim/policy_plugin.h"

extern "C" __attribute__((visibility("default"))) const rwttt::PolicyPluginInfo*
rwttt_policy_plugin() {
  static const rwttt::PolicyPluginInfo info{rwttt::kPolicyPluginAbi + 41, nullptr};
  return &info;
}
