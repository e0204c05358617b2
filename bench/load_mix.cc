#include "bench/load_mix.h"

#include <fmt/format.h>

#include <stdexcept>

namespace hallq::bench {
namespace {

// Kiosks: round robin over the client's halls, and in each over its services.
class IssueSource final : public CommandSource {
 public:
  IssueSource(std::vector<const HallInfo*> halls, int client)
      : halls_(std::move(halls)), s_(static_cast<std::size_t>(client)) {}
  Command next() override {
    const HallInfo& hall = *halls_[h_];
    const auto& services = hall.config->services;
    const Command command{hall.id, core::IssueTicket{services[s_ % services.size()].id}};
    if (++h_ == halls_.size()) {
      h_ = 0;
      ++s_;
    }
    return command;
  }
  bool expected(core::ErrorCode) const override { return false; }

 private:
  std::vector<const HallInfo*> halls_;
  std::size_t h_ = 0, s_;
};

// Clerks: round robin over the client's windows (of one hall or several).
class CycleSource final : public CommandSource {
 public:
  struct Owned {
    const HallInfo* hall;
    core::WindowIdx window;
  };
  explicit CycleSource(std::vector<Owned> windows)
      : windows_(std::move(windows)), phase_(windows_.size(), 0) {}
  Command next() override {
    const core::HallConfig& cfg = *windows_[at_].hall->config;
    const core::WindowIdx w = windows_[at_].window;
    const std::string_view window = cfg.windows[w].id;
    core::CommandBody body;
    switch (phase_[at_]) {
      case 0:
        body = core::IssueTicket{cfg.services[cfg.windows[w].serves.front().service].id};
        break;
      case 1:
        body = core::CallNext{window};
        break;
      case 2:
        body = core::StartService{window};
        break;
      default:
        body = core::Finish{window};
        break;
    }
    const std::string_view hall = windows_[at_].hall->id;
    phase_[at_] = static_cast<std::uint8_t>((phase_[at_] + 1) % 4);
    if (++at_ == windows_.size()) at_ = 0;
    return {hall, std::move(body)};
  }
  // Another window may take the ticket this one just issued: then call-next
  // finds nothing, and start and finish have no ticket to act on.
  bool expected(core::ErrorCode code) const override {
    return code == core::ErrorCode::kQueueEmpty || code == core::ErrorCode::kNoCurrentTicket;
  }

 private:
  std::vector<Owned> windows_;
  std::vector<std::uint8_t> phase_;
  std::size_t at_ = 0;
};

}  // namespace

std::vector<std::size_t> halls_of_client(int c, int clients, std::size_t halls) {
  const auto cc = static_cast<std::size_t>(c), n = static_cast<std::size_t>(clients);
  if (n >= halls) return {cc % halls};
  std::vector<std::size_t> out;
  for (std::size_t h = cc; h < halls; h += n) out.push_back(h);
  return out;
}

void require_a_window_per_client(const std::vector<HallInfo>& halls, int clients) {
  // Clients per hall (at most).
  const std::size_t per_hall = (static_cast<std::size_t>(clients) + halls.size() - 1) / halls.size();
  for (const HallInfo& hall : halls) {
    if (per_hall > hall.config->windows.size()) {
      throw std::runtime_error(
          fmt::format("--mix cycle: hall {} has {} windows, fewer than its {} clients (each client "
                      "needs a window of its own)",
                      hall.id, hall.config->windows.size(), per_hall));
    }
  }
}

std::vector<std::unique_ptr<CommandSource>> make_sources(std::string_view mix,
                                                         const std::vector<HallInfo>& halls, int n_clients) {
  std::vector<std::unique_ptr<CommandSource>> sources;
  for (int c = 0; c < n_clients; ++c) {
    const std::vector<std::size_t> mine = halls_of_client(c, n_clients, halls.size());
    if (mix == "cycle") {
      std::vector<CycleSource::Owned> owned;
      for (std::size_t h : mine) {
        // Clients c, c + N, c + 2N, ... share hall h = c mod N: the j-th of
        // them owns windows j, j + n, j + 2n, ... of its n.
        std::size_t j = 0, n = 1;
        if (static_cast<std::size_t>(n_clients) >= halls.size()) {
          j = static_cast<std::size_t>(c) / halls.size();
          n = (static_cast<std::size_t>(n_clients) - h + halls.size() - 1) / halls.size();
        }
        for (std::size_t w = j; w < halls[h].config->windows.size(); w += n)
          owned.push_back({&halls[h], static_cast<core::WindowIdx>(w)});
      }
      sources.push_back(std::make_unique<CycleSource>(std::move(owned)));
    } else {
      std::vector<const HallInfo*> theirs;
      for (std::size_t h : mine) theirs.push_back(&halls[h]);
      sources.push_back(std::make_unique<IssueSource>(std::move(theirs), c));
    }
  }
  return sources;
}

void prepare_cycle(const HallInfo& hall, std::size_t prefill, std::vector<SetupCommand>& out) {
  const core::HallConfig& cfg = *hall.config;
  for (std::size_t w = 0; w < cfg.windows.size(); ++w) {
    const core::Window& live = hall.state.windows[w];
    const std::string_view id = cfg.windows[w].id;
    const std::string_view staff =
        cfg.staff.empty() ? std::string_view() : cfg.staff[w % cfg.staff.size()].id;
    if (live.state == core::WindowState::kClosed) {
      out.push_back({hall.id, core::OpenWindow{id, staff}, true});
    } else if (live.state == core::WindowState::kPaused) {
      out.push_back({hall.id, core::ResumeWindow{id}, true});
    }
    if (live.current != 0) {
      out.push_back({hall.id, core::StartService{id}, false});
      out.push_back({hall.id, core::Finish{id}, false});
    }
  }
  for (std::size_t i = 0; i < prefill; ++i) {
    const auto& w = cfg.windows[i % cfg.windows.size()];
    out.push_back({hall.id, core::IssueTicket{cfg.services[w.serves.front().service].id}, true});
  }
}

}  // namespace hallq::bench
