// The 好差评 records a hall's event log yields, for the provincial platform
// (adapters/upload) and the CSV export (`hallq evaluations`): one
// EvaluationRecord per rating 1..5 (TicketEvaluated; 0 未评价 is no record),
// carrying what the national records carry — the level, 差评 reasons and
// comment, channel, the ticket's number and times, service with its 事项编码
// and department code, the hall's 区划编码, window, staff, 即办件/承诺件, the
// case number — and one per work-order step (工单: called back, rectified)
// once those events exist (work_order_record, below). A 差评 (levels 1..2)
// opens its work order in the same command (WorkOrderOpened, the next
// event): its evaluation record is the order's opening and carries the
// order's id and due day, so the opening is no record of its own.
//
// Record ids (the platform's idempotency key) are stable and never reused:
// "HALL-E-TICKET" for the evaluation of ticket id TICKET (ticket ids are
// never reused in a hall; a ticket is rated at most once), "HALL-W-TICKET-SEQ"
// for a work-order step stored as event SEQ (the order id is the ticket id).
// Every record also carries `seq`, the event that completed it: records come
// out in event order, so a reader's position in the log is a cursor.
//
// A re-send (UploadResendRequested, engine/core/upload_rejection.h) yields
// the record again at the request's event: rebuilt from the log by this fold
// (so with the config the fold runs with: a 事项编码 fixed since is in it),
// the same id, `seq` the request's event and `resend` N for the Nth request
// of that id this fold has seen. Only for ids the owner asked to keep
// (keep_for_resend), and only if the fold saw the record's own event.
//
// The field names (record_json) follow the provinces' 好差评 interfaces; the
// table with their Chinese meaning is in the top-level README.
//
// Folding may start anywhere (like FactFold): a rating of a ticket whose
// TicketIssued was not folded yields no record (counted as unknown events
// by the fold). A reader must start early enough: a day before the first
// rating it wants, plus the hall's supplement days (补充评价).
//
// Thread: not thread-safe; one owner. Pure: no I/O, no clock.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "engine/core/event.h"
#include "engine/core/hall_config.h"
#include "engine/stats/ticket_facts.h"

namespace hallq::stats {

enum class RecordKind : std::uint8_t { kEvaluation, kWorkOrderCalledBack, kWorkOrderRectified };
// "evaluation", "work_order_called_back", "work_order_rectified".
std::string_view to_string(RecordKind k);

struct EvaluationRecord {
  RecordKind kind = RecordKind::kEvaluation;
  std::string id;         // the idempotency key (above)
  std::uint64_t seq = 0;  // the event that completed the record
  std::string hall;
  core::TicketId ticket = 0;
  std::string ticket_number;                                                 // "A012"
  std::int64_t ticket_day = 0;                                               // local day of issue
  core::TimeUs issued_at = 0, called_at = 0, finished_at = 0, rated_at = 0;  // 0: not (yet)
  int level = 0;                                                             // 1..5
  std::vector<std::string> reason_codes, reason_texts;                       // 差评 reasons (levels 1..2)
  std::string reasons_version;
  std::string comment;
  std::string channel = "keypad";  // keypad | phone | tablet | terminal
  bool supplementary = false;      // 补充评价 from the phone page, days later
  std::string service_id, service_name, item_code, department_code;
  core::ServiceKind service_kind = core::ServiceKind::kInstant;
  std::string division_code;
  std::string window_id, window_name;
  int window_number = 0;
  std::string staff_id, staff_name;
  std::string case_number;
  // A 差评's work order (its evaluation record and every step): the local
  // day the follow-up is due, as the engine set it when the order opened
  // (core::add_working_days of the rating's day, follow_up_working_days;
  // with the hall's config the fold runs with); 0 for levels 3..5.
  std::int64_t work_order_due_day = 0;
  // Work-order steps: what the step says (the callback's result, the
  // rectification), who recorded it (the manager's account) and when.
  std::string work_order_note;
  std::string work_order_by;
  core::TimeUs work_order_at = 0;
  int utc_offset_min = 8 * 60;  // of the times' text
  int resend = 0;               // 0: the record's own event; N: the Nth re-send asked for
};

std::string evaluation_record_id(std::string_view hall, core::TicketId ticket);
std::string work_order_record_id(std::string_view hall, core::TicketId ticket, std::uint64_t seq);

// Folds a hall's events and hands out the records they complete.
class EvaluationRecords {
 public:
  explicit EvaluationRecords(std::shared_ptr<const core::HallConfig> config);

  // Folds one event (events in sequence order); the record it completes, if
  // any, or the record a re-send request asks for (kept, below).
  std::optional<EvaluationRecord> add(const core::Event& e);

  // Keeps the records with these ids as the fold makes them, so that a
  // later UploadResendRequested of one yields it again. Without it (the CSV
  // export) a re-send request yields nothing.
  void keep_for_resend(std::unordered_set<std::string> ids) { wanted_ = std::move(ids); }

  const FactFold& fold() const { return fold_; }
  // The 差评 (levels 1..2) record of `ticket`, which a work order follows; null if none was folded.
  const EvaluationRecord* evaluation_of(core::TicketId ticket) const;

 private:
  std::shared_ptr<const core::HallConfig> config_;
  FactFold fold_;
  std::unordered_map<core::TicketId, EvaluationRecord> poor_;  // 差评 records, for their work orders
  std::unordered_set<std::string> wanted_;                     // keep_for_resend
  std::unordered_map<std::string, EvaluationRecord> kept_;     // by id; `resend` counts the requests

  std::optional<EvaluationRecord> make(const core::Event& e);
};

// A work-order step of ticket `facts` (WorkOrderOpened / CalledBack /
// Rectified, stored as event `seq` at `at`): the ticket's record with the
// step's kind, id, note, who recorded it and when. The order's ticket must
// have been folded.
EvaluationRecord work_order_record(const EvaluationRecord& evaluation, RecordKind step, std::uint64_t seq,
                                   core::TimeUs at, std::string note, std::string by);

// The record as the platform's JSON (one object; field names: README).
std::string record_json(const EvaluationRecord& r);

// "2026-12-04T09:31:05+08:00" in the hall's time; "" for 0.
std::string local_time_text(core::TimeUs t, int utc_offset_min);

}  // namespace hallq::stats
