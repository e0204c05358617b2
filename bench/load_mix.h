// hallq_load's request mixes (bench/load_gen.cc): the commands each client
// sends, as a function of the halls it works on, and the setup a mix needs
// before it is measured.
//
//   issue  kiosks: round robin over the client's halls, and in each over its
//          services.
//   cycle  clerks: each client owns some windows and runs [issue, call-next,
//          start, finish] per window, round robin over them; the ticket issued
//          is for the window's primary service, so the queues stay as long as
//          the setup's prefill made them. A client's requests reach the engine
//          in order, so a window's cycle can be pipelined.
//
// Many halls: client c works on hall c mod N or, with fewer clients than
// halls, on halls c, c + clients, c + 2 * clients, ..., so that every hall
// gets load; clients sharing a hall share its windows out.
//
// Pure: no sockets, no clock. A source is used by one thread; the halls it
// points to must outlive it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/command.h"
#include "engine/core/error.h"
#include "engine/core/hall.h"
#include "engine/core/hall_config.h"

namespace hallq::bench {

// What a mix needs to know of a hall (read from a snapshot the engine sends).
struct HallInfo {
  std::string id;
  std::shared_ptr<core::HallConfig> config;
  core::HallState state;
};

// A command and the hall it is for.
struct Command {
  std::string_view hall;
  core::CommandBody body;
};

// The commands one client sends, in order.
class CommandSource {
 public:
  virtual ~CommandSource() = default;
  virtual Command next() = 0;
  // Refusals this mix runs into by design.
  virtual bool expected(core::ErrorCode code) const = 0;
};

// The halls client `c` of `clients` works on: hall c mod N, or with fewer
// clients than halls, halls c, c + clients, c + 2 * clients, ...
std::vector<std::size_t> halls_of_client(int c, int clients, std::size_t halls);

// Throws std::runtime_error if a hall has fewer windows than the cycle mix's
// clients on it (each needs a window of its own).
void require_a_window_per_client(const std::vector<HallInfo>& halls, int clients);

// The sources of `clients` clients running `mix` ("issue" or "cycle") over `halls`.
std::vector<std::unique_ptr<CommandSource>> make_sources(std::string_view mix,
                                                         const std::vector<HallInfo>& halls, int clients);

// A command of a mix's setup.
struct SetupCommand {
  std::string_view hall;
  core::CommandBody body;
  bool must;  // a refusal is a problem worth reporting
};

// Opens the windows the cycle mix uses (a window left open or busy by an
// earlier run is taken over and freed) and fills the queues.
void prepare_cycle(const HallInfo& hall, std::size_t prefill, std::vector<SetupCommand>& out);

}  // namespace hallq::bench
