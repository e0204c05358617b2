// The forward play of a hall. Windows are kept in a heap by the time they
// become free; each free window asks the hall's policy (on the simulated
// queues) for its next ticket and is busy for that service's mean handling
// time. A window the policy leaves idle stays idle: with no arrivals in the
// play, queues only shrink and the policies' eligibility rules do not change.
//
// The play reads the hall's own queue sets through iterators (nothing is
// copied), so a capped play costs the same however long the queues are.
// Remote tickets not checked in are merged into their normal lines from a
// small sorted vector per service (empty, and free, in a hall without them).
#include "engine/predict/forecast.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <utility>

#include "engine/predict/check_in_share.h"

namespace hallq::predict {
namespace {

using core::QueueClass;
using core::QueueEntry;
using core::TimeUs;

constexpr int kReturning = static_cast<int>(QueueClass::kReturning);
constexpr int kPriority = static_cast<int>(QueueClass::kPriority);
constexpr int kNormal = static_cast<int>(QueueClass::kNormal);

// Probe ids: at the top of the id space, two per service (ticket ids count up from 1).
core::TicketId probe_id(std::size_t service, bool priority) {
  return ~core::TicketId{0} - (2 * service + (priority ? 1 : 0));
}

// What the play took off a line.
enum class Taken : std::uint8_t {
  kTicket,         // a waiting ticket
  kRemoteCounted,  // a remote ticket not checked in, counted as coming: served like a waiting one
  kRemoteProbe,    // a remote ticket not checked in, not counted: takes no time
  kNewcomer,       // a newcomer's probe
};

// A remote ticket not checked in, at its place in its normal line. Sorts
// after a real entry of the same key (a checked-in one is enqueued later)
// and before a newcomer's probe.
struct Awaiting {
  QueueEntry entry;
  bool counted = false;
};
constexpr std::uint64_t kAwaitingOrder = std::numeric_limits<std::uint64_t>::max() - 1;

// Per service, its remote tickets not checked in, in line order, each marked
// counted or not (check_in_share.h); without `uncounted` only the counted
// (a newcomer's play needs no remote ticket's own call).
std::vector<std::vector<Awaiting>> awaiting_by_service(const core::Hall& hall, bool uncounted) {
  if (hall.remotes().empty()) return {};  // no allocation in a hall without them
  std::vector<std::vector<Awaiting>> by(hall.config().services.size());
  const CheckInShare share = check_in_share(hall);
  for (const core::RemoteTicket& r : hall.remotes()) {
    if (r.state != core::RemoteState::kAwaiting) continue;
    const core::Ticket* t = hall.find_ticket(r.ticket);
    if (t == nullptr || t->state != core::TicketState::kNotArrived) continue;  // cancelled
    by[t->service].push_back({{t->queue_key, kAwaitingOrder, t->id}, r.grace_until != 0});
  }
  std::vector<double> weights;
  for (std::vector<Awaiting>& line : by) {
    if (line.empty()) continue;
    std::sort(line.begin(), line.end(),
              [](const Awaiting& a, const Awaiting& b) { return a.entry < b.entry; });
    weights.clear();
    // `counted` holds "in grace" until the weights are made.
    for (const Awaiting& a : line) weights.push_back(a.counted ? share.in_grace : share.before_turn);
    const std::vector<bool> counted = counted_in_play(weights);
    for (std::size_t k = 0; k < line.size(); ++k) line[k].counted = counted[k];
    if (!uncounted) std::erase_if(line, [](const Awaiting& a) { return !a.counted; });
  }
  return by;
}

// The hall's queues as the play consumes them; everything else as the hall is.
class PlayView final : public core::CallView {
 public:
  PlayView(const core::Hall& hall, TimeUs now, std::vector<std::vector<Awaiting>> awaiting) : hall_(hall) {
    const std::size_t ns = hall.config().services.size();
    lines_.resize(ns);
    waiting_.assign(ns, 0);
    mean_handle_.resize(ns);
    handle_us_.resize(ns);
    arrival_rate_.resize(ns);
    for (std::size_t s = 0; s < ns; ++s) {
      const auto si = static_cast<core::ServiceIdx>(s);
      for (int c = 0; c < core::kQueueClasses; ++c) {
        const auto& set = hall.queue(si).line(static_cast<QueueClass>(c));
        Line& l = lines_[s][c];
        l.next = set.begin();
        l.end = set.end();
        l.left = set.size();
        // A newcomer now sorts after everyone in its line (every key is <= now).
        l.probe = {now, std::numeric_limits<std::uint64_t>::max(), probe_id(s, c == kPriority)};
        l.probe_left = c != kReturning;
        if (c == kNormal && s < awaiting.size()) {
          l.awaiting = std::move(awaiting[s]);
          const auto counted = static_cast<std::size_t>(std::count_if(
              l.awaiting.begin(), l.awaiting.end(), [](const Awaiting& a) { return a.counted; }));
          l.left += counted;
          waiting_[s] += l.awaiting.size() - counted;  // the probes among them
        }
        waiting_[s] += l.left + (l.probe_left ? 1 : 0);
      }
      // What the policy asks of the hall does not change during the play.
      mean_handle_[s] = hall.mean_handle_s(si);
      handle_us_[s] = static_cast<TimeUs>(mean_handle_[s] * core::kUsPerSecond);
      arrival_rate_[s] = hall.arrival_rate(si, now);
    }
    consecutive_.resize(hall.windows().size());
    for (std::size_t w = 0; w < consecutive_.size(); ++w)
      consecutive_[w] = hall.window(static_cast<core::WindowIdx>(w)).consecutive_priority;
    // The remote-call share cap matters only where there are remote tickets.
    cap_ = hall.remotes().empty() ? 1.0 : hall.config().rules.remote_call_share;
    calls_ = hall.calls_today();
    remote_calls_ = hall.remote_calls_today();
  }

