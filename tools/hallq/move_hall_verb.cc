#include "tools/hallq/move_hall_verb.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "engine/replicate/nats_connection.h"
#include "engine/replicate/ownership.h"
#include "tools/hallq/nats_args.h"

namespace hallq::cli {

CLI::App* add_move_hall_verb(CLI::App& app, MoveHallArgs& args) {
  CLI::App* sub = app.add_subcommand(
      "move-hall", "把大厅平稳移交给另一台引擎（它须是跟随该大厅的备用引擎 hallqd --standby），不丢不重");
  sub->add_option("hall", args.hall, "大厅编号")->type_name("大厅")->required();
  sub->add_option("engine", args.engine, "接手的引擎编号（--engine-id）")->type_name("引擎")->required();
  add_nats_options(*sub, args.nats, args.credentials, "NATS 用户凭据文件（须能写所属引擎记录，如引擎的）");
  sub->add_option("--timeout", args.timeout_s, "最多等这么多秒（默认 30）")
      ->type_name("秒")
      ->check(CLI::Range(1, 3600));
  return sub;
}

int run_move_hall(const MoveHallArgs& args, bool json) {
  try {
    replicate::NatsConnection conn(nats_options(args.nats, args.credentials, "hallq move-hall"));
    replicate::Ownership owners(conn, "hallq-move-hall", "");

    // The engine taking over must follow the hall already (a warm standby):
    // it continues from the stream at once.
    std::string error;
    const std::vector<replicate::StandbyRecord> standbys = owners.standbys(&error);
    if (!error.empty()) throw replicate::ReplicateError(error);
    const std::int64_t now = wall_ms();
    const replicate::StandbyRecord* target = nullptr;
    std::vector<std::string> live;
    for (const replicate::StandbyRecord& r : standbys) {
      if (r.lease_until_ms <= now || std::find(r.halls.begin(), r.halls.end(), args.hall) == r.halls.end())
        continue;
      live.push_back(r.engine);
      if (r.engine == args.engine) target = &r;
    }
    if (target == nullptr) {
      std::cerr << fmt::format(
          "无法移交：引擎 {} 不是大厅 {} 的在线备用引擎（{}）；只能移交给正在跟随该大厅的备用引擎（hallqd "
          "--standby）\n",
          args.engine, args.hall,
          live.empty() ? std::string("该大厅现在没有在线备用引擎")
                       : fmt::format("在线备用引擎：{}", fmt::join(live, "、")));
      return 1;
    }
    const auto started = std::chrono::steady_clock::now();
    const replicate::MoveRequest asked = owners.request_move(args.hall, args.engine, target->endpoint, now);
    if (!asked.ok) {
      std::cerr << "无法移交：" << asked.error << "\n";
      return 1;
    }
    const std::string from = asked.owner.engine;
    const auto deadline = started + std::chrono::seconds(args.timeout_s);
    // The owner writes the entry naming the new engine (revision + 1), which
    // then claims it (+ 2 or later): then it holds the lease.
    for (;;) {
      std::uint64_t revision = 0;
      const std::optional<replicate::OwnerRecord> e = owners.owner(args.hall, &error, &revision);
      if (e && e->engine == args.engine && revision >= asked.revision + 2) {
        const auto took =
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
        if (json)
          std::cout << nlohmann::json{{"hall", args.hall},
                                      {"from", from},
                                      {"to", args.engine},
                                      {"endpoint", e->endpoint},
                                      {"handed_over_seq", e->handed_over_seq},
                                      {"ms", took.count()}}
                           .dump()
                    << std::endl;
        else
          std::cout << fmt::format(
                           "大厅 {} 已从引擎 {} 移交给引擎 {}（地址 {}）：交接序号 "
                           "{}，新引擎已取得租约，用时 {} 毫秒\n",
                           args.hall, from, args.engine, e->endpoint, e->handed_over_seq, took.count())
                    << std::flush;
        return 0;
      }
      if (e && e->engine == from && !e->move_refused.empty()) {
        std::cerr << fmt::format("引擎 {} 拒绝移交大厅 {}：{}（它继续服务该大厅）\n", from, args.hall,
                                 e->move_refused);
        return 1;
      }
      if (e && e->engine == from && e->move_to.empty()) {
        std::cerr << fmt::format("大厅 {} 的移交请求已被引擎 {} 清除（它可能重启过），未移交\n", args.hall,
                                 from);
        return 1;
      }
      if (e && e->engine != from && e->engine != args.engine) {
        std::cerr << fmt::format("大厅 {} 已由引擎 {} 接管，未按请求移交\n", args.hall, e->engine);
        return 1;
      }
      if (std::chrono::steady_clock::now() >= deadline) {
        std::cerr << fmt::format("大厅 {} 的移交未在 {} 秒内完成（{}）\n", args.hall, args.timeout_s,
                                 !e ? "所属引擎记录读不到：" + error
                                    : fmt::format("现由引擎 {} 服务{}", e->engine,
                                                  e->move_to.empty() ? "" : "，移交请求仍在等待"));
        return 1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polling the bucket, bounded above
    }
  } catch (const replicate::ReplicateError& e) {
    std::cerr << "无法读取集群：" << e.what() << std::endl;
    return 1;
  }
}

}  // namespace hallq::cli
