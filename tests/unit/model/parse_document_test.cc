// The common part of every document: apiVersion, kind, metadata, spec.node; YAML syntax; multi-document files.
#include <gtest/gtest.h>

#include "tests/unit/model/model_test_util.h"

namespace berth::model {
namespace {

using testing::BridgeDoc;
using testing::Header;
using testing::Load;
using testing::Summaries;
using Strings = std::vector<std::string>;

TEST(ParseDocument, ReadsMetadataLabelsAndNode) {
  auto r = Load(
      "apiVersion: berth/v1\nkind: Bridge\nmetadata:\n  name: br0\n  labels:\n    team: net ops\n"
      "    app.kubernetes.io/name: sandbox\nspec:\n  node: node-a.example\n  address: 10.168.0.1/24\n");
  EXPECT_EQ(Summaries(r), Strings{});
  ASSERT_EQ(r.manifest.bridges.size(), 1u);
  const Document& doc = r.manifest.bridges[0].doc;
  EXPECT_EQ(doc.kind, "Bridge");
  EXPECT_EQ(doc.Id(), "Bridge/br0");
  EXPECT_EQ(doc.metadata.labels.at("team"), "net ops");
  EXPECT_EQ(doc.metadata.labels.at("app.kubernetes.io/name"), "sandbox");
  EXPECT_EQ(doc.node, "node-a.example");
  EXPECT_EQ(doc.span.ToString(), "test.yaml:1:1");
  EXPECT_EQ(doc.SpanOf("spec.address").ToString(), "test.yaml:10:12");
  EXPECT_EQ(doc.SpanOf("metadata.labels.team").ToString(), "test.yaml:6:11");
}

TEST(ParseDocument, ReportsEveryProblemOfTheHeader) {
  auto r = Load("apiVersion: berth/v2\nkind: Bridgee\nmetadata:\n  name: Br0\n  nmae: x\nspec: {}\n");
  EXPECT_EQ(Summaries(r), (Strings{"unsupported-api-version apiVersion 1:13", "unknown-kind kind 2:7",
                                   "invalid-name metadata.name 4:9", "unknown-field metadata.nmae 5:3"}));
  EXPECT_EQ(r.diagnostics[1].summary,
            "unknown kind \"Bridgee\"; berth/v1 has Bridge, NAT, VM and Jail (did you mean \"Bridge\"?)");
  EXPECT_EQ(r.diagnostics[3].summary, "unknown field \"nmae\" (did you mean \"name\"?)");
}

TEST(ParseDocument, MissingTopLevelFieldsPointAtTheDocument) {
  auto r = Load("kind: VM\n");
  EXPECT_EQ(Summaries(r),
            (Strings{"missing-field apiVersion 1:1", "missing-field metadata 1:1", "missing-field spec 1:1"}));
}

TEST(ParseDocument, ADocumentMustBeAMapping) { EXPECT_EQ(Summaries(Load("- a\n- b\n")), Strings{"wrong-type - 1:1"}); }

TEST(ParseDocument, LabelValuesAreFreeTextButStrings) {
  auto r = Load(Header("Bridge", "br0") + "  labels: {ok: \"Any text, even: this!\", n: 5, \"bad key\": x}\n" +
                "spec:\n  address: 10.168.0.1/24\n");
  EXPECT_EQ(Summaries(r),
            (Strings{"wrong-type metadata.labels.n 5:44", "invalid-label-key metadata.labels.bad key 5:47"}));
}

TEST(ParseDocument, NodeMustBeAHostName) {
  auto r = Load(Header("Bridge", "br0") + "spec:\n  node: Node_A!\n  address: 10.168.0.1/24\n");
  EXPECT_EQ(Summaries(r), Strings{"invalid-name spec.node 6:9"});
}

TEST(ParseDocument, SyntaxErrorsAreOneBasedAndStopTheFile) {
  auto r = Load(BridgeDoc() + "---\nkind: [VM\nmetadata: x\n");
  ASSERT_EQ(Summaries(r), Strings{"yaml-syntax - 9:9"});  // where yaml-cpp notices the unclosed [
  EXPECT_NE(r.diagnostics[0].summary.find("YAML syntax error"), std::string::npos);
  EXPECT_EQ(r.manifest.size(), 0u);
}

TEST(ParseDocument, ReadsEveryDocumentAndSkipsEmptyOnes) {
  auto r = Load("---\n" + BridgeDoc("br0") + "---\n---\n# only a comment\n---\n" + BridgeDoc("br1", "10.169.0.1/24"));
  EXPECT_EQ(Summaries(r), Strings{});
  ASSERT_EQ(r.manifest.bridges.size(), 2u);
  EXPECT_EQ(r.manifest.bridges[1].doc.span.line, 12);
}

TEST(ParseDocument, DocumentsWithErrorsAreKeptButMarkedInvalid) {
  auto r = Load(Header("Bridge", "br0") + "spec:\n  address: 10.168.0.1/24\n  mtu: 10\n");
  EXPECT_EQ(Summaries(r), Strings{"invalid-mtu spec.mtu 7:8"});
  ASSERT_EQ(r.manifest.bridges.size(), 1u);
  EXPECT_FALSE(r.manifest.bridges[0].doc.valid);
}

TEST(ParseDocument, DiagnosticPrintsFileLineColumnAndField) {
  auto r = Load(Header("Bridge", "br0") + "spec:\n  address: 10.168.0.1/24\n  mtu: \"1500\"\n");
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_EQ(r.diagnostics[0].ToString(),
            "test.yaml:7:8: error: spec.mtu: expected an integer, got a string (remove the quotes)");
}

}  // namespace
}  // namespace berth::model
