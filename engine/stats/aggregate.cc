#include "engine/stats/aggregate.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace hallq::stats {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kUsPerMin = 60.0 * 1e6;

struct Acc {
  Figures f;
  std::vector<std::int64_t> waits, handles;  // microseconds
  std::int64_t open_us = 0, paused_us = 0, busy_us = 0;
};

struct SliceAcc {
  Acc hall;
  std::vector<Acc> services, windows, staff;
  SliceAcc(std::size_t s, std::size_t w, std::size_t st) : services(s), windows(w), staff(st) {}
};

constexpr std::size_t kNone = static_cast<std::size_t>(-1);

double mean_min(const std::vector<std::int64_t>& v) {
  if (v.empty()) return kNaN;
  double sum = 0;
  for (std::int64_t x : v) sum += static_cast<double>(x);
  return sum / static_cast<double>(v.size()) / kUsPerMin;
}

double share(double num, double den) { return den > 0 ? num / den : kNaN; }

Figures finish(Acc& a) {
  Figures f = a.f;
  f.wait_mean_min = mean_min(a.waits);
  f.wait_p90_min = p90_of(a.waits) / kUsPerMin;
  f.wait_max_min =
      a.waits.empty() ? kNaN : static_cast<double>(a.waits.back()) / kUsPerMin;  // sorted by p90_of
  f.over_target_share = share(f.over_target, f.called);
  f.handle_mean_min = mean_min(a.handles);
  f.handle_p90_min = p90_of(a.handles) / kUsPerMin;
  f.rated = f.ratings[1] + f.ratings[2] + f.ratings[3] + f.ratings[4] + f.ratings[5];
  f.satisfaction = share(f.ratings[4] + f.ratings[5], f.rated);
  f.good = f.ratings[4] + f.ratings[5];
  f.bad = f.ratings[1] + f.ratings[2];
  f.good_rate = share(f.good, f.rated);
  f.bad_rate = share(f.bad, f.rated);
  f.callback_rate = share(f.called_back, f.work_orders);
  f.rectify_rate = share(f.rectified, f.work_orders);
  f.no_show_rate = share(f.no_shows, f.called);
  f.left_rate = share(f.left, f.issued);
  f.open_s = static_cast<double>(a.open_us) / 1e6;
  f.paused_s = static_cast<double>(a.paused_us) / 1e6;
  f.busy_s = static_cast<double>(a.busy_us) / 1e6;
  f.utilisation = share(f.busy_s, f.open_s);
  return f;
}

class Aggregator {
 public:
  Aggregator(const FactFold& fold, const core::HallConfig& config, const AggregateOptions& o)
      : fold_(fold),
        config_(config),
        o_(o),
        ns_(config.services.size()),
        nw_(config.windows.size()),
        nst_(fold.staff_ids().size()),
        total_(ns_, nw_, nst_) {}

  Stats run() {
    const std::int64_t target_us =
        static_cast<std::int64_t>(std::llround(config_.wait_target_min * kUsPerMin));
    for (const TicketFacts& t : fold_.tickets()) {
      add(t.issued_at, t.service, kNone, kNone, [](Acc& a) { ++a.f.issued; });
      const Visit& first = t.first();
      if (first.first_called_at != 0) {
        const std::int64_t wait = t.wait_us();
        add(first.first_called_at, t.service, first.call_window, first.call_staff, [&](Acc& a) {
          ++a.f.called;
          a.waits.push_back(wait);
          if (wait > target_us) ++a.f.over_target;
        });
      }
      for (const Visit& v : t.visits) {
        switch (v.end) {
          case VisitEnd::kOpen:
            break;
          case VisitEnd::kFinished:
            add(v.ended_at, v.service, v.end_window, v.end_staff, [&](Acc& a) {
              ++a.f.served;
              a.handles.push_back(v.handling_us);
            });
            break;
          case VisitEnd::kTransferred:
            add(v.ended_at, v.service, v.end_window, v.end_staff, [](Acc& a) { ++a.f.transferred; });
            break;
          case VisitEnd::kNoShow:
            add(v.ended_at, v.service, v.end_window, v.end_staff, [](Acc& a) { ++a.f.no_shows; });
            break;
          case VisitEnd::kLeft: {
            const bool gave_up = t.leave_reason == core::LeaveReason::kGaveUp;
            add(v.ended_at, v.service, kNone, kNone, [&](Acc& a) {
              ++a.f.left;
              ++(gave_up ? a.f.gave_up : a.f.cancelled);
            });
            break;
          }
          case VisitEnd::kExpired:
            add(v.ended_at, v.service, kNone, kNone, [](Acc& a) { ++a.f.expired; });
            break;
        }
      }
    }
    const core::TimeUs as_of = std::min(o_.as_of != 0 ? o_.as_of : fold_.last_time(), o_.to);
    for (const TicketFacts& t : fold_.tickets())
      add_rating(t, o_.judged_at != 0 ? std::min(o_.judged_at, o_.to) : as_of);
    for (const WindowSpan& s : fold_.spans()) add_span(s);
    for (const WindowSpan& s : fold_.open_spans(as_of)) add_span(s);
    return build();
  }

 private:
  bool in_range(core::TimeUs t) const { return t >= o_.from && t < o_.to; }

  SliceAcc& slice_at(std::int64_t key) {
    if (cached_ != nullptr && cached_key_ == key) return *cached_;
    auto it = slices_.find(key);
    if (it == slices_.end()) it = slices_.emplace(key, SliceAcc(ns_, nw_, nst_)).first;
    cached_key_ = key;
    cached_ = &it->second;
    return it->second;
  }

