#include "engine/server/resend_gate.h"

#include <deque>
#include <map>
#include <utility>

namespace hallq::server {

struct ResendGate::State {
  // A key is present while a step of its record runs; the queue holds the
  // steps waiting behind it, in order of arrival.
  std::map<std::pair<std::string, std::string>, std::deque<Step>> records;

  static void start(const std::shared_ptr<State>& self, const std::pair<std::string, std::string>& key,
                    Step step) {
    auto called = std::make_shared<bool>(false);
    step([weak = std::weak_ptr<State>(self), key, called] {
      if (*called) return;
      *called = true;
      const std::shared_ptr<State> state = weak.lock();
      if (!state) return;  // the gate is gone
      const auto it = state->records.find(key);
      if (it == state->records.end()) return;
      if (it->second.empty()) {
        state->records.erase(it);
        return;
      }
      Step next = std::move(it->second.front());
      it->second.pop_front();
      start(state, key, std::move(next));
    });
  }
};

ResendGate::ResendGate() : state_(std::make_shared<State>()) {}
ResendGate::~ResendGate() = default;

void ResendGate::run(const std::string& hall, const std::string& record_id, Step step) {
  auto key = std::make_pair(hall, record_id);
  const auto [it, fresh] = state_->records.try_emplace(key);
  if (!fresh) {
    it->second.push_back(std::move(step));
    return;
  }
  State::start(state_, key, std::move(step));
}

std::size_t ResendGate::busy() const { return state_->records.size(); }

std::size_t ResendGate::waiting() const {
  std::size_t n = 0;
  for (const auto& [key, queue] : state_->records) n += queue.size();
  return n;
}

}  // namespace hallq::server
