// Where hallq's installed data files are: the dashboard's web files and the
// Chart.js it uses (hallqd --web-root / --chart-js, hallq report). No default
// points into a build tree.
//
// The rule: the data directory is the nearest `share/hallq` directory above the
// running program's own directory (/proc/self/exe), i.e.
//   - an installed program: /usr/bin/hallqd -> /usr/share/hallq (also a package
//     unpacked into any root: ROOT/usr/bin/hallqd -> ROOT/usr/share/hallq);
//   - a program in the build tree: build/engine/server/hallqd -> build/share/hallq,
//     which the build makes of symlinks to displays/web/site and the npm Chart.js.
// If none exists, the configured prefix's datadir (HALLQ_DATADIR, e.g.
// /usr/share/hallq), so that a missing file is named where it belongs.
//   <data dir>/web/                  the dashboard (displays/web/site: index.html, its scripts and CSS)
//   <data dir>/vendor/chart.umd.js   Chart.js, UMD build
// Errors: none thrown; paths are returned whether or not the files exist.
// Thread: any (reads /proc once per call).
#pragma once

#include <string>

namespace hallq::config {

std::string data_dir();
std::string web_root();  // data_dir() + "/web"
std::string chart_js();  // data_dir() + "/vendor/chart.umd.js"

}  // namespace hallq::config
