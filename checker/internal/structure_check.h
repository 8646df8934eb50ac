// Check 1 (docs/checker.md#check-1-structure): each owner's steps against its program, the chunk
// rule included (program-order, duplicate-step), completeness (missing-step), batches
// (mixed-batch), unique step ids and owners of the trace (malformed). Private to checker/.
//
//   ChunkChoice c = ChooseChunk(set, header, inputs);
//   CheckStructure(context, findings);  CheckBatches(context, findings);
#pragma once

#include <cstdint>
#include <string>

#include "checker/check_report.h"
#include "checker/internal/findings.h"
#include "checker/internal/record_set.h"

namespace rwttt::internal {

struct ChunkChoice {
  std::uint32_t chunk = 0;  // 0: unknown
  ChunkSource source = ChunkSource::kUnknown;
  std::string note;  // "from model tiny", or why it is unknown
};

// C from the model, else the header's `chunk`, else the first WRITE with a token span.
ChunkChoice ChooseChunk(const RecordSet& set, const HistoryHeader& header,
                        const CheckInputs& inputs);

struct CompletenessChoice {
  Completeness level = Completeness::kNone;
  std::string note;  // what was required, and why not more
};
CompletenessChoice ChooseCompleteness(const CheckContext& context);

// Program order, duplicates, missing steps, owners not in the trace, repeated step ids.
// O(n log n).
void CheckStructure(const CheckContext& context, Findings& findings);

// mixed-batch: a step whose effect differs from its batch's first step, or whose owner already
// has a step in the batch. O(n log n).
void CheckBatches(const CheckContext& context, Findings& findings);

}  // namespace rwttt::internal
