// AdoptObservedContext and ReportNodeSelection.
#include "cli/observed_context.h"

#include <sys/stat.h>

#include <fstream>
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/backends.h"
#include "model/suggest.h"

namespace berth::cli {

bool AdoptObservedContext(Options& o, bool platform_given, bool node_given) {
  if (!o.observed_file) return true;
  // Only a regular file is read twice (here and by the session): a pipe (--observed /dev/stdin) would be
  // consumed here, and a FIFO could block. Those keep --platform and --node as given.
  struct stat st {};
  if (::stat(o.observed_file->c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return true;
  std::ifstream in(*o.observed_file);
  auto j = nlohmann::json::parse(in, nullptr, false);
  if (!in || j.is_discarded() || !j.is_object()) return true;
  if (auto p = j.find("platform"); p != j.end() && p->is_string()) {
    const std::string observed = p->get<std::string>();
    if (!FindBackend(observed)) {
      std::cerr << "berth: " << *o.observed_file << ": platform " << model::QuoteToken(observed)
                << " is not one this build knows (" << BackendNames() << ")\n";
      return false;
    }
    if (platform_given && observed != o.platform) {
      std::cerr << "berth: " << *o.observed_file << " was observed on platform " << model::QuoteToken(observed)
                << ", but --platform is \"" << o.platform << "\"; plan it with that platform (or leave --platform "
                   "out)\n";
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
  std::cerr << "berth: planning for node " << model::QuoteToken(*o.node) << ": " << filtered_out << " of " << documents
            << " document(s) are for other nodes (spec.node) and were left out; --node NAME picks another node\n";
}

}  // namespace berth::cli
