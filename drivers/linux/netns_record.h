// berth's record of the network namespaces it created: <state_dir>/netns.json, written atomically like the
// other state files. A `berth-` name alone does not make a namespace berth's: an operator's look-alike that
// berth never recorded is not adopted (unless --adopt-foreign-netns) nor removed.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "model/result.h"

namespace berth::drivers::lnx {

inline constexpr const char* kNetnsRecordFile = "netns.json";

/// The names recorded in `state_dir`. Nullopt when there is no record yet (a state directory from before berth
/// recorded its namespaces, or a first run): then every `berth-` namespace counts as recorded, as before.
/// A corrupt record is an error naming the file.
Result<std::optional<std::set<std::string>>> LoadNetnsRecord(const std::string& state_dir);

/// Records `add` (before they are created: intent first, so a crash between recording and creating leaves a
/// name recorded whose namespace the next run makes, never a namespace berth made but does not know) and
/// forgets `remove` (after they are deleted) and names in neither `present` nor `add` (gone by other means).
/// When there is no record yet, it starts from `present` (the namespaces berth treated as its by name).
/// Thread-safe within the process; the apply lock serialises processes.
Status<> UpdateNetnsRecord(const std::string& state_dir, const std::vector<std::string>& add,
                           const std::vector<std::string>& remove, const std::vector<std::string>& present);

}  // namespace berth::drivers::lnx
