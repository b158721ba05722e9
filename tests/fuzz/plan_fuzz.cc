// Fuzz target: a saved plan file (`berth apply plan.json`) through the plan loader, then the stale check and
// both renderings, as apply does before it changes anything.
#include <nlohmann/json.hpp>

#include "reconciler/plan_json.h"
#include "reconciler/planner.h"
#include "reconciler/render.h"
#include "tests/fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace berth;
  auto j = nlohmann::json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return 0;
  auto plan = reconciler::PlanFromJson(j);
  if (!plan) return 0;
  (void)reconciler::DescribeDrift(*plan, plan->basis);
  (void)reconciler::RenderPlanText(*plan, {false, false});
  (void)reconciler::PlanToJson(*plan).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return 0;
}
