// The hand-written scalar classifiers agree with the YAML 1.2 core schema's regular expressions (as written
// in the schema, run through std::regex) on random strings over the characters that matter.
#include "model/scalar_text.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <regex>
#include <string>

namespace berth::model {
namespace {

rc::Gen<std::string> ScalarText() {
  return rc::gen::container<std::string>(
      rc::gen::elementOf(std::string("0123456789+-.eExXoabfFinINaAlsStTrRuU_/z")));
}

RC_GTEST_PROP(ScalarText, BoolsAreTheCoreSchemaSix, ()) {
  static const std::regex re("true|True|TRUE|false|False|FALSE");
  const auto s = *rc::gen::oneOf(ScalarText(), rc::gen::elementOf(std::vector<std::string>{
                                                   "true", "True", "TRUE", "false", "tRue", "FALSE", "no"}));
  RC_ASSERT(LooksLikeBool(s) == std::regex_match(s, re));
}

RC_GTEST_PROP(ScalarText, IntegersAndNumbersMatchTheCoreSchema, ()) {
  static const std::regex integer("[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+");
  static const std::regex number(
      "[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN)");
  const auto s = *rc::gen::oneOf(
      ScalarText(), rc::gen::elementOf(std::vector<std::string>{".inf", "-.Inf", "+.INF", ".nan", "-.nan", "0o17",
                                                                "0o8", "0xfF", "0x", "1e5", "1.e-3", ".5E+2", "1e",
                                                                "-", "+1", "00", "."}));
  RC_ASSERT(LooksLikeInteger(s) == std::regex_match(s, integer));
  RC_ASSERT(LooksLikeNumber(s) == (std::regex_match(s, integer) || std::regex_match(s, number)));
}

RC_GTEST_PROP(ScalarText, LabelKeysMatchTheKubernetesShape, ()) {
  static const std::regex re("[A-Za-z0-9]([A-Za-z0-9._/-]*[A-Za-z0-9])?");
  const auto s = *ScalarText();
  RC_ASSERT(IsLabelKey(s) == (s.size() <= 253 && std::regex_match(s, re)));
}

TEST(ScalarText, LabelKeysAreAtMost253Characters) {
  EXPECT_TRUE(IsLabelKey(std::string(253, 'a')));
  EXPECT_FALSE(IsLabelKey(std::string(254, 'a')));
}

}  // namespace
}  // namespace berth::model
