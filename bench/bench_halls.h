// The halls the core and codec benchmarks run on, and the steady-state
// workload that drives them. Three sizes: the shipped town hall (12 windows,
// 7 services), the shipped district hall (32 windows, 17 services, A/B staff)
// and a big synthetic hall built in code (200 windows, 20 services:
// tests/support/synthetic_hall.h). The
// workload is what a busy hall does all day: windows open, every window cycles
// call-next -> start -> finish, and each call is answered by a newcomer for
// the same service and priority, so every queue keeps the length it was given.
//
// Thread: a HallDriver is used by one thread; configs are immutable and shared.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/call_policy.h"
#include "engine/core/event.h"
#include "engine/core/hall.h"
#include "engine/core/hall_config.h"

namespace hallq::bench {

enum class HallSize { kTown, kDistrict, kBig };
inline constexpr HallSize kHallSizes[] = {HallSize::kTown, HallSize::kDistrict, HallSize::kBig};
std::string_view to_string(HallSize size);

// The config of a hall size, loaded (conf/town.toml, conf/district.toml) or
// built once and shared. Throws config::ConfigError if a shipped file is broken.
std::shared_ptr<const core::HallConfig> hall_config(HallSize size);

// 08:30 local time on a fixed working day, plus `days`.
core::TimeUs morning(const core::HallConfig& config, int days = 0);

// Applies commands to one hall the way the engine does (one events vector,
// cleared per command, optional request ids), advancing simulated time by
// one second per command.
class HallDriver {
 public:
  HallDriver(std::shared_ptr<const core::HallConfig> config, const core::CallPolicy* policy,
             bool request_ids = false);

  // Opens every window (with the config's staff ids, one per window, when the
  // hall lists staff).
  void open_all();
  // Issues tickets until `waiting` wait in total, spread evenly over the
  // services (service order, every 8th one a priority ticket).
  void fill(std::size_t waiting);

  // One step of the steady-state workload: the next window (round robin)
  // moves on in its cycle. A free window calls the next ticket, and a
  // newcomer for the called ticket's service and priority is issued right
  // after (2 commands); a called window starts (1); a serving one finishes (1).
  // At 17:30, or before a service would run out of ticket numbers, the day
  // rolls to the next morning and the queues are filled again (counted too).
  // Returns the number of commands applied.
  int step();

  // Applies one command at the driver's clock (which then advances by 1 s).
  core::Status apply(const core::CommandBody& body);

  core::Hall& hall() { return hall_; }
  const core::Hall& hall() const { return hall_; }
  const core::HallConfig& config() const { return *config_; }
  core::TimeUs now() const { return now_; }
  std::vector<core::Event>& events() { return events_; }

  // Commands applied, refused (the steady state expects none) and days rolled.
  std::uint64_t commands() const { return commands_; }
  std::uint64_t refused() const { return refused_; }
  std::uint64_t days() const { return days_; }

  // Rolls the day: the clock jumps to the next morning, a tick applies the
  // daily reset (waiting tickets expire) and the queues are filled again to
  // the length last given to fill().
  void next_day();

 private:
  std::string_view next_request_id();
  bool near_ticket_limit() const;

  std::shared_ptr<const core::HallConfig> config_;
  core::Hall hall_;
  core::TimeUs now_;
  core::TimeUs closing_;  // 17:30 of the current day
  std::vector<core::Event> events_;
  bool request_ids_;
  std::string request_id_;                   // "<16 hex>-<12 digits>", its counter incremented in place
  std::vector<std::uint8_t> phase_;          // per window: 0 free, 1 called, 2 serving
  std::vector<std::uint32_t> issued_today_;  // per service
  std::uint32_t issued_max_ = 0;
  std::size_t fill_target_ = 0;
  std::size_t fill_counter_ = 0;
  core::WindowIdx cursor_ = 0;
  std::uint64_t commands_ = 0;
  std::uint64_t refused_ = 0;
  std::uint64_t days_ = 0;
};

}  // namespace hallq::bench
