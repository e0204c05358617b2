// The JSON shapes of what people read off a hall, shared by `hallq --json`,
// the engine's HTTP API and the dashboard: a hall summary and an event.
// Field names are the contract of DESIGN.md ("status gives services[] with
// id, waiting, predicted_wait_s and windows[] with id, state, current").
#pragma once

#include <nlohmann/json_fwd.hpp>

#include "engine/client/hall_summary.h"
#include "engine/protocol/event_codec.h"

namespace hallq::client {

// {hall, name, seq, waiting, notice, services[], windows[], advisories[]}.
nlohmann::json to_json(const HallSummary& s);

// {seq, time_us, kind, ...}: only the fields the event's kind has.
nlohmann::json to_json(const protocol::EventSummary& e);

}  // namespace hallq::client
