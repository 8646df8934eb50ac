// The history reader's JSON side, private to checker/ (and its tests): one step line parsed with
// simdjson, shared by HistoryReader::Next and the parallel ReadAll.
//
//   HistoryStep s;  RWTTT_TRY(ParseHistoryStep(parser, padded_line, {path, line, ""}, s));
#pragma once

#include <simdjson.h>

#include <string_view>

#include "checker/history.h"
#include "checker/history_reader.h"
#include "core/error.h"

namespace rwttt {

struct HistoryReader::JsonParser {
  simdjson::ondemand::parser parser;
};

// Parses one step line (padded by kLinePadding bytes, as LineReader hands them out). `at` names
// the file and line in errors.
Status ParseHistoryStep(simdjson::ondemand::parser& parser, std::string_view line,
                        const SourceLoc& at, HistoryStep& out);

}  // namespace rwttt
