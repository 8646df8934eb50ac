// Check 5 (DESIGN §6): every output and committed-state digest of the history equals the serial
// reference's (core/serial_reference.h), bit for bit; the first divergence of each owner is a
// `digest-mismatch` finding.
//
//   report.checks[4] = CheckSerialReference(context, findings);
//
// Private to checker/; HistoryChecker::Finish is the caller.
#pragma once

#include "checker/check_report.h"
#include "checker/internal/findings.h"
#include "checker/internal/record_set.h"

namespace rwttt::internal {

// Runs when context.options.reference and the inputs hold the trace and model and the header a
// seed; returns why it was skipped otherwise. Owners that are not requests of the trace are
// skipped (the structure check reports them). Cost: one serial run per owner that has digests
// in the history, O(owner's steps) memory at a time.
CheckOutcome CheckSerialReference(const CheckContext& context, Findings& findings);

}  // namespace rwttt::internal
