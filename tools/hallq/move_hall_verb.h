// `hallq move-hall HALL ENGINE --nats URL[,URL...] --nats-credentials FILE`:
// a graceful move of a hall to another engine (hallqd --replicate). ENGINE
// must be a live standby that follows HALL (hallqd --standby, recorded in
// the owners bucket). The request goes into the hall's entry in the owners
// bucket (engine/replicate/ownership.h); the serving engine sees it at its
// next renewal (a quarter lease), refuses the hall's new commands
// (not_owner, naming ENGINE), waits until the stream holds every event it
// applied, and writes the entry naming ENGINE with that sequence; ENGINE
// claims the lease at its next look and serves from the next sequence.
// Waits until ENGINE holds the lease, and says the sequence handed over.
// Needs credentials that may write the owners bucket (an engine's).
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace hallq::cli {

struct MoveHallArgs {
  std::string hall, engine, nats, credentials;
  int timeout_s = 30;
};

CLI::App* add_move_hall_verb(CLI::App& app, MoveHallArgs& args);
// Exit codes: 0 moved; 1 refused (ENGINE is no live standby of HALL, no
// live owner, the owner refused or did not finish within --timeout, the
// cluster cannot be reached), with the reason in Chinese on stderr.
int run_move_hall(const MoveHallArgs& args, bool json);

}  // namespace hallq::cli
