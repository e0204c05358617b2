// The test hall's functions and fixture, compiled once (test_hall.h): the
// whole-state comparisons behind them are heavy templates.
#include "tests/support/test_hall.h"

namespace hallq::test {

std::shared_ptr<HallConfig> make_config(const ConfigTweak& tweak) {
  auto cfg = std::make_shared<HallConfig>();
  cfg->id = "test-hall";
  cfg->name = "测试便民服务中心";
  cfg->hours = {{8 * 60 + 30, 17 * 60 + 30}};
  cfg->wait_target_min = 20;
  cfg->utc_offset_min = 8 * 60;
  cfg->services = {
      {"social", "社保医保", "A", ServiceKind::kInstant, 6},
      {"civil", "民政", "B", ServiceKind::kInstant, 10},
      {"tax", "税务", "C", ServiceKind::kPromise, 4},
  };
  cfg->windows = {
      {"w1", 1, "社保窗口", WindowKind::kClassified, {{kSocial, 1}, {kCivil, 2}}},
      {"w2", 2, "民政窗口", WindowKind::kClassified, {{kCivil, 1}}},
      {"w3", 3, "综合窗口", WindowKind::kFallback, {{kSocial, 2}, {kCivil, 2}, {kTax, 1}}},
  };
  if (tweak) tweak(*cfg);
  if (auto problem = cfg->validate_and_index()) {
    ADD_FAILURE() << "test config invalid: " << problem->section << "[" << problem->index << "]."
                  << problem->key << ": " << problem->message;
  }
  return cfg;
}

::testing::AssertionResult well_ordered(const std::vector<Event>& log, Seq first) {
  for (std::size_t i = 0; i < log.size(); ++i) {
    if (log[i].seq != first + i)
      return ::testing::AssertionFailure()
             << "event " << i << " has seq " << log[i].seq << ", want " << first + i;
    if (i > 0 && log[i].time < log[i - 1].time)
      return ::testing::AssertionFailure() << "time goes back at " << describe(log[i]);
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult bodies_are(const std::vector<Event>& got, const std::vector<EventBody>& want) {
  bool ok = got.size() == want.size();
  for (std::size_t i = 0; ok && i < got.size(); ++i) ok = got[i].body == want[i];
  if (ok) return ::testing::AssertionSuccess();
  std::string msg = "got:\n";
  for (const Event& e : got) msg += "  " + describe(e) + "\n";
  msg += "want:\n";
  for (const EventBody& b : want) msg += "  " + describe(b) + "\n";
  return ::testing::AssertionFailure() << msg;
}

::testing::AssertionResult same_events(const std::vector<Event>& a, const std::vector<Event>& b) {
  if (a.size() != b.size())
    return ::testing::AssertionFailure() << "event counts differ: " << a.size() << " vs " << b.size();
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!(a[i] == b[i]))
      return ::testing::AssertionFailure()
             << "event " << i << ": " << describe(a[i]) << " vs " << describe(b[i]);
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult same_state(HallState a, HallState b, bool with_requests) {
  if (!with_requests) {
    a.requests.clear();
    b.requests.clear();
  }
  return same_value(a, b, "state");
}

void HallFixture::TearDown() {
  if (!hall_ || !check_log_on_teardown_) return;
  EXPECT_TRUE(well_ordered(log_));
  EXPECT_EQ(hall_->seq(), log_.size());
  Hall replica(config_, policy_, predictor_);
  for (const Event& e : log_) replica.apply_event(e);
  for (const auto& [id, rec] : remembered_) replica.remember_request(id, rec);
  EXPECT_TRUE(same_state(hall_->export_state(), replica.export_state())) << "fold of the log differs";
}

void HallFixture::build(const ConfigTweak& tweak, std::string_view policy) {
  config_ = make_config(tweak);
  policy_ = policy::find_policy(policy);
  ASSERT_NE(policy_, nullptr) << policy;
  predictor_ = &predict::default_predictor();
  hall_ = std::make_unique<Hall>(config_, policy_, predictor_);
  log_.clear();
  remembered_.clear();
  t0_ = config_->day_start(kDay) + 9 * 60 * kUsPerMinute;
}

Status HallFixture::apply(const CommandBody& body, TimeUs now, std::string_view request_id) {
  last_.clear();
  Status st = hall_->apply(Command{request_id, body}, now, last_);
  log_.insert(log_.end(), last_.begin(), last_.end());
  if (st.ok() && !request_id.empty()) {
    if (const RequestRecord* r = hall_->find_request(request_id))
      remembered_.emplace_back(std::string(request_id), *r);
  }
  return st;
}

std::vector<Event> HallFixture::ok(const CommandBody& body, TimeUs now, std::string_view request_id) {
  Status st = apply(body, now, request_id);
  if (!st.ok()) {
    ADD_FAILURE() << verb(body) << " refused: " << to_string(st.code()) << " " << st.message();
  }
  return last_;
}

::testing::AssertionResult HallFixture::refused(const CommandBody& body, ErrorCode code, TimeUs now,
                                                std::string_view request_id) {
  const HallState before = hall_->export_state();
  const std::size_t log_size = log_.size();
  Status st = apply(body, now, request_id);
  if (st.ok()) return ::testing::AssertionFailure() << verb(body) << " was accepted";
  if (st.code() != code) {
    return ::testing::AssertionFailure() << verb(body) << " refused with " << to_string(st.code()) << " ("
                                         << st.message() << "), want " << to_string(code);
  }
  if (st.message().empty()) return ::testing::AssertionFailure() << "refusal without a message";
  if (!last_.empty() || log_.size() != log_size)
    return ::testing::AssertionFailure() << "refusal emitted " << last_.size() << " events";
  if (!request_id.empty() && hall_->find_request(request_id) != nullptr)
    return ::testing::AssertionFailure() << "refused request id was remembered";
  return same_state(before, hall_->export_state()) << " after refused " << verb(body);
}

const Ticket& HallFixture::ticket(std::string_view number) {
  const Ticket* t = hall_->find_number(number);
  if (t == nullptr) {
    ADD_FAILURE() << "no ticket " << number;
    static const Ticket kNone;
    return kNone;
  }
  return *t;
}

std::vector<std::string> HallFixture::queue_numbers(ServiceIdx s) const {
  std::vector<std::string> out;
  for (QueueClass c : {QueueClass::kReturning, QueueClass::kPriority, QueueClass::kNormal})
    for (const QueueEntry& e : hall_->queue(s).line(c))
      out.push_back(hall_->number_of(*hall_->find_ticket(e.ticket)));
  return out;
}

std::string HallFixture::call_next(std::string_view window, TimeUs now) {
  if (!apply(CallNext{window}, now).ok()) return "";
  const auto* called = std::get_if<TicketCalled>(&last_.back().body);
  return called ? hall_->number_of(*hall_->find_ticket(called->ticket)) : "";
}

std::string HallFixture::serve_next(std::string_view window, TimeUs now) {
  std::string n = call_next(window, now);
  if (n.empty()) return n;
  ok(StartService{window}, now);
  ok(Finish{window}, now);
  return n;
}

}  // namespace hallq::test
