// Readers for the value types the manifest kinds share: addresses, MACs, names, modes, nameservers, paths.
// Each reads one YAML value, reports a coded diagnostic at the value when it is malformed, and returns nullopt.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/manifest.h"
#include "model/yaml_walk.h"

namespace berth::model {

/// A CIDR such as 10.168.0.1/24 (invalid-cidr).
std::optional<Cidr4> ReadCidr(ParseContext& ctx, const Value& value);
/// An IPv4 address such as 10.168.0.1 (invalid-address).
std::optional<Ipv4> ReadIpv4(ParseContext& ctx, const Value& value);
/// A unicast, non-zero MAC such as 06:00:ac:10:00:02 (invalid-mac).
std::optional<Mac> ReadMac(ParseContext& ctx, const Value& value);
/// disabled | loopback | outbound | full (invalid-enum, with a suggestion).
std::optional<NetworkMode> ReadMode(ParseContext& ctx, const Value& value);
/// At most this many nameservers (too-many-nameservers): glibc's resolver reads only the first three (MAXNS).
inline constexpr size_t kMaxNameservers = 3;
/// A list of nameserver IP literals, IPv4 or IPv6 (invalid-address per entry), at most kMaxNameservers.
std::optional<std::vector<std::string>> ReadNameservers(ParseContext& ctx, const Value& value);
/// An interface name given in a manifest: at most 15 characters (name-too-long) of letters, digits, '_', '.'
/// and '-', starting with a letter or digit (invalid-interface-name).
std::optional<std::string> ReadInterfaceName(ParseContext& ctx, const Value& value);
/// A reference to a Bridge by name: a safe name the kernel accepts (invalid-name, name-too-long).
std::optional<std::string> ReadBridgeReference(ParseContext& ctx, const Value& value);
/// An absolute path without NUL or newline (invalid-path).
std::optional<std::string> ReadAbsolutePath(ParseContext& ctx, const Value& value);
/// An integer within [min, max]; `code` names the rule when it is out of range.
std::optional<int64_t> ReadIntegerInRange(ParseContext& ctx, const Value& value, int64_t min, int64_t max,
                                          const char* code);

/// True for a name an interface may carry (see ReadInterfaceName), length included.
bool IsInterfaceName(std::string_view name);

/// metadata.name rules for `kind`: the safe alphabet, at most 63 characters, and every name berth derives from
/// it within the kernel's 15 (a Bridge's own name; a VM's host veth "bv-<name>"). Jail names allow '_'.
void CheckResourceName(ParseContext& ctx, std::string_view kind, const Value& value, const std::string& name);

}  // namespace berth::model
