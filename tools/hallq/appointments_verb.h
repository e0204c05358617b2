// Appointments (预约) from the command line:
//   hallq book HALL SERVICE DAY SLOT --id-number N [--phone P] --person-salt FILE
//   hallq appointments list HALL [--day D]
//   hallq appointments cancel HALL CODE
//   hallq appointments checkin HALL CODE
//   hallq appointments import HALL FILE.csv --person-salt FILE
// book, cancel and checkin become one engine command each (the caller runs
// it like any other verb: Book, CancelBooking, CheckIn). list reads the
// hall's bookings from a snapshot. import is the one-time move of a kiosk's
// old CSV book (the kiosk's [appointments] file until issue 20: code,
// service, date, slot "09:00-09:30", name, and the id_number and phone
// columns where the export has them) into the engine: each line is checked, its ID number
// hashed (keys/booking_form.h) and booked under its old code where that
// code is free, and the outcome of every line is reported; a line without
// an ID number is refused (one booking per person could not be held).
//
// The ID number never leaves this process: only its salted hash is sent.
// Exit codes as hallq's: 0 done (import: every line imported), 1 refused
// (import: some line refused), 2 usage, 3 engine unreachable.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>

#include "engine/client/client.h"
#include "engine/core/command.h"
#include "engine/keys/booking_form.h"
#include "engine/time/clock.h"

namespace hallq::cli {

struct AppointmentsArgs {
  std::string service, day, slot, id_number, phone, salt_file;  // book
  std::string list_day, code, csv_file;                         // list, cancel, checkin, import
  std::optional<keys::PreparedBooking> prepared;                // book, once parsed
  CLI::App *book = nullptr, *list = nullptr, *import_csv = nullptr;
};

// Adds `book` and `appointments` to `app`. book, cancel and checkin set
// `command` (pointing into `args`) when parsed; `hall` gets the hall.
void add_appointments_verbs(CLI::App& app, AppointmentsArgs& args, std::string& hall,
                            std::optional<core::CommandBody>& command, const time::Clock& clock);

int run_appointments_list(const AppointmentsArgs& args, const std::string& hall, const std::string& engine,
                          int timeout_ms, const client::CurveOptions& curve, bool json,
                          const time::Clock& clock);
int run_appointments_import(const AppointmentsArgs& args, const std::string& hall, const std::string& engine,
                            int timeout_ms, const client::CurveOptions& curve, bool json,
                            const time::Clock& clock);

}  // namespace hallq::cli
