// ParseNetstatRoutes: the gateway routes of `netstat -rn -f inet` (usr.bin/netstat/route.c). netstat prints a
// destination as a network with "/len" (netname4), a host route without it (flag H); old releases shortened
// a network's trailing zero octets ("10.20/16"), which is read too.
#include <algorithm>
#include <sstream>

#include "drivers/freebsd/parse.h"

namespace berth::drivers::freebsd {
namespace {

std::optional<model::Cidr4> ParseDestination(const std::string& text, bool host) {
  const size_t slash = text.find('/');
  std::string ip = text.substr(0, slash);
  const int dots = static_cast<int>(std::count(ip.begin(), ip.end(), '.'));
  if (slash == std::string::npos) {
    if (!host || dots != 3) return std::nullopt;  // a classful network without a length: not berth's shape
    auto a = model::Ipv4::Parse(ip);
    return a ? std::optional(model::Cidr4{*a, 32}) : std::nullopt;
  }
  for (int i = dots; i < 3; ++i) ip += ".0";
  auto cidr = model::Cidr4::Parse(ip + text.substr(slash));
  if (!cidr || cidr->address != cidr->network()) return std::nullopt;
  return cidr;
}

}  // namespace

std::vector<NetRoute> ParseNetstatRoutes(std::string_view text) {
  std::vector<NetRoute> out;
  std::istringstream in{std::string(text)};
  bool table = false;  // past the column header of the Internet table
  for (std::string line; std::getline(in, line);) {
    std::istringstream words(line);
    std::string destination, gateway, flags, netif;
    if (!(words >> destination)) continue;
    if (destination == "Destination") {
      table = true;
      continue;
    }
    if (!table || !(words >> gateway >> flags >> netif)) continue;
    if (destination == "default" || flags.find('G') == std::string::npos) continue;
    auto to = ParseDestination(destination, flags.find('H') != std::string::npos);
    auto via = model::Ipv4::Parse(gateway);
    if (!to || !via || to->prefix == 0) continue;
    out.push_back({to->ToString(), via->ToString(), netif});
  }
  return out;
}

}  // namespace berth::drivers::freebsd
