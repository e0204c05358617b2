// The 好差评 records as an Excel-compatible CSV file for manual upload
// (`hallq evaluations`): UTF-8 with a byte-order mark (so Excel reads the
// Chinese right), CRLF line ends, RFC 4180 quoting (a field holding a comma,
// quote, CR or LF is quoted, quotes doubled). One header row of the record's
// field names (record_json's, README's table), then one row per record in
// the order given; list fields (reason codes and texts) joined with ";".
// Citizens' free text that would start a spreadsheet formula (= + - @, tab,
// CR) gets a leading apostrophe, so Excel shows it as text instead of
// evaluating it.
// Pure: text in, text out; any thread.
#pragma once

#include <string>
#include <vector>

#include "engine/stats/evaluation_record.h"

namespace hallq::stats {

std::string evaluation_csv(const std::vector<EvaluationRecord>& records);

}  // namespace hallq::stats
