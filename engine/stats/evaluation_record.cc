#include "engine/stats/evaluation_record.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <variant>

#include "engine/core/calendar.h"
#include "engine/core/ticket.h"
#include "engine/core/work_order.h"
#include "engine/core/working_days.h"

namespace hallq::stats {
namespace {

// 评价渠道 as the provinces' interfaces number them (pf): 3 二维码, 4 政务大厅平板电脑,
// 5 政务大厅其他终端 (a keypad 评价器 is one).
int platform_channel(std::string_view channel) {
  if (channel == "phone") return 3;
  if (channel == "tablet") return 4;
  return 5;
}

}  // namespace

std::string_view to_string(RecordKind k) {
  switch (k) {
    case RecordKind::kEvaluation:
      return "evaluation";
    case RecordKind::kWorkOrderCalledBack:
      return "work_order_called_back";
    case RecordKind::kWorkOrderRectified:
      return "work_order_rectified";
  }
  return "?";
}

std::string evaluation_record_id(std::string_view hall, core::TicketId ticket) {
  return fmt::format("{}-E-{}", hall, ticket);
}

std::string work_order_record_id(std::string_view hall, core::TicketId ticket, std::uint64_t seq) {
  return fmt::format("{}-W-{}-{}", hall, ticket, seq);
}

std::string local_time_text(core::TimeUs t, int utc_offset_min) {
  if (t == 0) return "";
  const core::CivilDate d = core::local_date(t, utc_offset_min);
  const int s = core::local_second_of_day(t, utc_offset_min);
  const int off = utc_offset_min < 0 ? -utc_offset_min : utc_offset_min;
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{}{:02}:{:02}", d.year, d.month, d.day, s / 3600,
                     s / 60 % 60, s % 60, utc_offset_min < 0 ? '-' : '+', off / 60, off % 60);
}

EvaluationRecords::EvaluationRecords(std::shared_ptr<const core::HallConfig> config)
    : config_(std::move(config)), fold_(config_->windows.size()) {}

std::optional<EvaluationRecord> EvaluationRecords::add(const core::Event& e) {
  if (const auto* resend = std::get_if<core::UploadResendRequested>(&e.body)) {
    fold_.add(e);
    const auto it = kept_.find(resend->record_id);
    if (it == kept_.end()) return std::nullopt;
    EvaluationRecord r = it->second;
    r.seq = e.seq;
    r.resend = ++it->second.resend;
    return r;
  }
  std::optional<EvaluationRecord> r = make(e);
  if (r && !wanted_.empty() && wanted_.contains(r->id)) kept_[r->id] = *r;
  return r;
}

std::optional<EvaluationRecord> EvaluationRecords::make(const core::Event& e) {
  fold_.add(e);
  // The order a 差评 opened: its due day as the engine set it, for the steps' records.
  if (const auto* opened = std::get_if<core::WorkOrderOpened>(&e.body)) {
    const auto it = poor_.find(opened->ticket);
    if (it != poor_.end() && opened->due_day != 0) it->second.work_order_due_day = opened->due_day;
    return std::nullopt;
  }
  // Work-order updates (回访, 整改) of a 差评 this fold has seen.
  if (const auto* called = std::get_if<core::WorkOrderCalledBack>(&e.body)) {
    const EvaluationRecord* poor = evaluation_of(called->ticket);
    if (poor == nullptr) return std::nullopt;
    return work_order_record(*poor, RecordKind::kWorkOrderCalledBack, e.seq, e.time,
                             (called->reached ? "已联系：" : "未联系上：") + called->note, called->by);
  }
  if (const auto* fixed = std::get_if<core::WorkOrderRectified>(&e.body)) {
    const EvaluationRecord* poor = evaluation_of(fixed->ticket);
    if (poor == nullptr) return std::nullopt;
    return work_order_record(*poor, RecordKind::kWorkOrderRectified, e.seq, e.time, fixed->note, fixed->by);
  }
  const auto* rated = std::get_if<core::TicketEvaluated>(&e.body);
  if (rated == nullptr || rated->level < 1 || rated->level > 5) return std::nullopt;
  const auto& tickets = fold_.tickets();
  if (tickets.empty() || rated->ticket < tickets.front().id || rated->ticket > tickets.back().id)
    return std::nullopt;
  const TicketFacts& f = tickets[rated->ticket - tickets.front().id];
  const core::HallConfig& hall = *config_;
  const Visit& done = f.last();  // the visit that was finished (a rating follows a finish)

  EvaluationRecord r;
  r.kind = RecordKind::kEvaluation;
  r.id = evaluation_record_id(hall.id, f.id);
  r.seq = e.seq;
  r.hall = hall.id;
  r.ticket = f.id;
  r.ticket_number =
      core::format_number(hall.services.at(f.service).prefix, f.number, hall.rules.number_digits);
  r.ticket_day = hall.local_day(f.issued_at);
  r.issued_at = f.issued_at;
  r.called_at = f.first_called_at();
  r.finished_at = done.end == VisitEnd::kFinished ? done.ended_at : 0;
  r.rated_at = e.time;
  r.level = rated->level;
  r.reasons_version = hall.evaluation.reasons_version;
  for (const std::string& code : rated->reasons) {
    const core::EvaluationReason* reason = core::find_reason(hall.evaluation, code);
    r.reason_codes.push_back(code);
    r.reason_texts.push_back(reason != nullptr ? reason->text : std::string());
  }
  r.comment = rated->comment;
  r.channel = std::string(core::to_string(rated->channel));
  r.supplementary = rated->supplementary;
  r.division_code = hall.division_code;
  r.case_number = f.case_number;
  if (done.service < hall.services.size()) {
    const core::ServiceConfig& s = hall.services[done.service];
    r.service_id = s.id;
    r.service_name = s.name;
    r.service_kind = s.kind;
    r.item_code = s.item_code;
    r.department_code = s.department_code;
  }
  if (done.end_window < hall.windows.size()) {
    const core::WindowConfig& w = hall.windows[done.end_window];
    r.window_id = w.id;
    r.window_name = w.name;
    r.window_number = w.number;
  }
  if (done.end_staff < fold_.staff_ids().size()) {
    r.staff_id = fold_.staff_ids()[done.end_staff];
    if (const core::StaffConfig* s = hall.find_staff(r.staff_id)) r.staff_name = s->name;
  }
  r.utc_offset_min = hall.utc_offset_min;
  if (r.level <= 2) {  // the work order this 差评 opened (hall_decide.cc: Evaluate)
    r.work_order_due_day =
        core::add_working_days(hall, hall.local_day(e.time), core::follow_up_working_days(hall));
    poor_[r.ticket] = r;
  }
  return r;
}

