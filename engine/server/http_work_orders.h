// 差评工单 over the managers' HTTP API (issue 21): the list, and the two
// follow-up steps, each one core command (RecordCallback,
// RecordRectification) submitted through HttpActions (group commit, audit
// record, Idempotency-Key), recorded as done by the logged-in account.
//
//   GET  /api/halls/{hall}/work-orders                        open and due-soon and overdue orders,
//                                                             and those closed today
//                                                             (view/work_orders_json.h)
//   POST /api/halls/{hall}/work-orders/{ticket}/callback      {"reached": bool, "note": "..."}   回访
//   POST /api/halls/{hall}/work-orders/{ticket}/rectification {"note": "..."}                    整改
//
// POSTs need the admin role (HttpAuth::may_act, checked by the router);
// viewers read. A malformed body is answered 400 before any command; the
// core's refusals keep their codes (404 unknown_ticket for no such order,
// 409 wrong_ticket_state for a step out of order or a closed order, 400
// bad_argument for an empty or over-long note).
//
// Thread: the io_context's thread only.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/core/hall.h"
#include "engine/server/http_actions.h"
#include "engine/server/http_reply.h"

namespace hallq::server {

class HttpWorkOrders {
 public:
  explicit HttpWorkOrders(HttpActions& actions) : actions_(actions) {}

  // Whether the parts of a path under /api/halls/{hall}/ are a work-orders route.
  static bool is_work_order(const std::vector<std::string>& parts);
  // Whether they are one of its POST routes.
  static bool is_step(const std::vector<std::string>& parts);

  HttpOutcome read(const core::Hall& hall, core::TimeUs now) const;

  // A step on an order, recorded as done by `by` (the caller's account).
  void act(const core::Hall& hall, std::string_view path, const std::vector<std::string>& parts,
           const HttpRequest& req, const std::string& by, const HttpActions::Record& record, HttpReply reply);

 private:
  HttpActions& actions_;
};

}  // namespace hallq::server
