// The manifest API v1: typed records for each kind, as parsed from YAML and validated.
// Every record keeps the span of its document and of each field it was given, for diagnostics and provenance.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "model/net.h"
#include "model/policy.h"
#include "model/source_span.h"

namespace berth::model {

inline constexpr const char* kApiVersion = "berth/v1";

/// Spans of the fields a document set, keyed by field path ("spec.network.address", "spec.forwards[1].port").
using FieldSpans = std::map<std::string, SourceSpan>;

struct Metadata {
  std::string name;
  std::map<std::string, std::string> labels;
};

/// Common part of every document: kind, name, node selector and where it came from.
struct Document {
  std::string kind;  // "Bridge", "NAT", "VM", "Jail"
  Metadata metadata;
  std::optional<std::string> node;  // spec.node; absent: every node
  SourceSpan span;                  // the document's first line
  FieldSpans fields;
  /// False when the document had per-document errors: cross-resource validation then trusts only its name
  /// (so references to it resolve) and checks nothing else of it, which hides follow-on errors.
  bool valid = true;

  /// "Kind/name", the manifest resource's identity in plans and ownership tags.
  std::string Id() const { return kind + "/" + metadata.name; }
  /// Span of a field path, falling back to the document's span.
  const SourceSpan& SpanOf(const std::string& field) const {
    auto it = fields.find(field);
    return it == fields.end() ? span : it->second;
  }
};

/// kind: Bridge
///   spec: {address: 10.168.0.1/24, mtu: 1500, pool: 10.168.0.128/25}
struct Bridge {
  Document doc;
  Cidr4 address;                // gateway address on the bridge, with the subnet's prefix
  std::optional<int> mtu;       // 68..65535
  std::optional<Cidr4> pool;    // range handed out to workloads; default: subnet minus network, gateway, broadcast
  std::optional<Policy> policy; // the default network policy of the VMs on this bridge (model/policy.h)
};

enum class Protocol { kTcp, kUdp, kSctp };
const char* ToString(Protocol protocol);  // "tcp", "udp", "sctp"

/// spec.forwards[i]: {protocol: tcp, port: 8080, to: 10.168.0.10:80}, or a range to the same ports
/// {port: "8000-8099", to: 10.168.0.10, from: [192.0.2.0/24], listen: 192.0.2.10, localhost: true}
/// (docs/forwards.md).
struct PortForward {
  Protocol protocol = Protocol::kTcp;
  uint16_t port = 0;
  Ipv4 to_address;
  uint16_t to_port = 0;  // the target's first port; a range keeps its ports (to_port == port)
  SourceSpan span;
  uint16_t port_last = 0;       // the range's last port; 0: one port
  std::vector<Cidr4> from;      // source networks accepted; empty: any
  std::optional<Ipv4> listen;   // the host address; absent: any local address
  bool localhost = false;       // host-local clients may use 127.0.0.1 too (route_localnet on the bridge)

