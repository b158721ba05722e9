// Fuzz target: a saved observation (`berth plan --observed show.json`) through the observation loader, then a
// plan of the fixed manifest against it, rendered as text and JSON.
#include <nlohmann/json.hpp>

#include "drivers/freebsd/platform/freebsd_platform.h"
#include "drivers/linux/platform/linux_platform.h"
#include "reconciler/ipam.h"
#include "reconciler/plan_json.h"
#include "reconciler/planner.h"
#include "reconciler/render.h"
#include "tests/fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace berth;
  auto j = nlohmann::json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return 0;
  auto observed = reconciler::ObservedFromJson(j.is_object() && j.contains("observed") ? j["observed"] : j);
  if (!observed) return 0;
  const model::Manifest& manifest = fuzz::FixedManifest();
  for (auto make : {reconciler::MakeLinuxPlatform, reconciler::MakeFreeBsdPlatform}) {
    for (bool destroy : {false, true}) {
      reconciler::PlanInput input;
      input.manifest = destroy ? nullptr : &manifest;
      input.allocations = reconciler::Allocate(manifest, {}).allocations;
      input.observed = *observed;
      input.destroy = destroy;
      auto plan = reconciler::MakePlan(*make(), std::move(input));
      if (!plan) continue;
      (void)reconciler::RenderPlanText(*plan, {false, false});
      (void)reconciler::PlanToJson(*plan).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      (void)reconciler::Verify(*make(), *plan, *observed);
    }
  }
  return 0;
}
