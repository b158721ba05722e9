// The corpus: every file of tests/corpus/invalid breaks one rule and says where ("# expect: LINE:COLUMN CODE
// FIELD"); berth must report exactly that and nothing else. Valid corpus files and every example load cleanly.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>

#include "model/load.h"

namespace berth::model {
namespace {

namespace fs = std::filesystem;

const fs::path kSource = BERTH_SOURCE_DIR;

std::vector<fs::path> YamlFilesIn(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.path().extension() == ".yaml") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<std::string> FirstLines(const fs::path& file, size_t n) {
  std::ifstream in(file);
  std::vector<std::string> lines;
  for (std::string line; lines.size() < n && std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string Describe(const LoadResult& result) {
  std::string out;
  for (const Diagnostic& d : result.diagnostics) out += "\n  " + d.ToString() + " [" + d.code + "]";
  return out.empty() ? " (none)" : out;
}

struct Expectation {
  int line = 0;
  int column = 0;
  std::string code;
  std::string field;
};

std::optional<Expectation> ParseExpectation(const std::string& header) {
  static const std::regex re(R"(# expect: (\d+):(\d+) ([a-z0-9-]+) (\S+))");
  std::smatch m;
  if (!std::regex_match(header, m, re)) return std::nullopt;
  return Expectation{std::stoi(m[1]), std::stoi(m[2]), m[3], m[4] == "-" ? "" : std::string(m[4])};
}

TEST(Corpus, EveryInvalidFileReportsExactlyItsRule) {
  const auto files = YamlFilesIn(kSource / "tests/corpus/invalid");
  EXPECT_GE(files.size(), 45u);
  std::set<std::string> codes;
  for (const fs::path& file : files) {
    SCOPED_TRACE(file.filename().string());
    auto header = FirstLines(file, 2);
    ASSERT_EQ(header.size(), 2u);
    auto expected = ParseExpectation(header[0]);
    ASSERT_TRUE(expected) << "first line must be \"# expect: LINE:COLUMN CODE FIELD\", got: " << header[0];
    EXPECT_TRUE(header[1].starts_with("# ") && header[1].size() > 10) << "second line must say what is wrong";
    codes.insert(expected->code);

    LoadResult result = LoadManifests({file.string()});
    ASSERT_EQ(result.diagnostics.size(), 1u) << "diagnostics:" << Describe(result);
    const Diagnostic& d = result.diagnostics[0];
    EXPECT_EQ(d.code, expected->code) << Describe(result);
    EXPECT_EQ(d.field, expected->field) << Describe(result);
    EXPECT_EQ(d.span.line, expected->line) << Describe(result);
    EXPECT_EQ(d.span.column, expected->column) << Describe(result);
    EXPECT_EQ(d.span.file, file.string());
    EXPECT_EQ(d.severity, Severity::kError);
  }
  EXPECT_GE(codes.size(), 35u) << "the corpus should cover most rules, one file each";
}

TEST(Corpus, EveryValidFileLoadsCleanly) {
  for (const fs::path& file : YamlFilesIn(kSource / "tests/corpus/valid")) {
    LoadResult result = LoadManifests({file.string()});
    EXPECT_TRUE(result.diagnostics.empty()) << file.filename() << ":" << Describe(result);
    EXPECT_GT(result.manifest.size(), 0u) << file.filename();
  }
}

TEST(Examples, EveryScenarioLoadsWithoutDiagnostics) {
  const std::set<std::string> required = {"firecracker-cni", "firecracker-vm", "freebsd-vnet",
                                          "iocage",          "sandbox-modes",  "fleet"};
  std::set<std::string> found;
  for (const auto& entry : fs::directory_iterator(kSource / "examples/manifests")) {
    if (!entry.is_directory()) continue;
    found.insert(entry.path().filename().string());
    LoadResult result = LoadManifests({entry.path().string()});
    EXPECT_TRUE(result.diagnostics.empty()) << entry.path().filename() << ":" << Describe(result);
    EXPECT_GT(result.manifest.size(), 0u) << entry.path().filename();
  }
  for (const std::string& scenario : required) EXPECT_TRUE(found.count(scenario)) << "missing example " << scenario;
}

TEST(Examples, FleetNodesEachSeeTheirOwnAndTheSharedDocuments) {
  const std::string fleet = (kSource / "examples/manifests/fleet").string();
  for (const char* node : {"node-a", "node-b"}) {
    LoadResult result = LoadManifests({fleet}, LoadOptions{node});
    EXPECT_TRUE(result.diagnostics.empty()) << node << ":" << Describe(result);
    for (const Bridge& bridge : result.manifest.bridges) EXPECT_NE(bridge.doc.node, std::nullopt);
    EXPECT_FALSE(result.manifest.vms.empty()) << node;
    for (const Vm& vm : result.manifest.vms) EXPECT_TRUE(!vm.doc.node || *vm.doc.node == node);
  }
}

}  // namespace
}  // namespace berth::model