  uint16_t last() const { return port_last ? port_last : port; }
  bool is_range() const { return last() != port; }
};

/// kind: NAT
///   spec: {source: {bridge: fcbr0}, egress: eth0, forwards: [...]}
struct Nat {
  Document doc;
  std::variant<Cidr4, std::string> source;  // a CIDR, or the name of a Bridge whose subnet is the source
  std::optional<std::string> egress;         // interface; absent: any interface but the source bridge
  std::vector<PortForward> forwards;
};

/// spec.network.routes[i] of a VM or jail: {to: 10.20.0.0/16, via: 10.168.0.254}, a route the workload gets
/// besides its default route; `via` is on the workload's own subnet (model/parse_routes.h has the rules).
struct Route {
  Cidr4 to;  // the network form (host bits zero), never 0.0.0.0/0
  Ipv4 via;
  SourceSpan span;
  friend bool operator==(const Route& a, const Route& b) { return a.to == b.to && a.via == b.via; }
};

enum class NetworkMode { kDisabled, kLoopback, kOutbound, kFull };
const char* ToString(NetworkMode mode);  // "disabled", "loopback", "outbound", "full"
/// The mode named as in YAML; nullopt for anything else.
std::optional<NetworkMode> ParseNetworkMode(std::string_view text);
/// Outbound and full workloads sit on a bridge; disabled and loopback ones have no link to the host.
inline bool UsesBridge(NetworkMode mode) { return mode == NetworkMode::kOutbound || mode == NetworkMode::kFull; }

struct FirecrackerJailer {
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::string chroot_base;  // empty: <state dir>/jail (the chroot is <base>/firecracker/<vm>/root)
};

/// spec.firecracker: how berth launches the VM with Firecracker.
struct Firecracker {
  std::string kernel;
  std::string rootfs;
  int vcpus = 1;
  int memory_mib = 128;
  std::string boot_args;
  std::optional<FirecrackerJailer> jailer;
};

/// spec.qemu: how berth launches the VM with QEMU.
struct Qemu {
  std::string kernel;
  std::string initrd;
  int vcpus = 1;
  int memory_mib = 128;
  std::string boot_args;
};

/// spec.network.bandwidth: {egress: 200mbit, ingress: 50mbit, burst: 64kb, pps: {egress: 20000, ingress: 5000}}.
/// Rates in bits per second, the burst in bytes (model/parse_bandwidth.h has the units); egress and ingress as
/// seen from the workload. `pps` limits packets per second per direction, with its own burst in packets.
struct Bandwidth {
  std::optional<uint64_t> egress_bits;   // absent: that direction's bit rate is not limited
  std::optional<uint64_t> ingress_bits;
  std::optional<uint64_t> burst_bytes;   // absent: a default derived from each rate (BandwidthBurst)
  std::optional<uint64_t> egress_pps;    // packets per second; absent: that direction's packet rate is not limited
  std::optional<uint64_t> ingress_pps;
  std::optional<uint64_t> pps_burst;     // packets; absent: a default derived from each rate (PpsBurst)
  SourceSpan span;
  std::optional<SourceSpan> pps_span;    // where `pps` is, when given
};

/// kind: VM
///   spec: {network: {bridge: fcbr0, address: 10.168.0.10/24, mode: outbound, dns: [10.168.0.1]}}
struct VmNetwork {
  std::string bridge;             // required unless mode is disabled or loopback
  std::optional<Cidr4> address;   // absent: allocated from the bridge's pool, stable across runs
  std::optional<Mac> mac;         // absent: derived deterministically from the VM's name
  NetworkMode mode = NetworkMode::kOutbound;
  std::vector<std::string> dns;   // nameservers; with search and options empty too: no resolv.conf is written
  std::vector<std::string> dns_search;   // dns: {search: [...]}: resolv.conf's search domains
  std::vector<std::string> dns_options;  // dns: {options: [...]}: resolv.conf's options ("ndots:2")
  std::optional<Policy> policy;   // over the bridge's policy, field by field (model/policy.h)
  std::vector<Route> routes;      // extra routes; the guest applies them (the launcher's result file)
  std::optional<Bandwidth> bandwidth;  // rate limits on the VM's devices; absent: none
};

struct Vm {
  Document doc;
  VmNetwork network;
  std::optional<Firecracker> firecracker;
  std::optional<Qemu> qemu;
};

/// spec.network.interfaces[i] of a VNET jail: {name: vnet0, bridge: bridge0, secure: false, address: 10.11.0.2/16}
struct JailInterface {
  std::string name;
  std::string bridge;
  bool secure = false;             // iocage/libioc secure VNET: per-jail bridge and layer-2 whitelist
  std::optional<Cidr4> address;    // absent: allocated from the bridge's pool
  std::optional<Mac> mac;
  SourceSpan span;
};

/// A non-VNET jail address as iocage writes it: "em0|10.1.1.10/24".
struct Ip4Entry {
  std::string interface;
  Cidr4 address;
  SourceSpan span;
};

struct JailNetwork {
  bool vnet = true;
  std::vector<JailInterface> interfaces;   // VNET jails
  std::optional<Ipv4> default_router;
  NetworkMode mode = NetworkMode::kOutbound;
  std::vector<std::string> dns;
  std::vector<std::string> dns_search;   // as VmNetwork's
  std::vector<std::string> dns_options;
  std::vector<Ip4Entry> ip4;               // non-VNET jails
  std::vector<Route> routes;               // extra routes in a VNET jail (route -j)
  std::optional<Bandwidth> bandwidth;      // dummynet pipes; absent: none
};

/// kind: Jail (FreeBSD)
struct Jail {
  Document doc;
  std::string path;
  JailNetwork network;
};

/// Everything the manifests of one run describe, after node selection. Vectors keep file order.
struct Manifest {
  std::vector<Bridge> bridges;
  std::vector<Nat> nats;
  std::vector<Vm> vms;
  std::vector<Jail> jails;

  const Bridge* FindBridge(const std::string& name) const;
  size_t size() const { return bridges.size() + nats.size() + vms.size() + jails.size(); }
  /// Whether berth launches any VM (spec.qemu or spec.firecracker): only then does a plan need to know what
  /// keeps a hypervisor from launching here, which can take seconds to learn (whether KVM runs a guest).
  bool LaunchesVms() const;
};

}  // namespace berth::model
