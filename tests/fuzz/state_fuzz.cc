// Fuzz target: the state directory's files (allocations.json, inventory.json) as berth reads them from disk,
// then allocation for the fixed manifest from what was read. The first byte picks the file.
#include <unistd.h>

#include <fstream>
#include <string>

#include "reconciler/ipam.h"
#include "reconciler/state_dir.h"
#include "tests/fuzz/fuzz_common.h"

namespace {

const std::string& Dir() {
  static const std::string dir = [] {
    char tmpl[] = "/tmp/berth-state-fuzz-XXXXXX";
    const char* made = ::mkdtemp(tmpl);
    return std::string(made ? made : "/tmp");
  }();
  return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace berth;
  if (size == 0) return 0;
  const bool inventory = data[0] & 1;
  const std::string file = Dir() + (inventory ? "/inventory.json" : "/allocations.json");
  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data + 1), std::streamsize(size - 1));
  }
  reconciler::StateDir state(Dir());
  if (inventory) {
    (void)state.LoadInventory();
  } else if (auto allocations = state.LoadAllocations()) {
    (void)reconciler::Allocate(fuzz::FixedManifest(), *allocations);
  }
  ::unlink(file.c_str());
  return 0;
}