const EvaluationRecord* EvaluationRecords::evaluation_of(core::TicketId ticket) const {
  const auto it = poor_.find(ticket);
  return it == poor_.end() ? nullptr : &it->second;
}

EvaluationRecord work_order_record(const EvaluationRecord& evaluation, RecordKind step, std::uint64_t seq,
                                   core::TimeUs at, std::string note, std::string by) {
  EvaluationRecord r = evaluation;
  r.kind = step;
  r.id = work_order_record_id(r.hall, r.ticket, seq);
  r.seq = seq;
  r.work_order_note = std::move(note);
  r.work_order_by = std::move(by);
  r.work_order_at = at;
  return r;
}

std::string record_json(const EvaluationRecord& r) {
  const auto time = [&](core::TimeUs t) -> nlohmann::json {
    if (t == 0) return nullptr;
    return local_time_text(t, r.utc_offset_min);
  };
  nlohmann::json j = {
      {"recordId", r.id},
      {"recordKind", to_string(r.kind)},
      {"seq", r.seq},
      {"hallId", r.hall},
      {"areaCode", r.division_code},
      {"taskCode", r.item_code},
      {"taskName", r.service_name},
      {"serviceId", r.service_id},
      {"deptCode", r.department_code},
      {"projectType", r.service_kind == core::ServiceKind::kPromise ? 2 : 1},
      {"projectNo", r.case_number},
      {"ticketNo", r.ticket_number},
      {"ticketDate", core::format_date(r.ticket_day)},
      {"issueTime", time(r.issued_at)},
      {"callTime", time(r.called_at)},
      {"finishTime", time(r.finished_at)},
      {"assessTime", time(r.rated_at)},
      {"alternate", r.level},
      {"appraisald", r.reason_codes},
      {"appraisaldn", r.reason_texts},
      {"appraisalVersion", r.reasons_version},
      {"writingevaluation", r.comment},
      {"pf", platform_channel(r.channel)},
      {"channel", r.channel},
      {"isSupplement", r.supplementary},
      {"windowNo", r.window_number},
      {"windowId", r.window_id},
      {"windowName", r.window_name},
      {"handleUserId", r.staff_id},
      {"handleUserName", r.staff_name},
  };
  if (r.work_order_due_day != 0) {  // a 差评: the order it opened, or a step of it
    j["workOrderId"] = fmt::format("{}-{}", r.hall, r.ticket);
    j["workOrderDue"] = core::format_date(r.work_order_due_day);
  }
  if (r.kind != RecordKind::kEvaluation) {
    j["workOrderNote"] = r.work_order_note;
    j["workOrderBy"] = r.work_order_by;
    j["workOrderTime"] = time(r.work_order_at);
  }
  if (r.resend > 0) j["resend"] = r.resend;  // the Nth re-send of the record (not a CSV column)
  return j.dump();
}

}  // namespace hallq::stats