  const core::HallConfig& config() const override { return hall_.config(); }
  const std::vector<core::Skill>& skills(core::WindowIdx w) const override { return hall_.skills(w); }
  int consecutive_priority(core::WindowIdx w) const override { return consecutive_[w]; }
  const QueueEntry* head(core::ServiceIdx s, QueueClass c) const override {
    const Line& l = lines_[s][static_cast<int>(c)];
    if (l.awaiting_head()) return &l.awaiting[l.ai].entry;
    if (l.next != l.end) return &*l.next;
    return l.probe_left ? &l.probe : nullptr;
  }
  bool has_waiting(core::ServiceIdx s) const override { return waiting_[s] > 0; }
  double mean_handle_s(core::ServiceIdx s) const override { return mean_handle_[s]; }
  // Arrivals go on in reality: keep the rate of `now` through the play.
  double arrival_rate(core::ServiceIdx s, TimeUs) const override { return arrival_rate_[s]; }
  int open_windows(core::ServiceIdx s, int level) const override { return hall_.open_windows(s, level); }

  // Takes `ticket` off the head of its line among window `w`'s services;
  // false if it is not such a head (a policy may only name those). As the
  // hall does (HallRules::remote_call_share), a remote ticket's first call
  // that would put remote tickets over their share of the day's first calls
  // goes to the first walk-in behind it in its line instead: `ticket` is then
  // that one.
  bool take(core::WindowIdx w, core::TicketId& ticket, core::ServiceIdx& service, int& cls, Taken& taken) {
    for (const core::Skill& k : hall_.skills(w)) {
      for (int c = 0; c < core::kQueueClasses; ++c) {
        if (!is_head(k.service, c, ticket)) continue;
        service = k.service;
        cls = c;
        if (cap_ >= 1) {  // no cap, or no remote ticket today
          taken = consume(k.service, c);
          return true;
        }
        bool remote = false;
        const bool first = is_first_call(k.service, c, remote);
        if (remote && remote_calls_ + 1 > cap_ * (calls_ + 1) + 1e-9 &&
            take_walk_in(k.service, c, ticket, taken)) {
          if (taken == Taken::kTicket) ++calls_;
          return true;
        }
        taken = consume(k.service, c);
        if (first) {
          ++calls_;
          if (remote) ++remote_calls_;
        }
        return true;
      }
    }
    return false;
  }
  TimeUs handle_us(core::ServiceIdx s) const { return handle_us_[s]; }
  void count_call(core::WindowIdx w, int cls) {
    consecutive_[w] = cls == kNormal ? 0 : std::min(255, consecutive_[w] + 1);
  }
  // Real tickets (and remote ones counted as coming) still in line ahead of
  // a newcomer of `s` (priority: the returning and priority lines; normal:
  // all three).
  std::size_t left_ahead(core::ServiceIdx s, bool priority) const {
    std::size_t n = lines_[s][kReturning].left + lines_[s][kPriority].left;
    return priority ? n : n + lines_[s][kNormal].left;
  }
  bool probe_left(core::ServiceIdx s, bool priority) const {
    return lines_[s][priority ? kPriority : kNormal].probe_left;
  }

