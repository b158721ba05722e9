// JSON forms of observations and plans (format version kPlanFormatVersion, documented in docs/plan-format.md).
// A saved plan round-trips: PlanFromJson(PlanToJson(p)) gives back p's steps, changes and basis.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "model/result.h"
#include "reconciler/plan.h"

namespace berth::reconciler {

nlohmann::json ResourceToJson(const Resource& r);
Result<Resource> ResourceFromJson(const nlohmann::json& j);

/// {"VM/vm1": {"address": "10.168.0.2/24", "mac": "02:..."}}: the form of plans and of the state directory.
nlohmann::json AllocationsToJson(const Allocations& allocations);
Result<Allocations> AllocationsFromJson(const nlohmann::json& j);

nlohmann::json ObservedToJson(const ObservedState& observed);
Result<ObservedState> ObservedFromJson(const nlohmann::json& j);

/// The whole plan: summary, changes (no-ops left out), conflicts, warnings, steps, refusal and basis.
nlohmann::json PlanToJson(const Plan& plan);
Result<Plan> PlanFromJson(const nlohmann::json& j);

}  // namespace berth::reconciler
