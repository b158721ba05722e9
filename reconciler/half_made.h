// How observation says an object is half-made, so the diff replaces it instead of updating it in place.
#pragma once

namespace berth::reconciler {

/// Observed only: set on an object that is half-made (a crash between the system calls that make it, or a
/// look-alike planted in its place), its value saying what is wrong. The diff replaces such an object (delete,
/// then create) and never "updates" it: an update would leave it as broken as it was.
inline constexpr const char* kBrokenAttr = "broken";

/// Observed only: set on a container with berth's name that holds objects berth did not create (a netns with
/// an operator's veth in it), listing them. Such a container is not berth's: adopting or removing it would take
/// them along, so the plan names them as the reason for the conflict instead.
inline constexpr const char* kHoldsUnownedAttr = "holds-unowned";

}  // namespace berth::reconciler
