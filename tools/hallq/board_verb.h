// `hallq board`: a live hall screen in the terminal (综合屏 in text): the
// latest calls, every window's number, current ticket and state, and per
// service the people waiting and the predicted wait. It follows the engine
// through the client library's subscriber, so it shows "系统连接中" rather than
// stale numbers when the engine goes away.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "engine/client/client.h"
#include "engine/time/clock.h"

namespace hallq::cli {

struct BoardArgs {
  std::string hall;
  double seconds = 0;  // 0: until interrupted
  bool plain = false;  // no screen redraws: print a frame every few seconds
};

CLI::App* add_board_verb(CLI::App& app, BoardArgs& args);
// The time shown and the waits follow the engine's clock (its heartbeats);
// `wall` stands in until the first heartbeat.
int run_board(const BoardArgs& args, const std::string& engine, const std::string& pub,
              const time::Clock& wall, const client::CurveOptions& curve = {});

}  // namespace hallq::cli
