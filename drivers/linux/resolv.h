// Per-netns files (/etc/netns/berth-*/resolv.conf): the mapping between resource names, which always say
// /etc/netns, and the driver's configured directory.
#pragma once

#include <optional>
#include <string>

namespace berth::drivers::lnx {

inline constexpr const char* kEtcNetns = "/etc/netns";

/// The real path of a file resource named "/etc/netns/berth-x/F" (nullopt: outside berth's directories).
std::optional<std::string> FilePathFor(const std::string& etc_dir, const std::string& name);

}  // namespace berth::drivers::lnx