 private:
  bool is_head(core::ServiceIdx s, int c, core::TicketId ticket) const {
    const QueueEntry* h = head(s, static_cast<QueueClass>(c));
    return h != nullptr && h->ticket == ticket;
  }
  // Whether taking the head of line (s, c) is a first call today that the
  // hall counts (HallRules::remote_call_share); `remote`: of a remote ticket.
  // A remote ticket not checked in counts if the play counts it as coming;
  // probes (its own, a newcomer's) take no time and are no calls.
  bool is_first_call(core::ServiceIdx s, int c, bool& remote) const {
    const Line& l = lines_[s][c];
    if (l.awaiting_head()) return remote = l.awaiting[l.ai].counted;
    if (l.next == l.end) return remote = false;
    const core::Ticket* t = hall_.find_ticket(l.next->ticket);
    const bool first = t != nullptr && t->first_called_at == 0;
    remote = first && hall_.find_remote(t->id) != nullptr;
    return first;
  }
  // Takes, out of order, the first walk-in of line (s, c): a real ticket that
  // is not a remote one, else the newcomer's probe; false if neither is left.
  bool take_walk_in(core::ServiceIdx s, int c, core::TicketId& ticket, Taken& taken) {
    Line& l = lines_[s][c];
    for (auto it = l.next; it != l.end; ++it) {
      if (hall_.find_remote(it->ticket) != nullptr || l.was_taken(it->ticket)) continue;
      ticket = it->ticket;
      taken = Taken::kTicket;
      l.taken.push_back(ticket);
      --l.left;
      --waiting_[s];
      l.skip_taken();
      return true;
    }
    if (!l.probe_left) return false;
    ticket = l.probe.ticket;
    taken = Taken::kNewcomer;
    l.probe_left = false;
    --waiting_[s];
    return true;
  }
  Taken consume(core::ServiceIdx s, int c) {
    Line& l = lines_[s][c];
    --waiting_[s];
    if (l.awaiting_head()) {
      const bool counted = l.awaiting[l.ai++].counted;
      if (!counted) return Taken::kRemoteProbe;
      --l.left;
      return Taken::kRemoteCounted;
    }
    if (l.next != l.end) {
      ++l.next;
      --l.left;
      // Skip those taken out of order (take_walk_in).
      l.skip_taken();
      return Taken::kTicket;
    }
    l.probe_left = false;
    return Taken::kNewcomer;
  }

