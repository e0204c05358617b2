// The JSON shapes of what people read off a hall, shared by `hallq --json`,
// the engine's HTTP API and WebSocket, and the dashboard: a hall summary, a
// hall in the list of halls, today's live figures, an event, a reply's
// events. Field names are the contract of DESIGN.md ("status gives
// services[] with id, waiting, predicted_wait_s and windows[] with id,
// state, current").
//
// Pure functions of their arguments; any thread.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "engine/protocol/event_codec.h"
#include "engine/view/hall_summary.h"
#include "engine/view/live_stats.h"

namespace hallq::view {

// {hall, name, seq, waiting, notice, services[], windows[], advisories[],
// devices[] ({id, kind, state, state_name, detail, since_s, ok})}.
nlohmann::json to_json(const HallSummary& s);

// {id, name, seq, waiting, open_windows}: a hall in the list of halls
// (open_windows: windows not closed, paused ones included).
nlohmann::json overview_json(const HallSummary& s);

// {windows[], services[], staff[], ratings, satisfied, not_rated, satisfaction,
// issued, called, no_shows, left, no_show_rate, give_up_rate, alerts[],
// rated, good, bad, good_rate, bad_rate}; each window and staff entry
// ({id, name} for staff) has rated, good, bad, good_rate, bad_rate too
// (RatingsLive: 好评/差评 and their rates over the visits rated 1..5).
nlohmann::json to_json(const LiveStats& l);

// {seq, time_us, kind, ...}: only the fields the event's kind has.
nlohmann::json to_json(const protocol::EventSummary& e);

// The events of a reply (encoded, as the engine sends them), each as above.
nlohmann::json events_json(const std::vector<std::string>& encoded_events);

}  // namespace hallq::view
