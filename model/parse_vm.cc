// kind: VM. The network block and an optional hypervisor block (firecracker or qemu, not both).
#include "model/parse_bandwidth.h"
#include "model/parse_dns.h"
#include "model/parse_kinds.h"
#include "model/parse_policy.h"
#include "model/parse_routes.h"
#include "model/parse_values.h"

namespace berth::model {
namespace {

// Firecracker supports at most 32 vCPUs; QEMU more, but a sandbox VM beyond that is surely a typo.
inline constexpr int64_t kMaxVcpus = 32;
inline constexpr int64_t kMaxMemoryMiB = 1 << 20;  // 1 TiB
inline constexpr int64_t kMaxId = 4294967294;      // (uid_t)-1 means "no change" to chown(2)

void ParseNetwork(ParseContext& ctx, const Value& value, VmNetwork& network) {
  auto reader = MappingReader::Open(ctx, value, keys::kVmNetwork);
  if (!reader) return;
  if (auto v = reader->Get("mode"))
    if (auto mode = ReadMode(ctx, *v)) network.mode = *mode;
  if (auto v = reader->Get("bridge"))
    if (auto bridge = ReadBridgeReference(ctx, *v)) network.bridge = *bridge;
  if (auto v = reader->Get("address")) network.address = ReadCidr(ctx, *v);
  if (auto v = reader->Get("mac")) network.mac = ReadMac(ctx, *v);
  if (auto v = reader->Get("dns")) ReadDns(ctx, *v, network.dns, network.dns_search, network.dns_options);
  // With mode disabled or loopback the policy has nothing to act on: a warning in validation, not an error.
  if (auto v = reader->Get("policy")) network.policy = ParsePolicy(ctx, *v);
  if (auto v = reader->Get("routes")) ReadRoutes(ctx, *v, network.routes);
  if (auto v = reader->Get("bandwidth")) network.bandwidth = ReadBandwidth(ctx, *v);

  const std::string mode = ToString(network.mode);
  if (UsesBridge(network.mode)) {
    if (!reader->Has("bridge"))
      ctx.Error("missing-field", reader->PathOf("bridge"), value.key_span,
                "missing required field \"bridge\": mode " + mode + " attaches the VM to a bridge");
    return;
  }
  // A disabled or loopback VM has no link to the host, but a switch of mode must be one word: its bridge,
  // address, MAC and routes may stay, and keep their allocation (reserved on the bridge) for the way back. An
  // address, MAC or route without the bridge they belong to would reserve or mean nothing: still an error.
  if (reader->Has("bridge")) return;
  for (std::string_view key : {"address", "mac", "routes"}) {
    if (auto v = reader->Get(key))
      ctx.Error("mode-conflict", v->path, v->key_span,
                "\"" + std::string(key) + "\" without \"bridge\" does nothing with mode " + mode +
                    ": give the bridge it is kept on for a switch back, or remove it");
  }
}

void ParseCommonHypervisor(ParseContext& ctx, const MappingReader& reader, std::string& kernel, int& vcpus,
                           int& memory_mib, std::string& boot_args) {
  if (auto v = reader.Require("kernel"))
    if (auto path = ReadAbsolutePath(ctx, *v)) kernel = *path;
  if (auto v = reader.Get("vcpus"))
    if (auto n = ReadIntegerInRange(ctx, *v, 1, kMaxVcpus, "out-of-range")) vcpus = static_cast<int>(*n);
  if (auto v = reader.Get("memoryMiB"))
    if (auto n = ReadIntegerInRange(ctx, *v, 1, kMaxMemoryMiB, "out-of-range")) memory_mib = static_cast<int>(*n);
  if (auto v = reader.Get("bootArgs"))
    if (auto args = ReadString(ctx, *v)) boot_args = *args;
}

std::optional<FirecrackerJailer> ParseJailer(ParseContext& ctx, const Value& value) {
  auto reader = MappingReader::Open(ctx, value, keys::kJailer);
  if (!reader) return std::nullopt;
  FirecrackerJailer jailer;
  if (auto v = reader->Require("uid"))
    if (auto n = ReadIntegerInRange(ctx, *v, 0, kMaxId, "out-of-range")) jailer.uid = static_cast<uint32_t>(*n);
  if (auto v = reader->Require("gid"))
    if (auto n = ReadIntegerInRange(ctx, *v, 0, kMaxId, "out-of-range")) jailer.gid = static_cast<uint32_t>(*n);
  if (auto v = reader->Get("chrootBase"))
    if (auto path = ReadAbsolutePath(ctx, *v)) jailer.chroot_base = *path;
  return jailer;
}

std::optional<Firecracker> ParseFirecracker(ParseContext& ctx, const Value& value) {
  auto reader = MappingReader::Open(ctx, value, keys::kFirecracker);
  if (!reader) return std::nullopt;
  Firecracker fc;
  ParseCommonHypervisor(ctx, *reader, fc.kernel, fc.vcpus, fc.memory_mib, fc.boot_args);
  if (auto v = reader->Require("rootfs"))
    if (auto path = ReadAbsolutePath(ctx, *v)) fc.rootfs = *path;
  if (auto v = reader->Get("jailer")) fc.jailer = ParseJailer(ctx, *v);
  return fc;
}

std::optional<Qemu> ParseQemu(ParseContext& ctx, const Value& value) {
  auto reader = MappingReader::Open(ctx, value, keys::kQemu);
  if (!reader) return std::nullopt;
  Qemu qemu;
  ParseCommonHypervisor(ctx, *reader, qemu.kernel, qemu.vcpus, qemu.memory_mib, qemu.boot_args);
  if (auto v = reader->Get("initrd"))
    if (auto path = ReadAbsolutePath(ctx, *v)) qemu.initrd = *path;
  return qemu;
}

}  // namespace

void ParseVmSpec(ParseContext& ctx, const MappingReader& spec, Vm& vm) {
  if (auto value = spec.Require("network")) ParseNetwork(ctx, *value, vm.network);
  auto firecracker = spec.Get("firecracker");
  auto qemu = spec.Get("qemu");
  if (firecracker) vm.firecracker = ParseFirecracker(ctx, *firecracker);
  if (qemu) vm.qemu = ParseQemu(ctx, *qemu);
  if (firecracker && qemu) {
    const Value& later = firecracker->key_span.line > qemu->key_span.line ? *firecracker : *qemu;
    ctx.Error("conflicting-fields", later.path, later.key_span,
              "give either \"firecracker\" or \"qemu\", not both: a VM has one hypervisor");
  }
}

}  // namespace berth::model