  struct Line {
    core::ServiceQueue::Line::const_iterator next, end;
    std::size_t left = 0;  // real tickets and counted remote ones not yet called
    QueueEntry probe;
    bool probe_left = false;
    std::vector<Awaiting> awaiting;     // normal lines only: remote tickets not checked in, in line order
    std::size_t ai = 0;                 // the next of them
    std::vector<core::TicketId> taken;  // real tickets taken out of order (the remote-call cap)
    bool was_taken(core::TicketId id) const {
      return std::find(taken.begin(), taken.end(), id) != taken.end();
    }
    // `next` past those taken out of order.
    void skip_taken() {
      while (!taken.empty() && next != end && was_taken(next->ticket)) ++next;
    }
    // The next remote ticket not checked in goes before the next real ticket.
    bool awaiting_head() const { return ai < awaiting.size() && (next == end || awaiting[ai].entry < *next); }
  };
  const core::Hall& hall_;
  std::vector<std::array<Line, core::kQueueClasses>> lines_;
  std::vector<std::size_t> waiting_;  // per service: tickets and probes not yet taken
  std::vector<int> consecutive_;
  std::vector<double> mean_handle_, arrival_rate_;
  std::vector<TimeUs> handle_us_;  // mean_handle_ in microseconds
  double cap_ = 1;                 // HallRules::remote_call_share; 1 in a hall without remote tickets
  std::uint32_t calls_ = 0, remote_calls_ = 0;  // first calls today, played ones included
};

// When a busy window is expected to be free: a ticket in service has used
// part of its time; one just called still has all of it ahead. A long service
// is likely a long one: never expect less than a third of the mean to remain.
TimeUs expected_free(const core::Hall& hall, const core::Window& w, TimeUs now) {
  if (w.current == 0) return now;
  const core::Ticket* t = hall.find_ticket(w.current);
  if (t == nullptr) return now;
  const double mean = hall.mean_handle_s(t->service);
  double remaining = mean;
  if (t->state == core::TicketState::kServing) {
    const double elapsed = static_cast<double>(now - t->started_at) / core::kUsPerSecond;
    remaining = std::max(mean - elapsed, mean / 3);
  }
  return now + static_cast<TimeUs>(remaining * core::kUsPerSecond);
}

// The windows by the time each is next free (ties: the lower index first), a
// binary min-heap. A window that calls is put back later (`replace_top`:
// one sift instead of a pop and a push); one that calls a probe stays first.
class FreeWindows {
 public:
  using Slot = std::pair<TimeUs, core::WindowIdx>;
  void add(Slot s) { heap_.push_back(s); }
  void build() { std::make_heap(heap_.begin(), heap_.end(), std::greater<>()); }
  bool empty() const { return heap_.empty(); }
  const Slot& top() const { return heap_.front(); }
  void pop() {
    std::pop_heap(heap_.begin(), heap_.end(), std::greater<>());
    heap_.pop_back();
  }
  void replace_top(Slot s) {
    const std::size_t n = heap_.size();
    std::size_t i = 0;
    for (;;) {
      std::size_t child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && heap_[child + 1] < heap_[child]) ++child;
      if (!(heap_[child] < s)) break;
      heap_[i] = heap_[child];
      i = child;
    }
    heap_[i] = s;
  }

 private:
  std::vector<Slot> heap_;
};

}  // namespace

