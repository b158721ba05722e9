// The crash-point test hook: the list of known points and the points in the source stay in step, so the crash
// matrix (tests/integration/crash_matrix.sh) covers every point there is.
#include "reconciler/crash_point.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

namespace berth::reconciler {
namespace {

namespace fs = std::filesystem;

std::set<std::string> PointsInSource() {
  std::set<std::string> found;
  const std::regex point(R"re(BERTH_CRASH_POINT\("([^"]+)"\))re");
  for (const char* dir : {"cli", "drivers", "reconciler"}) {
    for (const auto& entry : fs::recursive_directory_iterator(fs::path(BERTH_SOURCE_DIR) / dir)) {
      if (entry.path().extension() != ".cc") continue;
      std::ifstream in(entry.path());
      std::stringstream text;
      text << in.rdbuf();
      const std::string s = text.str();
      for (std::sregex_iterator it(s.begin(), s.end(), point), end; it != end; ++it) found.insert((*it)[1]);
    }
  }
  return found;
}

TEST(CrashPointTest, EveryPointInTheSourceIsKnownAndEveryKnownPointIsInTheSource) {
  const std::set<std::string> in_source = PointsInSource();
  std::set<std::string> known;
  for (auto p : KnownCrashPoints()) known.insert(std::string(p));
  EXPECT_EQ(in_source, known);
  EXPECT_GE(known.size(), 8u);
}

TEST(CrashPointTest, UnarmedPointsDoNothing) {
  for (auto p : KnownCrashPoints()) CrashPoint(p);  // BERTH_TEST_CRASH_AT is not set in the unit tests
  SUCCEED();
}

TEST(CrashPointTest, ArmedPointKillsAtItsNthArrivalOnly) {
  EXPECT_EXIT(
      {
        ::setenv(kCrashEnv, "netns.create.file:2", 1);
        if (!InitCrashPoints()) std::exit(3);
        CrashPoint("netns.create.file");  // first arrival: nothing
        CrashPoint("exec.batch");         // another point: nothing
        CrashPoint("netns.create.file");  // second: SIGKILL
        std::exit(4);
      },
      ::testing::KilledBySignal(SIGKILL), "crash point");
}

TEST(CrashPointTest, UnknownPointOrBadCountIsRefused) {
  EXPECT_EXIT(
      {
        ::setenv(kCrashEnv, "no.such.point", 1);
        std::exit(InitCrashPoints() ? 0 : 5);
      },
      ::testing::ExitedWithCode(5), "unknown crash point");
  EXPECT_EXIT(
      {
        ::setenv(kCrashEnv, "exec.batch:0", 1);
        std::exit(InitCrashPoints() ? 0 : 5);
      },
      ::testing::ExitedWithCode(5), "whole number");
}

}  // namespace
}  // namespace berth::reconciler
