// Check 5 (DESIGN §6): every output and committed-state digest of the history equals the serial
// reference's (core/serial_reference.h), bit for bit; the first divergence of each owner is a
// `digest-mismatch` finding.
//
//   report.checks[4] = CheckSerialReference(header, options, records, owner_ids, findings);
//
// Private to checker/; HistoryChecker::Finish is the caller.
#pragma once

#include <vector>

#include "checker/check_report.h"
#include "checker/history.h"
#include "checker/history_checker.h"
#include "checker/step_record.h"

namespace rwttt::internal {

// Runs when options.load_trace is set and the header names a trace, a model and a seed; returns
// why it was skipped otherwise. A trace or model that cannot be loaded skips the check too, with
// the error as the reason (the history itself may be fine). Cost: one serial run per owner that
// has digests in the history, O(owner's steps) memory at a time.
CheckOutcome CheckSerialReference(const HistoryHeader& header, const CheckOptions& options,
                                  const std::vector<StepRecord>& records,
                                  const std::vector<OwnerId>& owner_ids, Findings& findings);

}  // namespace rwttt::internal
