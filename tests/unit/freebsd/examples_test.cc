// The FreeBSD examples plan, apply and re-plan empty against the simulated host; destroy removes everything.
#include <gtest/gtest.h>

#include "tests/unit/freebsd/freebsd_fixture.h"

namespace berth::drivers::freebsd::testing {
namespace {

void ExpectConvergesAndReplansEmpty(const std::string& dir) {
  Host host;
  const model::Manifest manifest = LoadManifestDir(dir);
  ASSERT_TRUE(host.Converge(&manifest));
  auto again = host.Plan(&manifest);
  EXPECT_FALSE(again.HasWork()) << Steps(again);
  EXPECT_TRUE(again.changes.conflicts.empty()) << Steps(again);
  host.sim.Settle();
  auto settled = host.Plan(&manifest);
  EXPECT_FALSE(settled.HasWork()) << Steps(settled);

  ASSERT_TRUE(host.Converge(nullptr));
  host.sim.Settle();
  auto empty = host.Plan(nullptr);
  EXPECT_FALSE(empty.HasWork()) << Steps(empty);
}

TEST(FreeBsdExamples, VnetHostConvergesAndReplansEmpty) { ExpectConvergesAndReplansEmpty("examples/manifests/freebsd-vnet"); }

TEST(FreeBsdExamples, ForwardsConvergeAndReplanEmpty) {
  ExpectConvergesAndReplansEmpty("examples/manifests/freebsd-forwards");
}

TEST(FreeBsdExamples, IocageLayoutConvergesAndReplansEmpty) { ExpectConvergesAndReplansEmpty("examples/manifests/iocage"); }

}  // namespace
}  // namespace berth::drivers::freebsd::testing
