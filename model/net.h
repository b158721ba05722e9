// Value types for addresses: IPv4 addresses and CIDRs, and Ethernet MACs, with strict parsing.
// berth v1 addresses workloads over IPv4; nameservers may be IPv4 or IPv6 (see IsIpLiteral).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace berth::model {

struct Ipv4 {
  uint32_t value = 0;  // host byte order

  static std::optional<Ipv4> Parse(std::string_view text);
  std::string ToString() const;
  friend auto operator<=>(const Ipv4&, const Ipv4&) = default;
};

/// An address with a prefix length, e.g. 10.168.0.1/24. The address part need not be the network address.
struct Cidr4 {
  Ipv4 address;
  int prefix = 32;

  static std::optional<Cidr4> Parse(std::string_view text);
  std::string ToString() const;
  uint32_t mask() const { return prefix == 0 ? 0 : ~uint32_t{0} << (32 - prefix); }
  Ipv4 network() const { return Ipv4{address.value & mask()}; }
  Ipv4 broadcast() const { return Ipv4{network().value | ~mask()}; }
  /// Number of addresses in the prefix (2^(32-prefix)).
  uint64_t size() const { return uint64_t{1} << (32 - prefix); }
  bool Contains(Ipv4 ip) const { return (ip.value & mask()) == network().value; }
  bool Overlaps(const Cidr4& other) const;
  /// The network form, e.g. 10.168.0.0/24 for 10.168.0.1/24.
  Cidr4 Network() const { return Cidr4{network(), prefix}; }
  friend auto operator<=>(const Cidr4&, const Cidr4&) = default;
};

struct Mac {
  std::array<uint8_t, 6> bytes{};

  /// Accepts "aa:bb:cc:dd:ee:ff" (case-insensitive).
  static std::optional<Mac> Parse(std::string_view text);
  std::string ToString() const;  // lower case
  bool IsMulticast() const { return bytes[0] & 1; }
  bool IsZero() const { return bytes == std::array<uint8_t, 6>{}; }
  friend auto operator<=>(const Mac&, const Mac&) = default;
};

/// True for an IPv4 or IPv6 literal (nameserver entries).
bool IsIpLiteral(std::string_view text);

}  // namespace berth::model
