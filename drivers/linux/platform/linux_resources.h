// The Linux resource vocabulary: kinds, attribute names and values shared by the Linux expansion (which
// produces them) and the Linux driver and simulator (which observe and act on them). Values are strings.
//
//   netns:/berth-vm1                    a named netns (/run/netns/NAME); berth's by its "berth-" prefix
//   link:/fcbr0                         type=bridge [mtu=1500] up=true
//   link:/bv-vm1                        type=veth master=fcbr0 up=true peer=eth0 peer_netns=berth-vm1
//                                       peer_mac=02:.. peer_up=true [mtu=..]; one resource for both ends: the
//                                       create makes the peer directly in peer_netns, deleting the netns removes it
//   link:berth-vm1/lo                   type=loopback up=true|false; comes with its netns (down): an update sets state
//   link:berth-vm1/tap0                 type=tap up=true [owner_uid=N] [owner_gid=N] [mtu=..]; persistent,
//                                       single queue, vnet_hdr; created inside the netns
//   addr:/fcbr0/10.168.0.1/24           dev=fcbr0 address=10.168.0.1/24 (owned when its link is)
//   tc:berth-vm1/eth0                   redirect_to=tap0: ingress qdisc + u32 match-all + mirred egress redirect
//   qdisc:berth-vm1/eth0                rate=BITS burst=BYTES: berth's tbf (handle be7:) as the device's root
//                                       qdisc; eth0 shapes what the VM sends, tap0 what it receives
//                                       (linux_bandwidth.h); only in berth's netns, on berth's devices
//   nfttable:/berth                     the inet table berth owns (chains postrouting, prerouting, forward)
//   nft:/nat/NAME, nft:/vm/NAME         a group of rules: attrs prerouting / forward / postrouting hold the
//                                       group's rules in nft's canonical text, one per line, in order;
//                                       egress=IF (desired only, ignored by the diff) names a NAT's egress
//   sysctl:/net.ipv4.ip_forward         value=1 (a setting: turned on, never off, never collected)
//   file:/etc/netns/berth-vm1/resolv.conf  content=... (berth's by the berth- directory)
//   vmproc:/vm1                         the VM's hypervisor process (docs/hypervisors.md): hypervisor=qemu|
//                                       firecracker running=true netns=berth-vm1 [tap=tap0 mac=..] kernel=..
//                                       [initrd=..] [rootfs=..] vcpus memory_mib boot_args (with ip=) [uid gid
//                                       chroot_base] config_hash; observed adds pid and started (never compared).
//                                       Tagged BERTH_OWNER=VM/vm1 in its environment from exec on
#pragma once

namespace berth::reconciler::linux_res {

// kinds
inline constexpr const char* kNetns = "netns";
inline constexpr const char* kLink = "link";
inline constexpr const char* kAddr = "addr";
inline constexpr const char* kTc = "tc";
inline constexpr const char* kQdisc = "qdisc";
inline constexpr const char* kNftTable = "nfttable";
inline constexpr const char* kNft = "nft";
inline constexpr const char* kSysctl = "sysctl";
inline constexpr const char* kFile = "file";
inline constexpr const char* kVmProc = "vmproc";

// link attributes
inline constexpr const char* kType = "type";  // bridge | veth | tap | loopback | (observed: any other kind)
inline constexpr const char* kUp = "up";      // "true" | "false"
inline constexpr const char* kMtu = "mtu";
inline constexpr const char* kMaster = "master";
inline constexpr const char* kPeer = "peer";
inline constexpr const char* kPeerNetns = "peer_netns";
inline constexpr const char* kPeerMac = "peer_mac";
inline constexpr const char* kPeerUp = "peer_up";
inline constexpr const char* kMac = "mac";            // observed only unless desired
inline constexpr const char* kOwnerUid = "owner_uid";
inline constexpr const char* kOwnerGid = "owner_gid";

// addr attributes
inline constexpr const char* kDev = "dev";
inline constexpr const char* kAddress = "address";

// tc attributes
inline constexpr const char* kRedirectTo = "redirect_to";

// qdisc attributes: the rate in bits per second (a multiple of 8), the bucket in bytes as the kernel keeps it
inline constexpr const char* kRate = "rate";
inline constexpr const char* kBurst = "burst";

// nft group attributes: one per chain
inline constexpr const char* kChainPrerouting = "prerouting";
inline constexpr const char* kChainForward = "forward";
inline constexpr const char* kChainPostrouting = "postrouting";
inline constexpr const char* kEgress = "egress";  // a NAT's egress interface: for plan-time checks, never compared
// nfttable attribute: its base chains, "NAME: HEADER" sorted by name, one per line, e.g.
// "forward: type filter hook forward priority filter; policy accept;" (observed; desired when set)
inline constexpr const char* kChains = "chains";

// sysctl and file attributes
inline constexpr const char* kValue = "value";
inline constexpr const char* kContent = "content";

// vmproc attributes
inline constexpr const char* kHypervisor = "hypervisor";  // "qemu" | "firecracker"
inline constexpr const char* kRunning = "running";        // "true"; observed "false" when the process died
inline constexpr const char* kNetnsAttr = "netns";        // the netns the process runs in
inline constexpr const char* kTap = "tap";                // the TAP it opens (absent: no network device)
inline constexpr const char* kKernel = "kernel";
inline constexpr const char* kInitrd = "initrd";
inline constexpr const char* kRootfs = "rootfs";
inline constexpr const char* kVcpus = "vcpus";
inline constexpr const char* kMemoryMib = "memory_mib";
inline constexpr const char* kBootArgs = "boot_args";
inline constexpr const char* kUid = "uid";                 // run as (firecracker's jailer); absent: root
inline constexpr const char* kGid = "gid";
inline constexpr const char* kChrootBase = "chroot_base";  // firecracker; "": under the driver's state dir
inline constexpr const char* kConfigHash = "config_hash";  // FNV-1a of the launch attributes, for records
inline constexpr const char* kPid = "pid";                 // observed only
inline constexpr const char* kStarted = "started";         // observed only: /proc/PID/stat start time (ticks)
// Observed only: what the running process was given ("kvm" | "tcg"). Never part of the launch attributes or
// their hash: a changed KVM verdict must not restart running VMs (docs/hypervisors.md).
inline constexpr const char* kAccelerator = "accelerator";
inline constexpr const char* kQemu = "qemu";
inline constexpr const char* kFirecracker = "firecracker";
// The environment variable that tags a hypervisor process as berth's: BERTH_OWNER=VM/NAME.
inline constexpr const char* kOwnerEnv = "BERTH_OWNER";

inline constexpr const char* kTrue = "true";
inline constexpr const char* kFalse = "false";

}  // namespace berth::reconciler::linux_res
