// The typed form of a link resource (linux_resources.h), decoded once from its string attributes by the one
// codec the expansion's plan-time check, the netlink driver and the simulator share. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "model/net.h"
#include "model/result.h"
#include "reconciler/resource.h"

namespace berth::reconciler::linux_res {

// Values of a link's kType attribute that berth creates or manages (an observed link may have any other kind).
inline constexpr const char* kLinkBridge = "bridge";
inline constexpr const char* kLinkVeth = "veth";
inline constexpr const char* kLinkTap = "tap";
inline constexpr const char* kLinkLoopback = "loopback";

/// A link's attributes, typed. Unset optionals are attributes the record does not set.
struct LinkSpec {
  std::string name;  // the key's name
  std::string type;  // kLink* above (observed: any kind)
  std::optional<bool> up, peer_up;
  std::optional<uint32_t> mtu;
  std::optional<std::string> master;
  std::optional<model::Mac> mac, peer_mac;
  std::string peer, peer_netns;  // veth only; empty peer_netns: the link's own scope
  std::optional<uint32_t> owner_uid, owner_gid;  // tap only

  friend bool operator==(const LinkSpec&, const LinkSpec&) = default;
};

/// Decodes a link record: booleans are "true" or "false", numbers decimal and within 32 bits, MACs
/// "aa:bb:cc:dd:ee:ff". The error names the attribute and its value ("attribute mtu='x' is not a number").
Result<LinkSpec> LinkFromResource(const Resource& r);
/// LinkFromResource's error without decoding into a LinkSpec (the plan-time check of every desired link).
std::optional<std::string> LinkAttrError(const Resource& r);

/// The attributes that encode `spec` (MACs in lower case); LinkFromResource of a record with them gives `spec`
/// back.
Attrs LinkToAttrs(const LinkSpec& spec);

}  // namespace berth::reconciler::linux_res
