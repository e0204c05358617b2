// `hallq evaluations HALL --data DIR --from YYYY-MM-DD --to YYYY-MM-DD
// [--csv FILE] [--conf FILE]`: the hall's 好差评 records rated within the
// range (engine/stats/evaluation_record.h; dates are the hall's local days
// of the rating) as an Excel-compatible CSV (engine/stats/evaluation_csv.h)
// for a manual upload to the platform, read directly from the store
// (read-only: works while hallqd runs). Written to FILE (under a temporary
// name, then renamed) or, without --csv, to stdout. Any range of days.
// The hall's config comes from --conf, or else its latest stored snapshot.
//
// Exit codes: 0 done; 2 usage (malformed dates, --from after --to, a broken
// --conf); 1 the data dir is not a hallq store, the hall is not in it, no
// config, or the file cannot be written (nothing is left behind).
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace hallq::cli {

struct EvaluationsArgs {
  std::string hall, data, from, to, csv, conf;
};

CLI::App* add_evaluations_verb(CLI::App& app, EvaluationsArgs& args);
int run_evaluations(const EvaluationsArgs& args);

}  // namespace hallq::cli