  template <class Fn>
  void add_to(SliceAcc& s, std::size_t service, std::size_t window, std::size_t staff, const Fn& fn) {
    fn(s.hall);
    if (service < ns_) fn(s.services[service]);
    if (window < nw_) fn(s.windows[window]);
    if (staff < nst_) fn(s.staff[staff]);
  }

  template <class Fn>
  void add(core::TimeUs t, std::size_t service, std::size_t window, std::size_t staff, const Fn& fn) {
    if (!in_range(t)) return;
    add_to(total_, service, window, staff, fn);
    if (o_.period != Period::kAll)
      add_to(slice_at(bucket_of(config_, o_.period, t)), service, window, staff, fn);
  }
  void add(core::TimeUs t, std::size_t service, WindowIdx window, StaffRef staff, const auto& fn) {
    add(t, service, window == core::kNoWindow ? kNone : std::size_t{window},
        staff == kNoStaffRef ? kNone : std::size_t{staff}, fn);
  }

  // The rating and the work order of a finished ticket, credited like its
  // finish (the finished visit's service, window and staff).
  void add_rating(const TicketFacts& t, core::TimeUs judged) {
    const Visit& v = t.last();
    if (t.rating < 0 || v.end != VisitEnd::kFinished) return;
    const OrderFacts& o = t.order;
    auto done = [&](core::TimeUs at) { return at != 0 && at <= judged && at < o_.to; };
    add(t.rated_at, v.service, v.end_window, v.end_staff, [&](Acc& a) {
      ++a.f.ratings[static_cast<std::size_t>(t.rating)];
      if (o.opened_at == 0) return;
      ++a.f.work_orders;
      if (done(o.called_back_at)) ++a.f.called_back;
      if (done(o.reached_at)) ++a.f.reached;
      if (done(o.rectified_at)) ++a.f.rectified;
    });
    if (o.opened_at == 0) return;
    const core::TimeUs deadline = config_.day_start(o.due_day + 1);  // the end of the due day
    const bool on_time = o.rectified_at != 0 && o.rectified_at < deadline;
    if (!on_time && deadline <= judged)
      add(deadline, v.service, v.end_window, v.end_staff, [](Acc& a) { ++a.f.overdue; });
  }

  void add_span(const WindowSpan& s) {
    core::TimeUs b = std::max(s.begin, o_.from), e = std::min(s.end, o_.to);
    while (b < e) {
      core::TimeUs piece_end = e;
      if (o_.period != Period::kAll) {
        const std::int64_t key = bucket_of(config_, o_.period, b);
        piece_end = std::min(e, bucket_start(config_, o_.period, key + 1));
      }
      const std::int64_t len = piece_end - b;
      auto fn = [&](Acc& a) {
        if (s.paused) {
          a.paused_us += len;
        } else {
          a.open_us += len;
          if (s.busy) a.busy_us += len;
        }
      };
      add(b, kNone, s.window, s.staff, fn);
      b = piece_end;
    }
  }

  Slice finish_slice(SliceAcc& a, std::int64_t key) {
    Slice s;
    s.key = key;
    s.label = bucket_label(o_.period, key);
    if (o_.period == Period::kAll) {
      s.begin = o_.from;
      s.end = o_.to;
    } else {
      s.begin = std::max(o_.from, bucket_start(config_, o_.period, key));
      s.end = std::min(o_.to, bucket_start(config_, o_.period, key + 1));
    }
    s.hall = finish(a.hall);
    for (Acc& x : a.services) s.services.push_back(finish(x));
    for (Acc& x : a.windows) s.windows.push_back(finish(x));
    for (Acc& x : a.staff) s.staff.push_back(finish(x));
    return s;
  }

  Stats build() {
    Stats out;
    out.period = o_.period;
    out.from = o_.from;
    out.to = o_.to;
    out.wait_target_min = config_.wait_target_min;
    out.staff_ids = fold_.staff_ids();
    out.tickets = fold_.tickets().size();
    out.total = finish_slice(total_, 0);
    out.total.label = bucket_label(Period::kAll, 0);
    if (o_.period == Period::kAll) return out;
    // Every period of a bounded range, quiet ones included.
    const bool bounded = o_.from > 0 && o_.to != std::numeric_limits<core::TimeUs>::max() && o_.from < o_.to;
    if (bounded) {
      const std::int64_t first = bucket_of(config_, o_.period, o_.from);
      const std::int64_t last = bucket_of(config_, o_.period, o_.to - 1);
      if (static_cast<std::uint64_t>(last - first) < o_.fill_limit) {
        for (std::int64_t k = first; k <= last; ++k) slice_at(k);
      }
    }
    for (auto& [key, acc] : slices_) out.slices.push_back(finish_slice(acc, key));
    return out;
  }

  const FactFold& fold_;
  const core::HallConfig& config_;
  const AggregateOptions& o_;
  std::size_t ns_, nw_, nst_;
  SliceAcc total_;
  std::map<std::int64_t, SliceAcc> slices_;
  std::int64_t cached_key_ = 0;
  SliceAcc* cached_ = nullptr;
};

}  // namespace

double p90_of(std::vector<std::int64_t>& values) {
  if (values.empty()) return kNaN;
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return static_cast<double>(values[std::min(n - 1, static_cast<std::size_t>(0.9 * static_cast<double>(n)))]);
}

Stats aggregate(const FactFold& fold, const core::HallConfig& config, const AggregateOptions& options) {
  Aggregator a(fold, config, options);
  return a.run();
}

}  // namespace hallq::stats
