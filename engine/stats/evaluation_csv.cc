#include "engine/stats/evaluation_csv.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace hallq::stats {
namespace {

std::string csv_field(std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(field);
  std::string out = "\"";
  for (char ch : field) {
    if (ch == '"') out += '"';
    out += ch;
  }
  return out + '"';
}

// Free text from citizens or clerks: never a formula in a spreadsheet.
std::string text(std::string_view field) {
  if (!field.empty() && std::string_view("=+-@\t\r").find(field.front()) != std::string_view::npos)
    return "'" + std::string(field);
  return std::string(field);
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ";") + s;
  return out;
}

}  // namespace

std::string evaluation_csv(const std::vector<EvaluationRecord>& records) {
  // The columns in record_json's order; JSON values as text.
  static const char* const kColumns[] = {
      "recordId",         "recordKind",        "seq",          "hallId",       "areaCode",
      "taskCode",         "taskName",          "serviceId",    "deptCode",     "projectType",
      "projectNo",        "ticketNo",          "ticketDate",   "issueTime",    "callTime",
      "finishTime",       "assessTime",        "alternate",    "appraisald",   "appraisaldn",
      "appraisalVersion", "writingevaluation", "pf",           "channel",      "isSupplement",
      "windowNo",         "windowId",          "windowName",   "handleUserId", "handleUserName",
      "workOrderId",      "workOrderDue",      "workOrderNote"};
  std::string out = "\xEF\xBB\xBF";
  bool first = true;
  for (const char* c : kColumns) {
    out += first ? "" : ",";
    out += c;
    first = false;
  }
  out += "\r\n";
  for (const EvaluationRecord& r : records) {
    const nlohmann::json j = nlohmann::json::parse(record_json(r));
    first = true;
    for (const char* c : kColumns) {
      const nlohmann::json& v = j.contains(c) ? j.at(c) : nlohmann::json();  // work-order columns: 差评 only
      std::string cell;
      if (v.is_string()) {
        cell = v.get<std::string>();
      } else if (v.is_array()) {
        cell = joined(v.get<std::vector<std::string>>());
      } else if (v.is_boolean()) {
        cell = v.get<bool>() ? "true" : "false";
      } else if (!v.is_null()) {
        cell = v.dump();
      }
      const std::string_view name = c;
      if (name == "writingevaluation" || name == "appraisaldn" || name == "windowName" ||
          name == "handleUserName" || name == "projectNo" || name == "taskName" || name == "workOrderNote")
        cell = text(cell);
      out += first ? "" : ",";
      out += csv_field(cell);
      first = false;
    }
    out += "\r\n";
  }
  return out;
}

}  // namespace hallq::stats