Forecast forecast(const core::Hall& hall, TimeUs now, const ForecastRequest& request) {
  now = std::max(now, hall.clock());
  const core::HallConfig& cfg = hall.config();
  const std::size_t ns = cfg.services.size();
  Forecast out;
  out.at = now;
  out.seq = hall.seq();
  out.normal.assign(ns, {0, kUnknownWait});
  out.priority.assign(ns, {0, kUnknownWait});
  if (!request.stop_at_probe) out.tickets.reserve(hall.waiting_total());

  PlayView view(hall, now,
                request.awaiting_remotes ? awaiting_by_service(hall, !request.stop_at_probe)
                                         : std::vector<std::vector<Awaiting>>{});
  FreeWindows free_at;
  const TimeUs pause = static_cast<TimeUs>(hall.mean_pause_s() * core::kUsPerSecond);
  // Busy windows: the first of n random completions comes well before the
  // smallest expected one. With residuals spread like exponentials of their
  // mean r, the k-th completion is expected at r (1/n + 1/(n-1) + ... ):
  // busy windows get those times, the one expected soonest first.
  std::vector<std::pair<TimeUs, core::WindowIdx>> busy;
  for (const core::WindowIdx wi : hall.active_windows()) {
    const core::Window& w = hall.window(wi);
    if (w.state == core::WindowState::kPaused) {
      // A pause already longer than usual is likely a long one: at least half
      // a usual pause is still to come.
      const TimeUs back = std::max(w.state_since + pause, now + pause / 2);
      free_at.add({std::max(expected_free(hall, w, now), back), wi});
    } else if (w.current == 0) {
      free_at.add({now, wi});
    } else {
      busy.push_back({expected_free(hall, w, now) - now, wi});
    }
  }
  if (!busy.empty()) {
    std::sort(busy.begin(), busy.end());
    double mean_residual = 0;
    for (const auto& b : busy) mean_residual += static_cast<double>(b.first);
    mean_residual /= static_cast<double>(busy.size());
    double at = 0;
    for (std::size_t k = 0; k < busy.size(); ++k) {
      at += mean_residual / static_cast<double>(busy.size() - k);
      free_at.add({now + static_cast<TimeUs>(at), busy[k].second});
    }
  }
  free_at.build();

  std::vector<std::uint32_t> called(ns, 0);  // real tickets of each service called so far
  // With stop_at_probe: newcomers of the request's class still to reach before the play stops.
  std::size_t probes_to_stop = request.every_service ? ns : 1;
  const core::CallPolicy& policy = hall.policy();
  std::size_t picks = 0;
  TimeUs last = now;
  bool capped = false;
  while (!free_at.empty()) {
    if (request.max_calls > 0 && picks >= request.max_calls) {
      capped = true;
      break;
    }
    const auto [t, w] = free_at.top();
    core::TicketId id = policy.choose(view, w, t);
    if (id == 0) {
      free_at.pop();  // idle for the rest of the play
      continue;
    }
    core::ServiceIdx s = 0;
    int c = kNormal;
    Taken taken = Taken::kTicket;
    if (!view.take(w, id, s, c, taken)) break;  // a policy that names no head: stop rather than loop
    last = t;
    const auto wait = static_cast<std::int32_t>((t - now) / core::kUsPerSecond);
    if (taken == Taken::kRemoteProbe) {
      // Its call had it checked in now; it takes no time: the window stays first.
      if (!request.stop_at_probe) out.awaiting.push_back({id, called[s], wait});
      continue;
    }
    if (taken == Taken::kNewcomer) {
      const bool priority = c == kPriority;
      (priority ? out.priority[s] : out.normal[s]) = {called[s], wait};
      // A probe takes no time: the window stays first.
      if (request.stop_at_probe && priority == request.priority &&
          (request.every_service || s == request.service) && --probes_to_stop == 0)
        break;
      continue;
    }
    ++picks;
    view.count_call(w, c);
    if (!request.stop_at_probe)
      (taken == Taken::kTicket ? out.tickets : out.awaiting).push_back({id, called[s], wait});
    ++called[s];
    free_at.replace_top({t + view.handle_us(s), w});
  }

  // Newcomers the play did not reach.
  const double played_s = static_cast<double>(last - now) / core::kUsPerSecond;
  for (std::size_t s = 0; s < ns; ++s) {
    const auto si = static_cast<core::ServiceIdx>(s);
    for (bool priority : {false, true}) {
      NewcomerForecast& f = priority ? out.priority[s] : out.normal[s];
      if (!view.probe_left(si, priority)) continue;
      const std::size_t ahead = view.left_ahead(si, priority);
      f.ahead = called[s] + static_cast<std::uint32_t>(ahead);
      // Capped: the rest of the line goes at the pace the play called this
      // service; a service the play did not reach drains at one window's pace.
      if (!capped) continue;
      double rate = played_s > 0 && called[s] >= 2 ? called[s] / played_s : 0;
      if (rate == 0) {
        int servers = 0;
        for (int level = 1; level <= 9; ++level) servers += hall.open_windows(si, level);
        if (servers > 0) rate = 1 / view.mean_handle_s(si);
      }
      if (rate > 0) f.wait_s = static_cast<std::int32_t>(std::lround(played_s + (ahead + 1) / rate));
    }
  }
  return out;
}

}  // namespace hallq::predict
