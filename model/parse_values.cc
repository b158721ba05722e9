// Value readers shared by the kind parsers. Messages show an example of a valid value: the fastest fix.
#include "model/parse_values.h"

#include "model/naming.h"
#include "model/suggest.h"

namespace berth::model {
namespace {

std::string Quote(std::string_view s) { return QuoteToken(s); }

}  // namespace

std::optional<Cidr4> ReadCidr(ParseContext& ctx, const Value& value) {
  auto text = ReadString(ctx, value);
  if (!text) return std::nullopt;
  auto cidr = Cidr4::Parse(*text);
  if (!cidr) ctx.Error("invalid-cidr", value.path, value.span, Quote(*text) + " is not a CIDR such as 10.168.0.1/24");
  return cidr;
}

std::optional<Ipv4> ReadIpv4(ParseContext& ctx, const Value& value) {
  auto text = ReadString(ctx, value);
  if (!text) return std::nullopt;
  auto ip = Ipv4::Parse(*text);
  if (!ip)
    ctx.Error("invalid-address", value.path, value.span, Quote(*text) + " is not an IPv4 address such as 10.0.0.1");
  return ip;
}

std::optional<Mac> ReadMac(ParseContext& ctx, const Value& value) {
  auto text = ReadString(ctx, value);
  if (!text) return std::nullopt;
  auto mac = Mac::Parse(*text);
  if (!mac) {
    ctx.Error("invalid-mac", value.path, value.span, Quote(*text) + " is not a MAC such as 06:00:ac:10:00:02");
  } else if (mac->IsMulticast()) {
    ctx.Error("invalid-mac", value.path, value.span,
              Quote(*text) + " is a multicast MAC; an interface needs a unicast one (even first octet)");
    return std::nullopt;
  } else if (mac->IsZero()) {
    ctx.Error("invalid-mac", value.path, value.span, "the all-zero MAC cannot be assigned to an interface");
    return std::nullopt;
  }
  return mac;
}

std::optional<NetworkMode> ReadMode(ParseContext& ctx, const Value& value) {
  auto text = ReadString(ctx, value);
  if (!text) return std::nullopt;
  auto mode = ParseNetworkMode(*text);
  if (!mode) {
    const KeyList modes = {"disabled", "loopback", "outbound", "full"};
    ctx.Error("invalid-enum", value.path, value.span,
              "mode " + Quote(*text) + " is not one of disabled, loopback, outbound, full" + DidYouMean(*text, modes));
  }
  return mode;
}

std::optional<std::vector<std::string>> ReadNameservers(ParseContext& ctx, const Value& value) {
  auto items = ReadSequence(ctx, value);
  if (!items) return std::nullopt;
  std::vector<std::string> servers;
  for (const Value& item : *items) {
    auto text = ReadString(ctx, item);
    if (!text) continue;
    if (!IsIpLiteral(*text)) {
      ctx.Error("invalid-address", item.path, item.span,
                Quote(*text) + " is not a nameserver address (an IPv4 or IPv6 literal such as 10.0.0.1)");
      continue;
    }
    servers.push_back(*text);
  }
  // glibc's resolver reads the first MAXNS (3) nameserver lines and ignores the rest; more would only look
  // like they count (and an unbounded list makes an unbounded file).
  if (items->size() > kMaxNameservers)
    ctx.Error("too-many-nameservers", value.path, value.span,
              std::to_string(items->size()) + " nameservers given; at most " + std::to_string(kMaxNameservers) +
                  " (the resolver reads only the first three)");
  return servers;
}

bool IsInterfaceName(std::string_view name) {
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); };
  if (name.empty() || name.size() > kMaxInterfaceName || !alnum(name.front())) return false;
  for (char c : name)
    if (!alnum(c) && c != '_' && c != '.' && c != '-') return false;
  return true;
}

std::optional<std::string> ReadInterfaceName(ParseContext& ctx, const Value& value) {
  auto name = ReadString(ctx, value);
  if (!name) return std::nullopt;
  if (name->size() > kMaxInterfaceName) {
    ctx.Error("name-too-long", value.path, value.span,
              "interface name " + Quote(*name) + " is " + std::to_string(name->size()) +
                  " characters; the kernel allows " + std::to_string(kMaxInterfaceName));
    return std::nullopt;
  }
  if (!IsInterfaceName(*name)) {
    ctx.Error(
        "invalid-interface-name", value.path, value.span,
        Quote(*name) + " is not an interface name (letters, digits, '_', '.', '-'; starting with a letter or digit)");
    return std::nullopt;
  }
  return name;
}

std::optional<std::string> ReadBridgeReference(ParseContext& ctx, const Value& value) {
  auto name = ReadString(ctx, value);
  if (!name) return std::nullopt;
  if (!IsSafeName(*name)) {
    ctx.Error("invalid-name", value.path, value.span,
              Quote(*name) + " is not a bridge name (lower-case letters, digits and '-')");
    return std::nullopt;
  }
  if (name->size() > kMaxInterfaceName) {
    ctx.Error("name-too-long", value.path, value.span,
              "bridge name " + Quote(*name) + " is " + std::to_string(name->size()) +
                  " characters; the kernel allows " + std::to_string(kMaxInterfaceName));
    return std::nullopt;
  }
  return name;
}

std::optional<std::string> ReadAbsolutePath(ParseContext& ctx, const Value& value) {
  auto path = ReadString(ctx, value);
  if (!path) return std::nullopt;
  if (path->empty() || path->front() != '/' || path->find_first_of(std::string("\n\0", 2)) != std::string::npos) {
    // Relative paths would depend on the directory apply happens to run in.
    ctx.Error("invalid-path", value.path, value.span, Quote(*path) + " is not an absolute path");
    return std::nullopt;
  }
  return path;
}

std::optional<int64_t> ReadIntegerInRange(ParseContext& ctx, const Value& value, int64_t min, int64_t max,
                                          const char* code) {
  auto v = ReadInteger(ctx, value);
  if (!v) return std::nullopt;
  if (*v < min || *v > max) {
    ctx.Error(code, value.path, value.span,
              std::to_string(*v) + " is out of range " + std::to_string(min) + ".." + std::to_string(max));
    return std::nullopt;
  }
  return v;
}

void CheckResourceName(ParseContext& ctx, std::string_view kind, const Value& value, const std::string& name) {
  const bool jail = kind == "Jail";
  if (jail && name.find('.') != std::string::npos) {
    ctx.Error("invalid-name", value.path, value.span,
              "jail name " + Quote(name) + " contains '.', which jail(8) forbids");
    return;
  }
  if (!IsSafeName(name, jail)) {
    ctx.Error("invalid-name", value.path, value.span,
              "name " + Quote(name) + " must use lower-case letters, digits and '-'" + (jail ? " or '_'" : "") +
                  ", start with a letter or digit and not end with '-'");
    return;
  }
  auto too_long = [&](std::string what, const std::string& derived, size_t limit, std::string who) {
    ctx.Error("name-too-long", value.path, value.span,
              what + Quote(derived) + " is " + std::to_string(derived.size()) + " characters; " + who + " allows " +
                  std::to_string(limit));
  };
  if (name.size() > kMaxResourceName) {
    too_long("name ", name, kMaxResourceName, "berth");
  } else if (kind == "Bridge" && name.size() > kMaxInterfaceName) {
    too_long("bridge name ", name, kMaxInterfaceName, "the kernel");
  } else if (kind == "VM" && VmHostVethName(name).size() > kMaxInterfaceName) {
    too_long("derived host veth name ", VmHostVethName(name), kMaxInterfaceName, "the kernel");
  }
}

}  // namespace berth::model
