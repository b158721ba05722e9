// AdoptObservedContext and ReportNodeSelection.
#include "cli/observed_context.h"

#include <fstream>
#include <iostream>

#include <nlohmann/json.hpp>

namespace berth::cli {

bool AdoptObservedContext(Options& o, bool platform_given, bool node_given) {
  if (!o.observed_file) return true;
  std::ifstream in(*o.observed_file);
  auto j = nlohmann::json::parse(in, nullptr, false);
  if (!in || j.is_discarded() || !j.is_object()) return true;
  if (auto p = j.find("platform"); p != j.end() && p->is_string()) {
    const std::string observed = p->get<std::string>();
    if (platform_given && observed != o.platform) {
      std::cerr << "berth: " << *o.observed_file << " was observed on platform \"" << observed
                << "\", but --platform is \"" << o.platform << "\"; plan it with --platform " << observed
                << " (or leave --platform out)\n";
      return false;
    }
    o.platform = observed;
  }
  if (auto n = j.find("node"); !node_given && n != j.end() && n->is_string() && !n->get<std::string>().empty())
    o.node = n->get<std::string>();
  return true;
}

void ReportNodeSelection(const Options& o, size_t filtered_out, size_t documents) {
  if (!o.node || filtered_out == 0) return;
  std::cerr << "berth: planning for node \"" << *o.node << "\": " << filtered_out << " of " << documents
            << " document(s) are for other nodes (spec.node) and were left out; --node NAME picks another node\n";
}

}  // namespace berth::cli
