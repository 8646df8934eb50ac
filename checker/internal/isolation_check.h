// Check 2 (docs/checker.md#check-2-owner-isolation): the checker replays the slots with its own
// table (which owner holds each slot, whose state is in it, each owner's current slot) and judges
// every logged stamp and every slot use against it. Private to checker/.
//
//   CheckOwnerIsolation(context, findings);   // owner-leak findings
#pragma once

#include "checker/internal/findings.h"
#include "checker/internal/record_set.h"

namespace rwttt::internal {

// One pass in history order: O(n + owners + slots) time and memory.
void CheckOwnerIsolation(const CheckContext& context, Findings& findings);

}  // namespace rwttt::internal
