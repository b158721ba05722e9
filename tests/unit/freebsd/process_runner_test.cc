// The real command runner: argv only, tools from fixed paths, anything else refused before it runs.
#include <gtest/gtest.h>

#include <unistd.h>

#include "drivers/freebsd/command_runner.h"

namespace berth::drivers::freebsd {
namespace {

TEST(ProcessRunner, RefusesToolsOutsideItsListAndNeverUsesAShell) {
  auto runner = MakeProcessRunner(5);
  CommandResult r = runner->Run({"sh", "-c", "touch /tmp/berth-should-not-exist"}, "");
  EXPECT_EQ(r.exit_code, -1);
  EXPECT_EQ(r.err, "berth does not run sh");
  EXPECT_NE(::access("/tmp/berth-should-not-exist", F_OK), 0);
  EXPECT_EQ(runner->Run({}, "").exit_code, -1);
}

TEST(ProcessRunner, RunsAToolByItsFixedPathWithArgumentsAsGiven) {
  if (::access("/sbin/sysctl", X_OK) != 0) GTEST_SKIP() << "no /sbin/sysctl on this machine";
  auto runner = MakeProcessRunner(5);
  // One argument with a space and a ';' stays one argument: no shell ever sees it.
  CommandResult r = runner->Run({"sysctl", "-n", "no.such; echo injected"}, "");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(r.out.find("injected"), std::string::npos);
}

TEST(FormatArgv, QuotesArgumentsWithSpaces) {
  EXPECT_EQ(FormatArgv({"jail", "-c", "meta=berth owner=Jail/j1"}), "jail -c \"meta=berth owner=Jail/j1\"");
}

}  // namespace
}  // namespace berth::drivers::freebsd
