// A saved observation (berth show -o json) says which platform and node it was taken on; a plan against it
// is for that platform and node unless --platform/--node say otherwise (a different --platform is refused).
#pragma once

#include "cli/options.h"

namespace berth::cli {

/// With --observed FILE: takes the file's "platform" when --platform was not given, refuses (false, message on
/// stderr naming both) when it was given and differs, and takes the file's "node" when --node was not given.
/// True otherwise, also for files without these fields (bare observations) or that are not JSON (the loader
/// reports those).
bool AdoptObservedContext(Options& o, bool platform_given, bool node_given);

/// Says on stderr which node's documents the view holds and how many other nodes' were left out, when any was.
void ReportNodeSelection(const Options& o, size_t filtered_out, size_t documents);

}  // namespace berth::cli
