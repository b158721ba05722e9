// The Linux change feed: rtnetlink link/address events in the host, link/address/tc events in every berth
// netns, nftables ruleset changes (NFNLGRP_NFTABLES), and netns appearing or going in the netns directory.
#pragma once

#include <memory>

#include "drivers/linux/linux_driver.h"
#include "reconciler/change_feed.h"

namespace berth::drivers::lnx {

/// Null when the host offers no netlink (then watch falls back to its periodic resync).
std::unique_ptr<reconciler::ChangeFeed> MakeLinuxChangeFeed(const LinuxDriverOptions& options = {});

}  // namespace berth::drivers::lnx
