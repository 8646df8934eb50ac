// Check 3 (docs/checker.md#check-3-version-linearizability): per owner, commits go 0→1→2…
// (lost-update, version-gap), every step observes its tag's version, the latest committed before
// it in real time (stale-read, future-read, lost-update), and no step overlaps a commit of its own
// owner (uncommitted-read, G1b). Private to checker/.
//
//   CheckVersions(context, findings);
#pragma once

#include "checker/internal/findings.h"
#include "checker/internal/record_set.h"

namespace rwttt::internal {

// Each owner's steps against all of its WRITEs, in real time: O(n log n).
void CheckVersions(const CheckContext& context, Findings& findings);

}  // namespace rwttt::internal
