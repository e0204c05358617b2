// The gate of 重新上报 requests (resend_gate.h): the steps of one record run
// one after another, each only once the one before has finished; other
// records' steps are not held up; a second `finished` does nothing, and
// one after the gate is gone neither.
#include "engine/server/resend_gate.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace hallq::server {
namespace {

TEST(ResendGateTest, OneStepOfARecordAtATimeInOrderOthersFree) {
  ResendGate gate;
  std::vector<std::string> started;
  std::vector<ResendGate::Finished> open;  // each started step's `finished`, by start
  auto step = [&](std::string name) {
    return [&, name](ResendGate::Finished f) {
      started.push_back(name);
      open.push_back(std::move(f));
    };
  };
  gate.run("town", "town-E-1", step("a1"));
  gate.run("town", "town-E-1", step("a2"));
  gate.run("town", "town-E-1", step("a3"));
  gate.run("town", "town-E-2", step("b1"));      // another record: at once
  gate.run("district", "town-E-1", step("c1"));  // another hall's record of that name: at once
  EXPECT_EQ(started, (std::vector<std::string>{"a1", "b1", "c1"}));
  EXPECT_EQ(gate.busy(), 3u);
  EXPECT_EQ(gate.waiting(), 2u);

  open[0]();  // a1 finished: a2 starts, a3 still waits
  EXPECT_EQ(started, (std::vector<std::string>{"a1", "b1", "c1", "a2"}));
  open[0]();  // a second call does nothing
  EXPECT_EQ(started.size(), 4u);
  EXPECT_EQ(gate.waiting(), 1u);
  open[1]();  // b1: its record is free again
  EXPECT_EQ(gate.busy(), 2u);
  open[3]();  // a2: a3 starts
  EXPECT_EQ(started.back(), "a3");
  open[4]();
  open[2]();
  EXPECT_EQ(gate.busy(), 0u);
  EXPECT_EQ(gate.waiting(), 0u);

  // A step that finishes at once lets the next one start at once.
  gate.run("town", "town-E-1", [&](ResendGate::Finished f) {
    started.push_back("d1");
    f();
  });
  gate.run("town", "town-E-1", step("d2"));
  EXPECT_EQ(started.back(), "d2");
  EXPECT_EQ(gate.busy(), 1u);
}

TEST(ResendGateTest, FinishedAfterTheGateIsGoneDoesNothing) {
  ResendGate::Finished kept;
  int started = 0;
  {
    ResendGate gate;
    gate.run("town", "town-E-1", [&](ResendGate::Finished f) {
      ++started;
      kept = std::move(f);
    });
    gate.run("town", "town-E-1", [&](ResendGate::Finished) { ++started; });
  }
  kept();
  EXPECT_EQ(started, 1);
}

}  // namespace
}  // namespace hallq::server
