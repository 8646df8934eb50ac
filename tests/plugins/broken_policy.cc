// A deliberately broken scheduler for tests: it batches like rwttt but places each owner's step in
// the next owner's slot, so WRITEs commit to the wrong owner. `rwttt report` must catch it.
#include <memory>

#include "sim/policy.h"
#include "sim/policy_plugin.h"

namespace {

class WrongSlotPolicy final : public rwttt::Policy {
 public:
  rwttt::Result<rwttt::DeviceLayout> Configure(const rwttt::PolicyContext& c) override {
    return rwttt::DeviceLayout{1, c.model.shared_weight_bytes(), c.model.state_bytes()};
  }
  void NextBatch(const rwttt::ReadyView& ready, std::uint32_t, rwttt::BatchPlan& plan) override {
    const rwttt::Effect e =
        ready.count(rwttt::Effect::kWrite) > 0 ? rwttt::Effect::kWrite : rwttt::Effect::kRead;
    std::vector<std::uint32_t> own;
    ready.ForEach(e, [&](const rwttt::ReadyStep& s) {
      plan.owners.push_back(s.owner);
      own.push_back(s.slot);
      return true;
    });
    for (std::size_t i = 0; i < own.size(); ++i) plan.slots.push_back(own[(i + 1) % own.size()]);
  }
};

}  // namespace

RWTTT_POLICY_PLUGIN(register_policy) {
  return register_policy(
      {"wrong-slot", "commits to the next owner's slot (a test of the checker)", {}, true, [] {
         return std::make_unique<WrongSlotPolicy>();
       }});
}
