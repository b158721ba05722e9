// ifconfig's text output. A header line per interface ("NAME: flags=8843<UP,...> metric 0 mtu 1500"; names may
// contain ':', as libioc's "vnet0:3"), then tab-indented detail lines; bridges list "member: X flags=..."
// followed by deeper-indented member details.
#include <sstream>

#include "drivers/freebsd/parse.h"

namespace berth::drivers::freebsd {
namespace {

std::optional<int> PrefixOfMask(const std::string& mask) {
  uint32_t bits = 0;
  if (mask.starts_with("0x")) {
    try {
      bits = uint32_t(std::stoul(mask.substr(2), nullptr, 16));
    } catch (...) {
      return std::nullopt;
    }
  } else if (auto ip = model::Ipv4::Parse(mask)) {
    bits = ip->value;
  } else {
    return std::nullopt;
  }
  int prefix = 0;
  while (prefix < 32 && (bits & (0x80000000u >> prefix))) ++prefix;
  if (prefix < 32 && (bits << prefix) != 0) return std::nullopt;  // not contiguous
  return prefix;
}

void ParseInet(std::istringstream& words, IfInfo& info) {
  std::string addr, word;
  words >> addr;
  if (addr.find('/') != std::string::npos) {
    if (auto c = model::Cidr4::Parse(addr)) info.inet.push_back(*c);
    return;
  }
  auto ip = model::Ipv4::Parse(addr);
  int prefix = 32;
  while (words >> word)
    if (word == "netmask" && words >> word)
      if (auto p = PrefixOfMask(word)) prefix = *p;
  if (ip) info.inet.push_back(model::Cidr4{*ip, prefix});
}

}  // namespace

bool IfInfo::Is(const std::string& group) const {
  for (const auto& g : groups)
    if (g == group) return true;
  return false;
}

std::vector<IfInfo> ParseIfconfig(std::string_view text) {
  std::vector<IfInfo> out;
  std::istringstream in{std::string(text)};
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    if (line[0] != ' ' && line[0] != '\t') {
      size_t flags = line.find(": flags=");
      if (flags == std::string::npos) continue;
      IfInfo info;
      info.name = line.substr(0, flags);
      size_t open = line.find('<', flags), close = line.find('>', flags);
      if (open != std::string::npos && close != std::string::npos) {
        std::string list = "," + line.substr(open + 1, close - open - 1) + ",";
        info.up = list.find(",UP,") != std::string::npos;
      }
      if (size_t mtu = line.find(" mtu "); mtu != std::string::npos) info.mtu = std::atoi(line.c_str() + mtu + 5);
      out.push_back(std::move(info));
      continue;
    }
    if (out.empty()) continue;
    IfInfo& info = out.back();
    size_t start = line.find_first_not_of(" \t");
    std::string body = line.substr(start);
    if (body.starts_with("description: ")) {
      info.description = body.substr(13);
      continue;
    }
    std::istringstream words(body);
    std::string key;
    words >> key;
    if (key == "ether") words >> info.ether;
    else if (key == "hwaddr") words >> info.hwaddr;
    else if (key == "inet") ParseInet(words, info);
    else if (key == "groups:")
      for (std::string g; words >> g;) info.groups.push_back(g);
    else if (key == "member:") {
      std::string member;
      if (words >> member) info.members.push_back(member);
    }
  }
  return out;
}

}  // namespace berth::drivers::freebsd
