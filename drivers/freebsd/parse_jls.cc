// jls's libxo JSON. With explicit parameters (jls --libxo json -d jid name path ...) keys are parameter names
// and scalars are strings ("jid":"3"), booleans true/false, ip4.addr an array; with -v jid is a number and the
// keys are jls's own (hostname, state, ipv4_addrs). Both are accepted, so a change of flags cannot break berth.
#include <nlohmann/json.hpp>

#include "drivers/freebsd/parse.h"

namespace berth::drivers::freebsd {
namespace {

using nlohmann::json;

std::string Str(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return "";
  if (it->is_string()) return it->get<std::string>();
  if (it->is_boolean()) return it->get<bool>() ? "true" : "false";
  return it->dump();
}

std::vector<std::string> Addresses(const json& j, const char* key) {
  std::vector<std::string> out;
  auto it = j.find(key);
  if (it == j.end()) return out;
  if (it->is_array()) {
    for (const auto& a : *it)
      if (a.is_string() && !a.get<std::string>().empty()) out.push_back(a.get<std::string>());
  } else if (it->is_string() && !it->get<std::string>().empty()) {
    out.push_back(it->get<std::string>());  // a single address, as some jls versions may print it
  }
  return out;
}

}  // namespace

Result<std::vector<JailInfo>> ParseJls(std::string_view text) {
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return Fail("jls printed something that is not JSON");
  auto info = doc.find("jail-information");
  if (info == doc.end() || !info->is_object()) return Fail("jls JSON has no \"jail-information\"");
  std::vector<JailInfo> out;
  auto jails = info->find("jail");
  if (jails == info->end()) return out;  // no jails
  if (!jails->is_array()) return Fail("jls JSON: \"jail\" is not an array");
  for (const auto& j : *jails) {
    if (!j.is_object()) continue;
    JailInfo jail;
    std::string jid = Str(j, "jid");
    jail.jid = std::atoi(jid.c_str());
    jail.name = Str(j, "name");
    if (jail.name.empty()) jail.name = jid;  // jls names a jail without a name by its jid
    jail.path = Str(j, "path");
    jail.vnet = Str(j, "vnet");
    if (jail.vnet == "1") jail.vnet = "new";  // JAIL_SYS_NEW
    if (jail.vnet == "2") jail.vnet = "inherit";  // JAIL_SYS_INHERIT
    jail.hostname = j.contains("host.hostname") ? Str(j, "host.hostname") : Str(j, "hostname");
    jail.ip4 = Str(j, "ip4");
    jail.ip4_addrs = j.contains("ip4.addr") ? Addresses(j, "ip4.addr") : Addresses(j, "ipv4_addrs");
    jail.meta = Str(j, "meta");
    const std::string dying = Str(j, "dying");
    jail.dying = dying == "true" || dying == "1" || Str(j, "state") == "DYING";
    out.push_back(std::move(jail));
  }
  return out;
}

}  // namespace berth::drivers::freebsd
