// `hallq halls --nats URL[,URL...] --nats-credentials FILE`: every hall the
// cluster knows (an owner entry in the hallq_owners bucket or events in the
// HALLQ_EVENTS stream), with its owner engine, the endpoint the owner
// advertises, whether its lease is live, the last sequence the stream
// holds, and the standby engines following it (hallqd --standby records,
// "standby.<engine>" in the owners bucket, whose lease is live; --json:
// "standby": [engine ids]). Reads only: a reader's credentials are enough.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace hallq::cli {

struct HallsArgs {
  std::string nats, credentials;
};

CLI::App* add_halls_verb(CLI::App& app, HallsArgs& args);
// Exit codes: 0 listed, 1 the cluster cannot be read (message on stderr).
int run_halls(const HallsArgs& args, bool json);

}  // namespace hallq::cli
