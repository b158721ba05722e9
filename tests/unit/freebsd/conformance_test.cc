// The conformance corpus (tests/freebsd/conformance/*.txt): command lines with the verdict a real FreeBSD 15 gives
// and the source that says so, run against the simulated host, which must give the same verdict. Then every
// command berth runs for the examples (apply, re-plan, destroy: the simulator's log) must have the shape of a
// command the corpus accepts, so a plan can only contain commands someone checked against FreeBSD's sources.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "tests/unit/freebsd/conformance.h"
#include "tests/unit/freebsd/freebsd_fixture.h"
#include "tests/unit/freebsd/sim_util.h"

namespace berth::drivers::freebsd::testing {
namespace {

TEST(FreeBsdConformance, EveryCaseHasASourceAndTheSimulatorAgreesWithIt) {
  const auto corpus = LoadCorpus();
  ASSERT_GE(corpus.size(), 40u);
  for (const auto& c : corpus) {
    SCOPED_TRACE(c.where + ": " + c.run);
    EXPECT_FALSE(c.source.empty()) << "a case needs the FreeBSD source or manual page it comes from";
    sim::SimFreeBsd host;
    if (c.release == 14) {
      sim::SimState state = host.state();
      state.jail_meta = false;  // jail(8)'s meta parameter came with FreeBSD 15.0
      host.set_state(state);
    }
    bool ready = true;
    for (const auto& line : c.setup) {
      if (line.starts_with("hold ")) {
        auto args = Argv(line.substr(5));
        host.HoldDying(args.at(0), std::stoi(args.at(1)));
        continue;
      }
      CommandResult r = host.Exec(Argv(line));
      if (!r.ok()) {
        ADD_FAILURE() << "setup failed: " << line << ": " << r.err;
        ready = false;
      }
    }
    if (!ready) continue;
    CommandResult r = host.Run(Argv(c.run), c.input);
    if (c.accepted) {
      EXPECT_TRUE(r.ok()) << "FreeBSD accepts this; the simulator said: " << r.err;
      if (!c.expect_out.empty()) {
        EXPECT_NE(r.out.find(c.expect_out), std::string::npos) << r.out;
      }
      if (!c.absent.empty()) {
        EXPECT_EQ(r.out.find(c.absent), std::string::npos) << r.out;
      }
    } else {
      EXPECT_FALSE(r.ok()) << "FreeBSD rejects this; the simulator accepted it";
      EXPECT_NE(r.err.find(c.error), std::string::npos) << "expected \"" << c.error << "\", got: " << r.err;
      EXPECT_NE(r.exit_code, 64) << "the simulator does not model this: it cannot stand for FreeBSD's verdict";
    }
  }
}

TEST(FreeBsdConformance, TheShapesOfTheIssueAreRejected) {
  // The ten shapes of the first review against FreeBSD's sources, each a case of the corpus with a rejection,
  // or (for what is not a rejection) a case showing the behaviour.
  const auto corpus = LoadCorpus();
  std::set<std::string> tags;
  for (const auto& c : corpus) {
    if (!c.tag.empty()) tags.insert(c.tag);
  }
  for (const char* tag : {"ifconfig-af-position", "jexec-jail-binaries", "jail-plus-equals", "ipfw-logamount",
                          "ipfw-set", "jls-meta-14", "vnet-move-after-create", "dying-name-free",
                          "hwaddr-unchanged", "pf-disabled"})
    EXPECT_TRUE(tags.count(tag)) << "no corpus case tagged " << tag;
}

void ExpectEveryCommandInTheCorpus(const std::string& dir) {
  SCOPED_TRACE(dir);
  const auto accepted = AcceptedShapes();
  Host host;
  const model::Manifest manifest = LoadManifestDir(dir);
  ASSERT_TRUE(host.Converge(&manifest));
  host.Plan(&manifest);
  ASSERT_TRUE(host.Converge(nullptr));
  std::set<std::string> missing;
  for (const auto& argv : host.sim.log()) {
    if (!accepted.count(ArgvShape(argv))) missing.insert(ArgvShape(argv));
  }
  for (const auto& shape : missing) ADD_FAILURE() << "not in the conformance corpus: " << shape;
}

TEST(FreeBsdConformance, EveryCommandOfTheVnetExampleIsInTheCorpus) {
  ExpectEveryCommandInTheCorpus("examples/manifests/freebsd-vnet");
}

TEST(FreeBsdConformance, EveryCommandOfTheIocageExampleIsInTheCorpus) {
  ExpectEveryCommandInTheCorpus("examples/manifests/iocage");
}

TEST(FreeBsdConformance, EveryCommandOfTheForwardsExampleIsInTheCorpus) {
  ExpectEveryCommandInTheCorpus("examples/manifests/freebsd-forwards");
}

TEST(FreeBsdConformance, EveryCommandOfTheModesCaseIsInTheCorpus) {
  ExpectEveryCommandInTheCorpus("tests/freebsd/golden/mtu-forwards-modes/manifests");
}

TEST(FreeBsdConformance, ParserRejectsACaseWithoutAVerdict) {
  auto bad = ParseConformance("== x\nsource: a\nrun: ifconfig -a\n", "t.txt");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("t.txt:1"), std::string::npos) << bad.error().message;
  auto unknown = ParseConformance("== x\nsourc: a\n", "t.txt");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("t.txt:2"), std::string::npos) << unknown.error().message;
}

}  // namespace
}  // namespace berth::drivers::freebsd::testing
