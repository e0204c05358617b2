#include "fuzz/fuzz_halls.h"

#include <array>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/config/config_loader.h"
#include "engine/policy/policy_registry.h"
#include "engine/predict/forecast_predictor.h"

namespace hallq::fuzz {
namespace {

// 2026-11-24 10:00 local (UTC+8): within every sample hall's hours.
constexpr core::TimeUs kMidDay = (20'416LL * 86'400 + 2 * 3'600) * core::kUsPerSecond;

struct Sample {
  std::shared_ptr<const core::HallConfig> config;
  core::HallState mid_day;
};

void must(const core::Status& st, const char* what) {
  if (!st.ok()) throw std::runtime_error(std::string("fuzz sample hall: ") + what + ": " + st.message());
}

Sample load(const char* name) {
  Sample s;
  s.config = config::load_hall_config(std::string(HALLQ_SOURCE_DIR) + "/conf/" + name + ".toml");
  core::Hall hall(s.config, policy::find_policy(s.config->rules.policy), &predict::default_predictor());
  std::vector<core::Event> out;
  core::TimeUs now = kMidDay - 3'600 * core::kUsPerSecond;
  auto step = [&](core::CommandBody body, const char* what) {
    out.clear();
    now += 7 * core::kUsPerSecond;
    must(hall.apply(core::Command{{}, std::move(body)}, now, out), what);
  };
  const std::string w0 = s.config->windows.front().id;
  const std::string staff = s.config->staff.empty() ? std::string() : s.config->staff.front().id;
  for (std::size_t k = 0; k < 12; ++k) {
    const auto& svc = s.config->services[k % s.config->services.size()];
    step(core::IssueTicket{svc.id, k % 5 == 0 ? core::Priority::kPriority : core::Priority::kNormal},
         "issue");
  }
  for (const auto& w : s.config->windows) {
    out.clear();
    now += core::kUsPerSecond;
    (void)hall.apply(core::Command{{}, core::OpenWindow{w.id, staff}}, now, out);  // staff may be refused
  }
  step(core::CallNext{w0}, "call");
  step(core::StartService{w0}, "start");
  if (s.config->windows.size() > 1)
    (void)hall.apply(core::Command{{}, core::CallNext{s.config->windows[1].id}}, now, out);
  s.mid_day = hall.export_state(true);
  return s;
}

const std::array<Sample, kSampleHalls>& samples() {
  static const std::array<Sample, kSampleHalls> all = {load("town"), load("district"), load("bank")};
  return all;
}

}  // namespace

const core::HallConfig& sample_config(std::size_t i) { return *samples().at(i).config; }
std::shared_ptr<const core::HallConfig> sample_config_ptr(std::size_t i) { return samples().at(i).config; }

std::unique_ptr<core::Hall> mid_day_hall(std::size_t i) {
  const Sample& s = samples().at(i);
  auto hall = std::make_unique<core::Hall>(s.config, policy::find_policy(s.config->rules.policy),
                                           &predict::default_predictor());
  hall->import_state(s.mid_day);
  return hall;
}

core::TimeUs mid_day_now() { return kMidDay; }

}  // namespace hallq::fuzz
