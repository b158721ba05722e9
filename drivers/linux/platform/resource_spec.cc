// The Linux record codecs: keys in berth's naming, attribute sets per kind, and each value's closed grammar.
#include "drivers/linux/platform/resource_spec.h"

#include <algorithm>
#include <charconv>
#include <string_view>
#include <tuple>

#include "drivers/linux/platform/link_spec.h"
#include "drivers/linux/platform/linux_bandwidth.h"
#include "drivers/linux/platform/linux_forwards.h"
#include "drivers/linux/platform/linux_names.h"
#include "drivers/linux/platform/linux_policy.h"
#include "drivers/linux/platform/linux_resources.h"
#include "drivers/linux/platform/linux_vm.h"
#include "drivers/linux/platform/ownership.h"
#include "model/parse_bandwidth.h"
#include "model/parse_values.h"

namespace berth::reconciler::linux_res {
namespace {

/// At most this much of a hostile value is echoed in an error.
std::string Clip(std::string_view v) {
  std::string out;
  for (char c : v.substr(0, 60)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
  return v.size() > 60 ? out + "..." : out;
}

bool IsIfname(std::string_view n) { return !n.empty() && n.size() <= 15 && model::IsInterfaceName(n); }

bool IsBerthNetns(std::string_view n) {
  return n.starts_with(kNetnsPrefix) && n.size() > kNetnsPrefix.size() && n.size() <= 6 + model::kMaxResourceName &&
         model::IsSafeName(n, true);
}

std::optional<uint32_t> U32(std::string_view text) {
  uint32_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

/// RFC 3339 UTC as the ownership tags write it ("2026-11-23T07:40:00Z"): digits and its punctuation only.
bool IsTimestamp(std::string_view v) {
  return !v.empty() && v.size() <= 40 &&
         std::all_of(v.begin(), v.end(), [](char c) { return (c >= '0' && c <= '9') || std::string_view("-:TZ.+").find(c) != std::string_view::npos; });
}

/// A path berth passes to a hypervisor as one argument: absolute, printable, no "..", no option-like start.
bool IsArgPath(std::string_view p) {
  if (p.empty() || p.front() != '/' || p.size() > 4096 || p.find("/../") != std::string_view::npos ||
      p.ends_with("/.."))
    return false;
  return std::all_of(p.begin(), p.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

bool IsPrintable(std::string_view v) {
  return std::all_of(v.begin(), v.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

std::string Bad(const std::string& field, std::string_view value, const std::string& want) {
  return "attribute " + field + "='" + Clip(value) + "' is not " + want;
}

/// The first attribute of `r` not in `allowed`.
std::optional<std::string> UnknownAttr(const Resource& r, std::initializer_list<std::string_view> allowed) {
  for (const auto& [field, value] : r.attrs) {
    if (field == kCreatedAttr) {
      if (!IsTimestamp(value)) return Bad(field, value, "a timestamp");
      continue;
    }
    if (std::find(allowed.begin(), allowed.end(), field) == allowed.end())
      return "attribute " + Clip(field) + " is not one a " + r.key.kind + " has";
  }
  return std::nullopt;
}

std::optional<std::string> ScopeError(const Resource& r) {
  if (!r.key.scope.empty() && !IsBerthNetns(r.key.scope)) return "scope '" + Clip(r.key.scope) + "' is not a berth netns";
  return std::nullopt;
}

std::optional<std::string> LinkError(const Resource& r) {
  if (auto e = ScopeError(r)) return e;
  if (!IsIfname(r.key.name)) return "'" + Clip(r.key.name) + "' is not an interface name";
  if (auto e = UnknownAttr(r, {kType, kUp, kMtu, kMaster, kPeer, kPeerNetns, kPeerMac, kPeerUp, kMac, kOwnerUid,
                               kOwnerGid}))
    return e;
  if (auto e = LinkAttrError(r)) return e;
  const std::string type = r.AttrOr(kType);
  if (type != kLinkBridge && type != kLinkVeth && type != kLinkTap && type != kLinkLoopback)
    return Bad(kType, type, "bridge, veth, tap or loopback");
  if (auto* m = r.Attr(kMaster); m && !IsIfname(*m)) return Bad(kMaster, *m, "an interface name");
  if (auto* p = r.Attr(kPeer); p && !p->empty() && !IsIfname(*p)) return Bad(kPeer, *p, "an interface name");
  if (auto* n = r.Attr(kPeerNetns); n && !n->empty() && !IsBerthNetns(*n)) return Bad(kPeerNetns, *n, "a berth netns");
  return std::nullopt;
}

std::optional<std::string> TcError(const Resource& r) {
  if (auto e = ScopeError(r)) return e;
  if (!IsIfname(r.key.name)) return "'" + Clip(r.key.name) + "' is not an interface name";
  if (auto e = UnknownAttr(r, {kRedirectTo})) return e;
  const std::string to = r.AttrOr(kRedirectTo);
  if (!IsIfname(to)) return Bad(kRedirectTo, to, "an interface name");
  return std::nullopt;
}

/// What the expansion emits for a rate limit (linux_bandwidth.cc) and nothing else: a rate model/ accepts, and
/// a bucket the kernel can hold at that rate.
std::optional<std::string> QdiscError(const Resource& r) {
  if (r.key.scope.empty() || !IsBerthNetns(r.key.scope)) return "scope '" + Clip(r.key.scope) + "' is not a berth netns";
  if (r.key.name != kVmPeerName && r.key.name != kVmTapName) return "'" + Clip(r.key.name) + "' is not a VM device berth shapes";
  if (auto e = UnknownAttr(r, {kRate, kBurst})) return e;
  auto number = [](const std::string& s) -> std::optional<uint64_t> {
    if (s.empty() || s.size() > 14 || (s.size() > 1 && s[0] == '0') ||
        !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return std::nullopt;
    return std::stoull(s);
  };
  const std::string rate_text = r.AttrOr(kRate), burst_text = r.AttrOr(kBurst);
  auto rate = number(rate_text);
  if (!rate || *rate < model::kMinRateBits || *rate > model::kMaxRateBits || *rate % 8 != 0)
    return Bad(kRate, rate_text, "a rate in bit/s, a multiple of 8 from 8000 to 10^13");
  auto burst = number(burst_text);
  if (!burst || *burst < model::kMinBurstBytes || *burst > 0xffffffffULL ||
      TbfBurstBytes(TbfBufferTicks(*burst, *rate / 8), *rate / 8) != *burst ||
      TbfBufferTicks(*burst, *rate / 8) * kPschedTickNs > 0xffffffffULL)
    return Bad(kBurst, burst_text, "a bucket in bytes the kernel keeps at this rate");
  return std::nullopt;
}

std::optional<std::string> SysctlError(const Resource& r) {
  // route_localnet of one interface, only ever turned on (with the 127/8 guard of linux_forwards.cc).
  const bool localnet = !RouteLocalnetBridge(r.key.name).empty();
  if (!r.key.scope.empty() ||
      (!localnet && std::find(std::begin(kSysctlAllowList), std::end(kSysctlAllowList), r.key.name) ==
                        std::end(kSysctlAllowList)))
    return "sysctl " + Clip(r.key.name) + " is not one berth sets";
  if (auto e = UnknownAttr(r, {kValue})) return e;
  const std::string v = r.AttrOr(kValue);
  if (localnet && v != "1") return Bad(kValue, v, "1 (berth only turns route_localnet on)");
  if (v != "0" && v != "1") return Bad(kValue, v, "0 or 1");
  return std::nullopt;
}

std::optional<std::string> FileError(const Resource& r) {
  constexpr std::string_view kDir = "/etc/netns/", kName = "/resolv.conf";
  const std::string& path = r.key.name;
  const bool ours = r.key.scope.empty() && path.starts_with(kDir) && path.ends_with(kName) &&
                    path.size() > kDir.size() + kName.size() &&
                    IsBerthNetns(std::string_view(path).substr(kDir.size(), path.size() - kDir.size() - kName.size()));
  if (!ours) return "file " + Clip(path) + " is not one of berth's (/etc/netns/berth-VM/resolv.conf)";
  if (auto e = UnknownAttr(r, {kContent})) return e;
  if (auto spec = ParseResolvConf(r.AttrOr(kContent)); !spec) return "attribute content: " + spec.error().message;
  return std::nullopt;
}

std::optional<std::string> NftTableError(const Resource& r) {
  if (!r.key.scope.empty() || r.key.name != reconciler::kNftTable) return "nft table '" + Clip(r.key.name) + "' is not berth's";
  if (auto e = UnknownAttr(r, {kChains})) return e;
  if (auto* c = r.Attr(kChains); c && *c != PolicyTableChains()) return Bad(kChains, *c, "berth's base chains");
  return std::nullopt;
}

std::optional<std::string> NetnsError(const Resource& r) {
  if (!r.key.scope.empty() || !IsBerthNetns(r.key.name)) return "netns '" + Clip(r.key.name) + "' is not a berth netns";
  return UnknownAttr(r, {});
}

}  // namespace

Result<AddrSpec> AddrFromResource(const Resource& r) {
  if (auto e = ScopeError(r)) return Fail(*e);
  if (auto e = UnknownAttr(r, {kDev, kAddress})) return Fail(*e);
  AddrSpec s;
  s.dev = r.AttrOr(kDev);
  if (!IsIfname(s.dev)) return Fail(Bad(kDev, s.dev, "an interface name"));
  const std::string text = r.AttrOr(kAddress);
  auto cidr = model::Cidr4::Parse(text);
  if (!cidr || cidr->ToString() != text) return Fail(Bad(kAddress, text, "an address with a prefix (10.0.0.1/24)"));
  s.address = *cidr;
  if (r.key.name != s.dev + "/" + text) return Fail("the name must be DEV/ADDRESS (" + Clip(s.dev + "/" + text) + ")");
  return s;
}

namespace {

/// Checks a group; fills `out` when given. Runs on every desired group at plan time: nothing is allocated
/// unless something is wrong or `out` asks for the typed form.
std::optional<std::string> GroupCheck(const Resource& r, NftGroupSpec* out) {
  const std::string& name = r.key.name;
  const size_t slash = name.find('/');
  const std::string_view prefix = std::string_view(name).substr(0, slash == std::string::npos ? 0 : slash + 1);
  const bool named = slash != std::string::npos && (prefix == "vm/" || prefix == "nat/") &&
                     model::IsSafeName(std::string_view(name).substr(slash + 1), true);
  if (!r.key.scope.empty() || !(named || name == kPolicyGroup || name == kForwardsGroup)) return "nft group '" + Clip(name) + "' is not berth's";
  for (const auto& [field, text] : r.attrs) {
    if (field == kEgress) {
      if (!IsIfname(text)) return Bad(field, text, "an interface name");
      if (out) out->egress = text;
      continue;
    }
    if (field == kCreatedAttr) continue;
    if (field == kListen) {
      for (size_t at = 0; at <= text.size();) {
        size_t end = text.find('\n', at);
        if (end == std::string::npos) end = text.size();
        if (!model::Ipv4::Parse(std::string_view(text).substr(at, end - at))) return Bad(field, text, "IPv4 addresses");
        at = end + 1;
      }
      continue;
    }
    const bool elements = field == kElements;
    const bool base = field == kChainPrerouting || field == kChainForward || field == kChainPostrouting ||
                      field == kChainOutput || field == kChainInput || field == kChainPreroute || field == "bridge:prerouting" ||
                      field == "bridge:forward";
    const bool regular = (field.starts_with(kBridgePrefix) && IsNftChainName(std::string_view(field).substr(7))) ||
                         (field.starts_with(kInetPrefix) && IsNftChainName(std::string_view(field).substr(5)));
    if (!elements && !base && !regular) return "attribute " + Clip(field) + " is not a chain of berth's tables";
    size_t line_no = 0, at = 0;
    while (at <= text.size()) {
      size_t end = text.find('\n', at);
      if (end == std::string::npos) end = text.size();
      const std::string_view line = std::string_view(text).substr(at, end - at);
      ++line_no;
      std::optional<std::string> error = elements ? NftElementError(line) : NftRuleError(line);
      if (error)
        return "attribute " + field + ", line " + std::to_string(line_no) + ": " + *error + " in '" + Clip(line) + "'";
      if (out && elements) out->elements.push_back(*ParseNftElement(line));
      if (out && !elements) out->chains[field].push_back(*ParseNftRule(line));
      at = end + 1;
    }
  }
  return std::nullopt;
}

}  // namespace

Result<NftGroupSpec> NftGroupFromResource(const Resource& r) {
  NftGroupSpec s;
  if (auto error = GroupCheck(r, &s)) return Fail(std::move(*error));
  return s;
}

Result<ResolvConfSpec> ParseResolvConf(const std::string& content) {
  constexpr std::string_view kHeader = "# written by berth\n";
  if (!content.starts_with(kHeader) || !content.ends_with("\n")) return Fail("not a resolv.conf berth writes");
  ResolvConfSpec s;
  size_t at = kHeader.size(), line_no = 1;
  while (at < content.size()) {
    const size_t end = content.find('\n', at);
    const std::string_view line = std::string_view(content).substr(at, end - at);
    ++line_no;
    const size_t space = line.find(' ');
    const std::string_view word = line.substr(0, space), rest = space == std::string_view::npos ? "" : line.substr(space + 1);
    auto bad = [&](const char* why) { return Fail("line " + std::to_string(line_no) + ": " + why); };
    if (rest.empty() || rest.find_first_of(" \t") == 0 || !IsPrintable(rest) || rest.size() > 256) return bad("malformed");
    if (word == "nameserver") {
      if (!model::IsIpLiteral(rest)) return bad("the nameserver is not an IP address");
      s.nameservers.emplace_back(rest);
    } else if (word == "search" || word == "options") {
      // Words of host names (search) or resolver options (ndots:2, edns0): nothing that could start a new line.
      for (size_t i = 0, j; i <= rest.size(); i = j + 1) {
        j = rest.find(' ', i);
        if (j == std::string_view::npos) j = rest.size();
        std::string_view w = rest.substr(i, j - i);
        if (w.empty() || !std::all_of(w.begin(), w.end(), [](char c) {
              return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                     c == '-' || c == '_' || c == ':';
            }))
          return bad("a word outside host names and resolver options");
        (word == "search" ? s.search : s.options).emplace_back(w);
      }
    } else {
      return bad("only nameserver, search and options lines");
    }
    at = end + 1;
  }
  if (FormatResolvConf(s) != content) return Fail("not in the order berth writes (nameserver, search, options)");
  return s;
}

std::string FormatResolvConf(const ResolvConfSpec& s) {
  std::string out = "# written by berth\n";
  for (const auto& ns : s.nameservers) out += "nameserver " + ns + "\n";
  auto words = [&](const char* what, const std::vector<std::string>& list) {
    if (list.empty()) return;
    out += what;
    for (const auto& w : list) out += " " + w;
    out += "\n";
  };
  words("search", s.search);
  words("options", s.options);
  return out;
}

Result<VmProcSpec> VmProcFromResource(const Resource& r) {
  if (!r.key.scope.empty() || !model::IsSafeName(r.key.name, true) || r.key.name.size() > model::kMaxResourceName)
    return Fail("'" + Clip(r.key.name) + "' is not a VM name");
  if (auto e = UnknownAttr(r, {kHypervisor, kRunning, kNetnsAttr, kTap, kMac, kKernel, kInitrd, kRootfs, kVcpus,
                               kMemoryMib, kBootArgs, kUid, kGid, kChrootBase, kConfigHash, kPid, kStarted,
                               kAccelerator}))
    return Fail(*e);
  VmProcSpec s;
  s.hypervisor = r.AttrOr(kHypervisor);
  if (s.hypervisor != kQemu && s.hypervisor != kFirecracker) return Fail(Bad(kHypervisor, s.hypervisor, "qemu or firecracker"));
  const std::string running = r.AttrOr(kRunning, kTrue);
  if (running != kTrue && running != kFalse) return Fail(Bad(kRunning, running, "true or false"));
  s.running = running == kTrue;
  s.netns = r.AttrOr(kNetnsAttr);
  if (s.netns != VmNetnsName(r.key.name)) return Fail(Bad(kNetnsAttr, s.netns, "the VM's own netns"));
  s.tap = r.AttrOr(kTap);
  if (!s.tap.empty() && s.tap != kVmTapName) return Fail(Bad(kTap, s.tap, std::string(kVmTapName)));
  if (auto* mac = r.Attr(kMac)) {
    s.mac = model::Mac::Parse(*mac);
    if (!s.mac || s.mac->ToString() != *mac) return Fail(Bad(kMac, *mac, "a MAC address"));
  }
  for (auto [field, out, required] : {std::tuple{kKernel, &s.kernel, true}, {kInitrd, &s.initrd, false},
                                      {kRootfs, &s.rootfs, s.hypervisor == kFirecracker}}) {
    const std::string* v = r.Attr(field);
    if (!v && !required) continue;
    if (!v || !IsArgPath(*v)) return Fail(Bad(field, v ? *v : "", "an absolute path"));
    *out = *v;
  }
  s.chroot_base = r.AttrOr(kChrootBase);
  if (!s.chroot_base.empty() && !IsArgPath(s.chroot_base)) return Fail(Bad(kChrootBase, s.chroot_base, "an absolute path"));
  s.boot_args = r.AttrOr(kBootArgs);
  if (!IsPrintable(s.boot_args) || s.boot_args.size() > 4096) return Fail(Bad(kBootArgs, s.boot_args, "a printable kernel command line"));
  for (auto [field, out] : {std::pair{kVcpus, &s.vcpus}, {kMemoryMib, &s.memory_mib}}) {
    auto v = U32(r.AttrOr(field));
    if (!v || *v == 0) return Fail(Bad(field, r.AttrOr(field), "a positive number"));
    *out = *v;
  }
  for (auto [field, out] : {std::pair{kUid, &s.uid}, {kGid, &s.gid}}) {
    if (const std::string* v = r.Attr(field)) {
      *out = U32(*v);
      if (!*out) return Fail(Bad(field, *v, "a number"));
    }
  }
  for (const char* field : {kPid, kStarted})
    if (const std::string* v = r.Attr(field);
        v && (v->empty() || v->size() > 20 || !std::all_of(v->begin(), v->end(), [](char c) { return c >= '0' && c <= '9'; })))
      return Fail(Bad(field, *v, "a number"));
  if (auto* a = r.Attr(kAccelerator); a && *a != "kvm" && *a != "tcg") return Fail(Bad(kAccelerator, *a, "kvm or tcg"));
  if (auto* h = r.Attr(kConfigHash); h && *h != VmConfigHash(r.attrs))
    return Fail(Bad(kConfigHash, *h, "the digest of the launch attributes"));
  return s;
}

std::optional<std::string> LinuxRecordError(const Resource& r) {
  const std::string& kind = r.key.kind;
  if (kind == kLink) return LinkError(r);
  if (kind == kNetns) return NetnsError(r);
  if (kind == kTc) return TcError(r);
  if (kind == kQdisc) return QdiscError(r);
  if (kind == kSysctl) return SysctlError(r);
  if (kind == kFile) return FileError(r);
  if (kind == kNftTable) return NftTableError(r);
  std::optional<std::string> error;
  auto keep = [&](const auto& result) {
    if (!result) error = result.error().message;
  };
  if (kind == kAddr) keep(AddrFromResource(r));
  else if (kind == kNft) return GroupCheck(r, nullptr);
  else if (kind == kVmProc) keep(VmProcFromResource(r));
  else return "kind '" + Clip(kind) + "' is not a Linux resource kind";
  return error;
}

}  // namespace berth::reconciler::linux_res
