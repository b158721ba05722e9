// Which berth- network namespaces observation reports as berth's. A name alone does not make one berth's: a
// namespace holding links berth did not make, or one berth never recorded creating (netns_record.h), is an
// operator's look-alike, reported unowned with what makes it so, so that it is neither adopted nor removed.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "drivers/linux/observe.h"
#include "reconciler/resource.h"

namespace berth::drivers::lnx {

/// Marks the namespaces whose links are not all berth's (lo aside) unowned, naming what they hold; returns
/// their names. `netns_at` maps a namespace's name to its record in `resources`.
std::set<std::string> MarkForeignNetns(const std::vector<const NetnsView*>& views,
                                       const std::map<std::string, size_t>& netns_at,
                                       std::vector<reconciler::Resource>& resources);

/// Marks the `unrecorded` namespaces unowned (never half-made: a planted file is not berth's to replace) and
/// adds them to `foreign`.
void DisownUnrecordedNetns(const std::set<std::string>& unrecorded, const std::map<std::string, size_t>& netns_at,
                           std::vector<reconciler::Resource>& resources, std::set<std::string>& foreign);

}  // namespace berth::drivers::lnx
