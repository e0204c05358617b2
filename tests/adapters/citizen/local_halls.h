// A HallSource over a local core::Hall (conf/town.toml), for the unit tests
// of the gateway's routes: commands applied directly, the cancel too, time
// set by hand. Thread: one owner thread.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "adapters/citizen/citizen_api.h"
#include "engine/config/config_loader.h"
#include "engine/core/calendar.h"
#include "engine/policy/policy_registry.h"
#include "engine/predict/forecast_predictor.h"

namespace hallq::testing {

class LocalHalls final : public citizen::HallSource {
 public:
  // 2025-11-24 10:00 local (UTC+8): day 20416.
  static constexpr core::TimeUs kStart = (20'416LL * 86'400 + 2 * 3'600) * core::kUsPerSecond;

  LocalHalls()
      : config_(config::load_hall_config(std::string(HALLQ_SOURCE_DIR) + "/conf/town.toml")),
        hall_(config_, policy::find_policy(config_->rules.policy), &predict::default_predictor()) {}

  const core::Hall* hall(std::string_view id) const override {
    return id == "town" && synced ? &hall_ : nullptr;
  }
  core::TimeUs now() const override { return now_; }
  std::optional<Outcome> cancel(std::string_view hall, std::string_view number) override {
    if (hall != "town") return Outcome{core::ErrorCode::kForbidden, "not here"};
    const core::Status st = apply(core::Cancel{std::string(number)});
    return Outcome{st.code(), st.message()};
  }

  std::optional<Outcome> issue_remote(std::string_view hall, const core::IssueRemote& command) override {
    if (hall != "town") return Outcome{core::ErrorCode::kForbidden, "not here", {}};
    ++remote_sent;
    std::vector<core::Event> out;
    now_ += core::kUsPerSecond;
    const core::Status st = hall_.apply(core::Command{{}, command}, now_, out);
    Outcome o{st.code(), st.message(), {}};
    for (const core::Event& e : out)
      if (std::holds_alternative<core::RemoteTicketIssued>(e.body))
        o.number = hall_.number_of(*hall_.find_ticket(std::get<core::RemoteTicketIssued>(e.body).ticket));
    return o;
  }

  std::optional<Outcome> check_in(std::string_view hall, std::uint32_t code) override {
    if (hall != "town") return Outcome{core::ErrorCode::kForbidden, "not here", {}};
    ++check_ins_sent;
    const core::Status st = apply(core::CheckIn{code});
    return Outcome{st.code(), st.message(), {}};
  }

  std::optional<Outcome> evaluate(std::string_view hall, const core::Evaluate& command) override {
    if (hall != "town") return Outcome{core::ErrorCode::kForbidden, "not here", {}};
    ++evaluations_sent;
    last_evaluation_channel = command.channel;
    const core::Status st = apply(command);
    return Outcome{st.code(), st.message(), {}};
  }

  core::Status apply(core::CommandBody body) {
    std::vector<core::Event> out;
    now_ += core::kUsPerSecond;
    return hall_.apply(core::Command{{}, std::move(body)}, now_, out);
  }
  std::string today() const { return core::format_date(hall_.day()); }
  core::Hall& town() { return hall_; }

  bool synced = true;
  int remote_sent = 0;       // IssueRemote commands that reached the "engine"
  int check_ins_sent = 0;    // CheckIn commands that reached the "engine"
  int evaluations_sent = 0;  // Evaluate commands that reached the "engine"
  core::EvaluationChannel last_evaluation_channel = core::EvaluationChannel::kKeypad;
  // Moves the hall's clock (the check-in token's slot follows it).
  void advance(core::TimeUs by) { now_ += by; }

 private:
  std::shared_ptr<const core::HallConfig> config_;
  core::Hall hall_;
  core::TimeUs now_ = kStart;
};

}  // namespace hallq::testing
