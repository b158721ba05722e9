// The strict walker: repeated and unknown keys, YAML types by text and tag, 1-based spans.
#include "model/yaml_walk.h"

#include <gtest/gtest.h>

namespace berth::model {
namespace {

class YamlWalkTest : public ::testing::Test {
 protected:
  Value Root(const std::string& text) {
    YAML::Node node = YAML::Load(text);
    SourceSpan span = ctx_.SpanOf(node.Mark());
    return Value{node, "spec", span, span};
  }
  std::vector<std::string> Codes() const {
    std::vector<std::string> out;
    for (const Diagnostic& d : diagnostics_) out.push_back(d.code + " " + d.field + " " + d.span.ToString());
    return out;
  }
  Diagnostics diagnostics_;
  FieldSpans fields_;
  ParseContext ctx_{"f.yaml", diagnostics_, fields_};
  const KeyList keys_ = {"address", "mtu", "pool"};
};

TEST_F(YamlWalkTest, ReportsRepeatedKeysAtTheSecondOccurrence) {
  auto reader = MappingReader::Open(ctx_, Root("address: a\nmtu: 1\naddress: b\n"), keys_);
  ASSERT_TRUE(reader);
  EXPECT_EQ(Codes(), std::vector<std::string>{"duplicate-key spec.address f.yaml:3:1"});
  EXPECT_EQ(diagnostics_[0].summary, "key \"address\" is given twice (first on line 1)");
  EXPECT_EQ(reader->Get("address")->node.Scalar(), "a");  // the first occurrence wins, as in yaml-cpp
}

TEST_F(YamlWalkTest, ReportsUnknownKeysWithASuggestion) {
  auto reader = MappingReader::Open(ctx_, Root("adress: a\nbogus: 1\n"), keys_);
  ASSERT_TRUE(reader);
  ASSERT_EQ(diagnostics_.size(), 2u);
  EXPECT_EQ(diagnostics_[0].summary, "unknown field \"adress\" (did you mean \"address\"?)");
  EXPECT_EQ(diagnostics_[0].span.ToString(), "f.yaml:1:1");
  EXPECT_EQ(diagnostics_[1].summary, "unknown field \"bogus\"");
}

TEST_F(YamlWalkTest, RecordsValueSpansForScalarsAndKeySpansOtherwise) {
  auto reader = MappingReader::Open(ctx_, Root("address: 10.0.0.1/24\npool:\n  - x\nmtu:\n"), keys_);
  ASSERT_TRUE(reader);
  EXPECT_EQ(fields_.at("spec.address").ToString(), "f.yaml:1:10");
  EXPECT_EQ(fields_.at("spec.pool").ToString(), "f.yaml:2:1");
  EXPECT_EQ(fields_.at("spec.mtu").ToString(), "f.yaml:4:1");  // an empty value points at its key
}

TEST_F(YamlWalkTest, RequireReportsMissingFieldAtTheMapping) {
  auto reader = MappingReader::Open(ctx_, Root("mtu: 1\n"), keys_);
  ASSERT_TRUE(reader);
  EXPECT_FALSE(reader->Require("address"));
  EXPECT_EQ(Codes(), std::vector<std::string>{"missing-field spec.address f.yaml:1:1"});
}

TEST_F(YamlWalkTest, NonMappingIsAWrongType) {
  EXPECT_FALSE(MappingReader::Open(ctx_, Root("[1, 2]"), keys_));
  EXPECT_EQ(diagnostics_.at(0).summary, "expected a mapping, got a list");
}

TEST_F(YamlWalkTest, StringsMustNotLookLikeOtherTypes) {
  auto reader = MappingReader::Open(ctx_, Root("a: fcbr0\nb: \"1500\"\nc: 1500\nd: true\ne: !!str 5\nf:\n"),
                                    {"a", "b", "c", "d", "e", "f"});
  ASSERT_TRUE(reader);
  EXPECT_EQ(ReadString(ctx_, *reader->Get("a")), "fcbr0");
  EXPECT_EQ(ReadString(ctx_, *reader->Get("b")), "1500");
  EXPECT_EQ(ReadString(ctx_, *reader->Get("e")), "5");
  EXPECT_TRUE(diagnostics_.empty());
  EXPECT_FALSE(ReadString(ctx_, *reader->Get("c")));
  EXPECT_FALSE(ReadString(ctx_, *reader->Get("d")));
  EXPECT_FALSE(ReadString(ctx_, *reader->Get("f")));
  ASSERT_EQ(diagnostics_.size(), 3u);
  EXPECT_EQ(diagnostics_[0].summary, "expected a string, got a number (1500) (quote it: \"1500\")");
  EXPECT_EQ(diagnostics_[2].summary, "expected a string, got nothing");
}

TEST_F(YamlWalkTest, MacsAndAddressesAreStringsUnderYaml12) {
  // YAML 1.1 would read 52:54:00:12:34:56 as a base-60 integer; 1.2 (yaml-cpp, editors) reads a string.
  auto reader = MappingReader::Open(ctx_, Root("a: 52:54:00:12:34:56\nb: 10.0.0.1\nc: 1.5\n"), {"a", "b", "c"});
  ASSERT_TRUE(reader);
  EXPECT_EQ(ReadString(ctx_, *reader->Get("a")), "52:54:00:12:34:56");
  EXPECT_EQ(ReadString(ctx_, *reader->Get("b")), "10.0.0.1");
  EXPECT_FALSE(ReadString(ctx_, *reader->Get("c")));
}

TEST_F(YamlWalkTest, IntegersMustBePlain) {
  auto reader =
      MappingReader::Open(ctx_, Root("a: 1500\nb: \"1500\"\nc: 0x10\nd: 1.5\ne: -3\n"), {"a", "b", "c", "d", "e"});
  ASSERT_TRUE(reader);
  EXPECT_EQ(ReadInteger(ctx_, *reader->Get("a")), 1500);
  EXPECT_EQ(ReadInteger(ctx_, *reader->Get("c")), 16);
  EXPECT_EQ(ReadInteger(ctx_, *reader->Get("e")), -3);
  EXPECT_FALSE(ReadInteger(ctx_, *reader->Get("b")));
  EXPECT_FALSE(ReadInteger(ctx_, *reader->Get("d")));
  ASSERT_EQ(diagnostics_.size(), 2u);
  EXPECT_EQ(diagnostics_[0].summary, "expected an integer, got a string (remove the quotes)");
  EXPECT_EQ(diagnostics_[1].summary, "expected an integer, got a number (1.5)");
}

TEST_F(YamlWalkTest, BooleansAreTrueOrFalseOnly) {
  auto reader = MappingReader::Open(ctx_, Root("a: true\nb: False\nc: yes\nd: \"true\"\n"), {"a", "b", "c", "d"});
  ASSERT_TRUE(reader);
  EXPECT_EQ(ReadBool(ctx_, *reader->Get("a")), true);
  EXPECT_EQ(ReadBool(ctx_, *reader->Get("b")), false);
  EXPECT_FALSE(ReadBool(ctx_, *reader->Get("c")));
  EXPECT_FALSE(ReadBool(ctx_, *reader->Get("d")));
}

TEST_F(YamlWalkTest, SequenceItemsGetIndexedPaths) {
  auto items = ReadSequence(ctx_, Root("- a\n- b\n"));
  ASSERT_TRUE(items);
  ASSERT_EQ(items->size(), 2u);
  EXPECT_EQ((*items)[1].path, "spec[1]");
  EXPECT_EQ(fields_.at("spec[1]").ToString(), "f.yaml:2:3");
}

}  // namespace
}  // namespace berth::model
