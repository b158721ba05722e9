// Fuzz target: manifest text through the loader (parse, validate) and, when valid, allocation, expansion and a
// plan against an empty host. Any abort, sanitizer report or exception past the loader is a finding.
#include "drivers/freebsd/platform/freebsd_platform.h"
#include "drivers/linux/platform/linux_platform.h"
#include "model/load.h"
#include "reconciler/ipam.h"
#include "reconciler/planner.h"
#include "tests/fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace berth;
  auto loaded = model::LoadManifestText(fuzz::Text(data, size), "fuzz.yaml");
  for (const auto& d : loaded.diagnostics) (void)d.ToString();
  if (model::HasErrors(loaded.diagnostics)) return 0;
  auto allocated = reconciler::Allocate(loaded.manifest, {});
  if (model::HasErrors(allocated.diagnostics)) return 0;
  for (auto make : {reconciler::MakeLinuxPlatform, reconciler::MakeFreeBsdPlatform}) {
    reconciler::PlanInput input;
    input.manifest = &loaded.manifest;
    input.allocations = allocated.allocations;
    (void)reconciler::MakePlan(*make(), std::move(input));
  }
  return 0;
}
