// `aligned`: a scheduler that lines up owners' chunk boundaries so that their WRITEs batch
// together. Like rwttt it runs one effect per batch with distinct owners, but a ready WRITE waits
// (at most `max_wait` batches) while other owners still have READs to run, so that several owners'
// WRITEs, each reading and writing its own fast weights, go in one launch.
//
//   rwttt replay t.jsonl --policy-plugin ./libaligned_policy.so --policy aligned \
//       --policy-opt max_wait=16
#include <cstdint>
#include <memory>

#include "sim/policy.h"
#include "sim/policy_plugin.h"

namespace {

// Declared once: listed by `rwttt policies`, parsed (default, range) in Configure.
const rwttt::PolicyOptionInfo& MaxWait() {
  static const rwttt::PolicyOptionInfo option = rwttt::PolicyOptionInfo::Uint(
      "max_wait", "READ batches a ready WRITE may wait (default 8)", /*default_value=*/8);
  return option;
}

class AlignedPolicy final : public rwttt::Policy {
 public:
  rwttt::Result<rwttt::DeviceLayout> Configure(const rwttt::PolicyContext& c) override {
    auto max_wait = c.options.GetUint(MaxWait());
    if (!max_wait.ok()) return max_wait.error();
    max_wait_ = *max_wait;
    const rwttt::DeviceLayout layout = rwttt::DeviceLayout::OneCopy(c);
    if (!layout.fits(c.budget_bytes)) {
      return rwttt::Error::Input("aligned: one owner does not fit the memory budget");
    }
    return layout;
  }

  void NextBatch(const rwttt::ReadyView& ready, std::uint32_t, rwttt::BatchPlan& plan) override {
    const bool reads = ready.count(rwttt::Effect::kRead) > 0;
    const bool writes = ready.count(rwttt::Effect::kWrite) > 0;
    if (!reads && !writes) return;
    // WRITEs go when nothing else can run, or when they have waited long enough.
    const bool run_writes = writes && (!reads || waited_ >= max_wait_);
    waited_ = writes && !run_writes ? waited_ + 1 : 0;
    ready.ForEach(run_writes ? rwttt::Effect::kWrite : rwttt::Effect::kRead,
                  [&](const rwttt::ReadyStep& s) {
                    plan.owners.push_back(s.owner);
                    return true;
                  });
  }

 private:
  std::uint64_t max_wait_ = 8;
  std::uint64_t waited_ = 0;  // READ batches run while a WRITE was ready
};

}  // namespace

RWTTT_POLICY_PLUGIN(register_policy) {
  return register_policy({"aligned",
                          "rwttt with WRITEs held back (at most max_wait batches) so that "
                          "owners' chunk updates batch together",
                          {MaxWait()},
                          true,
                          [] { return std::make_unique<AlignedPolicy>(); }});
}
