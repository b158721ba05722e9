// Rules that depend on the platform a manifest is planned for: kinds the platform has no driver for (a Jail on
// Linux, a VM on FreeBSD) and what only one platform needs (pf NAT translates to one egress interface).
#pragma once

#include <string_view>

#include "model/diagnostic.h"
#include "model/manifest.h"

namespace berth::model {

/// Errors for documents of `manifest` that `platform` ("linux" or "freebsd") cannot carry out, each at the
/// document's location. Any other platform name: no rules (the caller refuses unknown platforms).
Diagnostics ValidateForPlatform(const Manifest& manifest, std::string_view platform);

/// Whether pfctl reads `word` as one of its keywords (sbin/pfctl/parse.y lookup), never as an interface name:
/// an interface so named cannot appear in a pf rule.
bool IsPfKeyword(std::string_view word);

}  // namespace berth::model
