// Incremental statistics of one hall: feed each event once, as it happens
// (add), and ask for the figures whenever needed (result). The engine's live
// dashboard keeps one per hall fed from its events; the history reader
// (history.h) and `hallq report` fold a stored range through one.
//
// Memory grows with the tickets folded (about 150 bytes each): a live owner
// should start a new builder every day or so, carrying over nothing (windows
// open at that moment count from their next event on; see ticket_facts.h).
//
// Thread: not thread-safe; one owner. result() does not change the builder.
// The config must outlive the builder.
#pragma once

#include <memory>

#include "engine/core/event.h"
#include "engine/core/hall_config.h"
#include "engine/stats/aggregate.h"
#include "engine/stats/ticket_facts.h"

namespace hallq::stats {

class StatsBuilder {
 public:
  explicit StatsBuilder(std::shared_ptr<const core::HallConfig> config)
      : config_(std::move(config)), fold_(config_->windows.size()) {}

  void add(const core::Event& e) { fold_.add(e); }

  // The figures of everything folded so far, grouped as `options` ask; open
  // windows count until options.as_of (the live dashboard passes now).
  Stats result(const AggregateOptions& options = {}) const { return aggregate(fold_, *config_, options); }

  const FactFold& fold() const { return fold_; }
  const core::HallConfig& config() const { return *config_; }

 private:
  std::shared_ptr<const core::HallConfig> config_;
  FactFold fold_;
};

}  // namespace hallq::stats
