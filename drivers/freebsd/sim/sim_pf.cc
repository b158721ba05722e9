// pfctl(8), ipfw(8) and sysctl(8) on the simulated host: pf anchors replaced wholesale from stdin and listed in
// canonical form, ipfw rules by number, sysctl values.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <sstream>

#include "drivers/freebsd/sim/sim_machine.h"
#include "drivers/freebsd/sim/sim_pf_rules.h"

namespace berth::drivers::freebsd::sim {
namespace {

std::vector<std::string> Words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

std::string Join(const std::vector<std::string>& words, size_t from = 0) {
  std::string out;
  for (size_t k = from; k < words.size(); ++k) out += (out.empty() ? "" : " ") + words[k];
  return out;
}

bool IsPort(const std::string& w) { return !w.empty() && w.size() <= 5 && w.find_first_not_of("0123456789") == std::string::npos; }

}  // namespace

CommandResult Machine::Pfctl(const Args& a, const std::string& input) {
  if (!s_.pf_loaded) return Err("pfctl: /dev/pf: No such file or directory");
  std::string anchor, show, file, flush;
  for (size_t k = 1; k < a.size(); ++k) {
    const bool more = k + 1 < a.size();
    if (a[k] == "-a" && more) anchor = a[++k];
    else if (a[k] == "-s" && more) show = a[++k];
    else if (a[k] == "-f" && more) file = a[++k];
    else if (a[k] == "-F" && more) flush = a[++k];
    else if (a[k] == "-q" || a[k] == "-N") continue;
    else if (a[k] == "-e" || a[k] == "-d") {  // pfctl.c: "pf enabled" / "pf disabled" on stderr
      if (s_.pf_enabled == (a[k] == "-e")) return Err(std::string("pfctl: pf already ") + (s_.pf_enabled ? "enabled" : "disabled"));
      s_.pf_enabled = a[k] == "-e";
      CommandResult r = Ok();
      r.err = s_.pf_enabled ? "pf enabled\n" : "pf disabled\n";
      return r;
    }
    else return Err("pfctl: unknown option " + a[k]);
  }
  if (show == "info") {
    // pfctl.c print_status: the first line says whether pf filters at all; a loaded but disabled pf still
    // lists and loads rules, and translates nothing.
    return Ok(std::string("Status: ") + (s_.pf_enabled ? "Enabled" : "Disabled") +
              " for 0 days 00:00:42           Debug: Urgent\n\nState Table                          Total             Rate\n"
              "  current entries                        0               \n");
  }
  if (show == "nat") {
    const auto& rules = anchor.empty() ? s_.pf_main_nat : s_.pf_anchors[anchor];
    std::string out;
    for (const auto& r : rules) out += r + "\n";
    return Ok(out);  // an empty or unknown anchor prints nothing (facts A3; the unknown case is [UNCONFIRMED])
  }
  if (show == "Anchors") {
    std::string out;
    const std::string prefix = anchor.empty() ? "" : anchor + "/";
    for (const auto& [path, rules] : s_.pf_anchors)
      if (!rules.empty() && path.starts_with(prefix) && path.find('/', prefix.size()) == std::string::npos)
        out += "  " + path + "\n";
    return Ok(out);
  }
  if (file == "-") {
    // The whole anchor is replaced in one transaction; text without nat rules clears them (facts A3).
    std::vector<std::string> rules;
    std::istringstream in(input);
    int n = 0;
    for (std::string line; std::getline(in, line);) {
      ++n;
      if (Words(line).empty() || line.find_first_not_of(" \t") == line.find('#')) continue;
      auto rule = CanonicalPfRule(line);
      if (auto* e = std::get_if<PfRuleError>(&rule))
        return Err("stdin:" + std::to_string(n) + ": " + e->message +
                       "\npfctl: Syntax error in config file: pf rules not loaded",
                   e->message.starts_with("sim:") ? 64 : 1);
      rules.push_back(std::get<std::string>(rule));
    }
    (anchor.empty() ? s_.pf_main_nat : s_.pf_anchors[anchor]) = rules;
    CommandResult r = Ok();
    r.err = "No ALTQ support in kernel\nALTQ related functions disabled\n";  // noise on success (facts A3 [UNCONFIRMED])
    return r;
  }
  if (!flush.empty()) {
    if (flush != "nat" && flush != "rules" && flush != "all") return Err("pfctl: Unknown flush modifier '" + flush + "'");
    if (flush != "rules") (anchor.empty() ? s_.pf_main_nat : s_.pf_anchors[anchor]).clear();
    CommandResult r = Ok();
    r.err = flush == "rules" ? "rules cleared\n" : "nat cleared\n";  // on stderr (facts A3)
    return r;
  }
  return Err("pfctl: nothing to do in the simulator");
}

CommandResult Machine::Ipfw(const Args& a) {
  // main.c ipfw_main: getopt options, then an optional "set N" prefix (co.use_set) before the command.
  size_t k = 1;
  bool quiet = false, show_sets = false;
  for (; k < a.size() && a[k].size() > 1 && a[k][0] == '-'; ++k) {
    if (a[k] == "-q") quiet = true;
    else if (a[k] == "-S") show_sets = true;
    else if (a[k] == "-v") continue;  // verbose: pipe show prints bursts in bytes, which the simulator always does
    else if (a[k] == "-n" || a[k] == "-N" || a[k] == "-t" || a[k] == "-a" || a[k] == "-c") continue;
    else return Err("usage: ipfw [options]");
  }
  if (!s_.ipfw_loaded) return Err("ipfw: retrieving config failed: Protocol not available");
  if (k >= a.size()) return Err("usage: ipfw [options]");
  auto set_number = [](const std::string& w) { return IsPort(w) && w.size() <= 2 ? std::stoi(w) : -1; };
  int use_set = -1;
  if (a[k] == "set" && k + 2 < a.size() && !a[k + 1].empty() && std::isdigit(static_cast<unsigned char>(a[k + 1][0]))) {
    use_set = set_number(a[k + 1]);
    if (use_set < 0 || use_set > 30) return Err("ipfw: invalid set number " + a[k + 1]);
    k += 2;
  }
  const std::string verb = a[k];
  if (verb == "pipe") return Pipe(Args(a.begin() + long(k), a.end()));
  char num[16];
  if (verb == "list" || verb == "show") {
    std::vector<SimIpfwRule> rules = s_.ipfw_rules;
    std::stable_sort(rules.begin(), rules.end(), [](const auto& x, const auto& y) { return x.number < y.number; });
    rules.push_back({65535, 31, s_.ipfw_default_accept ? "allow ip from any to any" : "deny ip from any to any"});
    std::string out;
    for (const auto& r : rules) {
      if (use_set >= 0 && r.set != use_set) continue;
      std::snprintf(num, sizeof num, "%05d", r.number);
      // ipfw2.c show_static_rule: "set N " after the number only with -S.
      out += std::string(num) + (show_sets ? " set " + std::to_string(r.set) : "") + " " + r.body + "\n";
    }
    return Ok(out);
  }
  if (verb == "delete") {
    // ipfw2.c ipfw_delete: "set N delete M" deletes rule M of set N only; "delete M" rule M in every set.
    if (k + 1 >= a.size() || !IsPort(a[k + 1])) return Err("ipfw: missing rule specification");
    const int number = std::stoi(a[k + 1]);
    auto before = s_.ipfw_rules.size();
    std::erase_if(s_.ipfw_rules, [&](const auto& r) { return r.number == number && (use_set < 0 || r.set == use_set); });
    if (before == s_.ipfw_rules.size())
      return Err("ipfw: rule " + std::to_string(number) + ": setsockopt(IP_FW_XDEL): No such process");
    return Ok();
  }
  if (verb != "add") return Err("ipfw: bad command `" + verb + "'");
  if (use_set >= 0) return Err("sim: \"set N add\" is not simulated (berth puts the set in the rule)", 64);
  // ipfw.8 RULE FORMAT: [rule_number] [set set_number] [prob p] action [log [logamount N]] body
  size_t b = k + 1;
  int number = 0, set = 0;
  if (b < a.size() && IsPort(a[b])) number = std::stoi(a[b++]);
  if (number < 1 || number > 65534) return Err("ipfw: illegal rule number " + a[b - 1]);
  if (b + 1 < a.size() && a[b] == "set") {
    set = set_number(a[b + 1]);
    if (set < 0 || set > 30) return Err("ipfw: illegal set " + a[b + 1]);
    b += 2;
  }
  std::vector<std::string> body(a.begin() + long(b), a.end());
  static const std::vector<std::string> kActions = {"allow", "accept", "pass", "permit", "deny", "drop", "reject",
                                                    "count", "skipto", "pipe"};
  // "pipe N" (ipfw.8 RULE ACTIONS) needs its number; the pipe itself may be configured later.
  if (!body.empty() && body[0] == "pipe" && (body.size() < 2 || !IsPort(body[1])))
    return Err("ipfw: illegal argument for pipe");
  if (body.empty() || std::find(kActions.begin(), kActions.end(), body[0]) == kActions.end())
    return Err("ipfw: invalid action " + (body.empty() ? std::string() : body[0]));
  auto from = std::find(body.begin(), body.end(), "from"), to = std::find(body.begin(), body.end(), "to");
  if (from == body.end() || to == body.end() || to < from) return Err("ipfw: missing ``to''");
  // compile_rule: "log" without "logamount" takes net.inet.ip.fw.verbose_limit; the listing shows it when > 0.
  if (body.size() > 1 && body[1] == "log" && (body.size() < 3 || body[2] != "logamount")) {
    const int limit = std::atoi(s_.sysctls["net.inet.ip.fw.verbose_limit"].c_str());
    if (limit > 0) body.insert(body.begin() + 2, {"logamount", std::to_string(limit)});
  }
  std::string text = Join(body);
  s_.ipfw_rules.push_back({number, set, text});
  std::snprintf(num, sizeof num, "%05d", number);
  return Ok(quiet ? "" : std::string(num) + " " + text + "\n");
}

// sbin/ipfw/dummynet.c: "pipe N config bw B burst S" (ipfw_config_pipe, read_bandwidth: a number, an optional
// K/M/G, and bit/s, or B/Byte/s for bytes), "pipe N delete", "pipe show" (list_pipes). a[0] is "pipe".
CommandResult Machine::Pipe(const Args& a) {
  if (!s_.dummynet_loaded) return Err("ipfw: setsockopt(IP_DUMMYNET3): Protocol not available");
  if (a.size() == 2 && (a[1] == "show" || a[1] == "list")) {
    std::string out;
    char line[96];
    for (const auto& [n, p] : s_.pipes) {
      char bw[32];
      const double b = double(p.bw);
      if (p.bw == 0) std::snprintf(bw, sizeof bw, "unlimited     ");
      else if (b >= 1e9) std::snprintf(bw, sizeof bw, "%7.3f Gbit/s", b / 1e9);
      else if (b >= 1e6) std::snprintf(bw, sizeof bw, "%7.3f Mbit/s", b / 1e6);
      else if (b >= 1e3) std::snprintf(bw, sizeof bw, "%7.3f Kbit/s", b / 1e3);
      else std::snprintf(bw, sizeof bw, "%7.3f bit/s ", b);
      std::snprintf(line, sizeof line, "%05d: %s %4d ms burst %llu\n", n, bw, 0, static_cast<unsigned long long>(p.burst));
      out += line;
      std::snprintf(line, sizeof line, "q%05d  50 sl. 0 flows (1 buckets) sched %d weight 0 lmax 0 pri 0 droptail\n", n, n + 65536);
      out += line;
      std::snprintf(line, sizeof line, " sched %d type FIFO flags 0x0 0 buckets 0 active\n", n + 65536);
      out += line;
    }
    return Ok(out);
  }
  if (a.size() < 3 || !IsPort(a[1])) return Err("ipfw: usage: pipe number {config|delete|show}");
  const int n = std::stoi(a[1]);
  if (a[2] == "delete") {
    if (!s_.pipes.erase(n)) return Err("ipfw: setsockopt(IP_DUMMYNET_DEL): No such file or directory");
    return Ok();
  }
  if (a[2] != "config") return Err("ipfw: unrecognised option ``" + a[2] + "''");
  SimState::Pipe p = s_.pipes.count(n) ? s_.pipes[n] : SimState::Pipe{};
  for (size_t i = 3; i < a.size(); i += 2) {
    if (i + 1 >= a.size()) return Err("ipfw: " + a[i] + " needs argument");
    const std::string& v = a[i + 1];
    size_t end = 0;
    while (end < v.size() && std::isdigit(static_cast<unsigned char>(v[end]))) ++end;
    if (end == 0 || end > 12) return Err("ipfw: bandwidth too large");
    uint64_t x = std::stoull(v.substr(0, end));
    std::string unit = v.substr(end);
    if (a[i] == "bw") {
      if (!unit.empty() && std::string("KkMmGg").find(unit[0]) != std::string::npos) {
        x *= (unit[0] == 'K' || unit[0] == 'k') ? 1000 : (unit[0] == 'M' || unit[0] == 'm') ? 1000000 : 1000000000;
        unit = unit.substr(1);
      }
      if (unit == "B" || unit == "Byte/s" || unit == "bytes") x *= 8;
      else if (!unit.empty() && unit != "bit/s") return Err("ipfw: bandwidth unit " + unit);
      if (x > 0xffffffffULL) return Err("ipfw: bandwidth too large");
      p.bw = x;
    } else if (a[i] == "burst") {
      if (!unit.empty()) return Err("ipfw: burst: unit " + unit);
      p.burst = x;
    } else {
      return Err("ipfw: unrecognised option ``" + a[i] + "''");
    }
  }
  s_.pipes[n] = p;
  return Ok();
}

CommandResult Machine::Sysctl(const Args& a) {
  if (a.size() == 3 && a[1] == "-n") {
    auto it = s_.sysctls.find(a[2]);
    if (it == s_.sysctls.end()) return Err("sysctl: unknown oid '" + a[2] + "'");
    return Ok(it->second + "\n");
  }
  if (a.size() != 2) return Err("usage: sysctl [-n] name[=value]");
  size_t eq = a[1].find('=');
  std::string name = a[1].substr(0, eq);
  auto it = s_.sysctls.find(name);
  if (it == s_.sysctls.end()) return Err("sysctl: unknown oid '" + name + "'");
  if (eq == std::string::npos) return Ok(name + ": " + it->second + "\n");
  if (name.starts_with("kern.features.")) return Err("sysctl: oid '" + name + "' is read only");
  std::string old = it->second;
  it->second = a[1].substr(eq + 1);
  return Ok(name + ": " + old + " -> " + it->second + "\n");
}

}  // namespace berth::drivers::freebsd::sim
