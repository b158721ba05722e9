// How observation says an object is half-made, so the diff replaces it instead of updating it in place.
#pragma once

namespace berth::reconciler {

/// Observed only: set on an object that is half-made (a crash between the system calls that make it, or a
/// look-alike planted in its place), its value saying what is wrong. The diff replaces such an object (delete,
/// then create) and never "updates" it: an update would leave it as broken as it was.
inline constexpr const char* kBrokenAttr = "broken";

}  // namespace berth::reconciler
