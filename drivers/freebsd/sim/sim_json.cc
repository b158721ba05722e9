// The simulated host as JSON, so `berth --driver sim-freebsd --sim-state FILE` keeps one host across runs.
#include "drivers/freebsd/sim/sim_host.h"

namespace berth::drivers::freebsd::sim {
namespace {

using nlohmann::json;

json InterfaceToJson(int id, const SimInterface& i) {
  json inet = json::array();
  for (const auto& c : i.inet) inet.push_back(c.ToString());
  return {{"id", id},       {"name", i.name},     {"cloner", i.cloner}, {"unit", i.unit},
          {"end", std::string(i.end ? 1 : 0, i.end)},                   {"peer", i.peer},
          {"vnet", i.vnet}, {"home", i.home},     {"up", i.up},         {"mtu", i.mtu},
          {"description", i.description},         {"groups", i.groups}, {"ether", i.ether},
          {"hwaddr", i.hwaddr},                   {"inet", inet},       {"members", i.members},
          {"index", i.index}};
}

json JailToJson(const SimJail& j) {
  return {{"jid", j.jid},           {"name", j.name},       {"path", j.path},          {"hostname", j.hostname},
          {"meta", j.meta},         {"vnet", j.vnet},       {"ip4", j.ip4},            {"ip4_addrs", j.ip4_addrs},
          {"persist", j.persist},   {"dying", j.dying},     {"dying_ticks", j.dying_ticks},
          {"gateway", j.gateway ? json(*j.gateway) : json()}, {"routes", j.routes}};
}

}  // namespace

json SimFreeBsd::ToJson() const {
  std::lock_guard lock(mutex_);
  const SimState& s = state_;
  json interfaces = json::array(), jails = json::array(), limbo = json::array(), ipfw = json::array();
  for (const auto& [id, i] : s.interfaces) interfaces.push_back(InterfaceToJson(id, i));
  for (const auto& [jid, j] : s.jails) jails.push_back(JailToJson(j));
  for (const auto& l : s.limbo) limbo.push_back({{"jid", l.jid}, {"ticks", l.ticks}, {"interfaces", l.interfaces}});
  for (const auto& r : s.ipfw_rules) ipfw.push_back({{"number", r.number}, {"set", r.set}, {"body", r.body}});
  json pipes = json::array();
  for (const auto& [n, p] : s.pipes) pipes.push_back({{"number", n}, {"bw", p.bw}, {"burst", p.burst}});
  return {{"interfaces", interfaces},         {"next_interface", s.next_interface},
          {"jails", jails},                   {"next_jid", s.next_jid},
          {"limbo", limbo},                   {"pf_loaded", s.pf_loaded},
          {"pf_main_nat", s.pf_main_nat},     {"pf_anchors", s.pf_anchors},
          {"ipfw_loaded", s.ipfw_loaded},     {"ipfw_rules", ipfw},
          {"sysctls", s.sysctls},             {"jail_meta", s.jail_meta},
          {"return_ticks", s.return_ticks},   {"dying_on_remove", s.dying_on_remove},
          {"mac_seed", s.mac_seed},           {"files", s.files},
          {"links", s.links},                 {"dirs", s.dirs},
          {"pf_enabled", s.pf_enabled},       {"ipfw_default_accept", s.ipfw_default_accept},
          {"dummynet_loaded", s.dummynet_loaded}, {"pipes", pipes}};
}

Result<SimState> SimFreeBsd::FromJson(const json& j) {
  SimState s;
  try {
    for (const auto& ij : j.at("interfaces")) {
      SimInterface i;
      i.name = ij.at("name");
      i.cloner = ij.at("cloner");
      i.unit = ij.at("unit");
      std::string end = ij.at("end");
      i.end = end.empty() ? 0 : end[0];
      i.peer = ij.at("peer");
      i.vnet = ij.at("vnet");
      i.home = ij.at("home");
      i.up = ij.at("up");
      i.mtu = ij.at("mtu");
      i.description = ij.at("description");
      i.groups = ij.at("groups").get<std::vector<std::string>>();
      i.ether = ij.at("ether");
      i.hwaddr = ij.at("hwaddr");
      for (const auto& c : ij.at("inet")) {
        auto cidr = model::Cidr4::Parse(c.get<std::string>());
        if (!cidr) return Fail("bad address " + c.dump());
        i.inet.push_back(*cidr);
      }
      i.members = ij.at("members").get<std::vector<int>>();
      i.index = ij.at("index");
      s.interfaces[ij.at("id").get<int>()] = std::move(i);
    }
    s.next_interface = j.at("next_interface");
    for (const auto& jj : j.at("jails")) {
      SimJail x;
      x.jid = jj.at("jid");
      x.name = jj.at("name");
      x.path = jj.at("path");
      x.hostname = jj.at("hostname");
      x.meta = jj.at("meta");
      x.vnet = jj.at("vnet");
      x.ip4 = jj.at("ip4");
      x.ip4_addrs = jj.at("ip4_addrs").get<std::vector<std::string>>();
      x.persist = jj.at("persist");
      x.dying = jj.at("dying");
      x.dying_ticks = jj.at("dying_ticks");
      if (jj.at("gateway").is_string()) x.gateway = jj.at("gateway").get<std::string>();
      if (jj.contains("routes")) x.routes = jj.at("routes").get<std::map<std::string, std::string>>();
      s.jails[x.jid] = std::move(x);
    }
    s.next_jid = j.at("next_jid");
    for (const auto& lj : j.at("limbo"))
      s.limbo.push_back({lj.at("jid"), lj.at("ticks"), lj.at("interfaces").get<std::vector<int>>()});
    s.pf_loaded = j.at("pf_loaded");
    s.pf_main_nat = j.at("pf_main_nat").get<std::vector<std::string>>();
    s.pf_anchors = j.at("pf_anchors").get<std::map<std::string, std::vector<std::string>>>();
    s.ipfw_loaded = j.at("ipfw_loaded");
    for (const auto& rj : j.at("ipfw_rules"))
      s.ipfw_rules.push_back({rj.at("number"), rj.value("set", 0), rj.at("body")});
    s.sysctls = j.at("sysctls").get<std::map<std::string, std::string>>();
    s.jail_meta = j.at("jail_meta");
    s.return_ticks = j.at("return_ticks");
    s.dying_on_remove = j.at("dying_on_remove").get<std::map<std::string, int>>();
    s.mac_seed = j.at("mac_seed");
    s.files = j.value("files", std::map<std::string, std::string>{});
    s.links = j.value("links", std::map<std::string, std::string>{});
    s.dirs = j.value("dirs", std::set<std::string>{});
    s.pf_enabled = j.value("pf_enabled", true);
    s.ipfw_default_accept = j.value("ipfw_default_accept", true);
    s.dummynet_loaded = j.value("dummynet_loaded", true);
    if (j.contains("pipes"))
      for (const auto& pj : j.at("pipes")) s.pipes[pj.at("number")] = {pj.at("bw"), pj.at("burst")};
  } catch (const json::exception& e) {
    return Fail(std::string("not a simulated FreeBSD host: ") + e.what());
  }
  return s;
}

}  // namespace berth::drivers::freebsd::sim
