// The typed forms of the Linux resources other than links (link_spec.h): one codec per kind, each the closed
// grammar of what the Linux expansion emits. The plan-time check decodes every desired record through them
// (a malformed one fails with its provenance) and `berth apply FILE` decodes every record of a saved plan,
// so a value outside the grammar never reaches a driver. Pure.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "drivers/linux/platform/nft_rule_spec.h"
#include "model/net.h"
#include "model/result.h"
#include "reconciler/resource.h"

namespace berth::reconciler::linux_res {

/// The only sysctls berth sets (a saved plan naming any other is refused).
inline constexpr const char* kSysctlAllowList[] = {"net.ipv4.ip_forward"};

/// addr:SCOPE/DEV/ADDRESS  dev=DEV address=ADDRESS
struct AddrSpec {
  std::string dev;
  model::Cidr4 address;
};
Result<AddrSpec> AddrFromResource(const Resource& r);

/// nft:/GROUP: per chain attribute its rules, in order; its set elements; a NAT's egress interface.
struct NftGroupSpec {
  std::map<std::string, std::vector<NftRule>> chains;  // attribute ("forward", "inet:host-vm1", ...) -> rules
  std::vector<NftElement> elements;
  std::string egress;
};
Result<NftGroupSpec> NftGroupFromResource(const Resource& r);

/// file:/etc/netns/berth-VM/resolv.conf: berth's header, then nameserver, search and options lines.
struct ResolvConfSpec {
  std::vector<std::string> nameservers;
  std::vector<std::string> search;
  std::vector<std::string> options;
};
Result<ResolvConfSpec> ParseResolvConf(const std::string& content);
std::string FormatResolvConf(const ResolvConfSpec& spec);

/// vmproc:/VM: what becomes the hypervisor's argv (QEMU) or config (Firecracker).
struct VmProcSpec {
  std::string hypervisor;  // kQemu | kFirecracker
  bool running = true;
  std::string netns, tap;
  std::optional<model::Mac> mac;
  std::string kernel, initrd, rootfs, boot_args, chroot_base;
  uint32_t vcpus = 0, memory_mib = 0;
  std::optional<uint32_t> uid, gid;
};
Result<VmProcSpec> VmProcFromResource(const Resource& r);

/// Decodes `r` with its kind's codec: the key (kind, scope and name in berth's naming), the set of attributes
/// the kind has (observed-only ones included: created, pid, ...) and each value's grammar. Nullopt when `r` is
/// well-formed; else what is wrong, naming the attribute ("attribute forward, rule 2: ...").
std::optional<std::string> LinuxRecordError(const Resource& r);

}  // namespace berth::reconciler::linux_res
