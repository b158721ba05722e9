// SimFreeBsd: dispatch to the tools, time, fault injection and the command log.
#include "drivers/freebsd/sim/sim_host.h"

#include <algorithm>

#include "drivers/freebsd/sim/sim_machine.h"

namespace berth::drivers::freebsd::sim {

CommandResult Ok(std::string out) { return CommandResult{0, std::move(out), ""}; }
CommandResult Err(std::string err, int code) { return CommandResult{code, "", std::move(err) + "\n"}; }

CommandResult Machine::Dispatch(const Args& a, const std::string& input) {
  if (a.empty()) return Err("sim: empty command", 127);
  const std::string& tool = a[0];
  if (tool == "ifconfig") return Ifconfig(a);
  if (tool == "route") return Route(a);
  if (tool == "realpath" || tool == "stat" || tool == "cat" || tool == "tee" || tool == "ln") return Files(a, input, "");
  if (tool == "jail") return Jail(a);
  if (tool == "jls") return Jls(a);
  if (tool == "jexec") return Jexec(a, input);
  if (tool == "pfctl") return Pfctl(a, input);
  if (tool == "ipfw") return Ipfw(a);
  if (tool == "sysctl") return Sysctl(a);
  if (tool == "netstat") return Netstat(a);
  return Err("sim: " + tool + ": command not found", 127);
}

bool IsReadOnly(const std::vector<std::string>& a) {
  if (a.empty()) return true;
  std::vector<std::string> cmd = a;
  if (cmd[0] == "jexec" && cmd.size() >= 3) {
    cmd.erase(cmd.begin(), cmd.begin() + 2);
    cmd[0] = cmd[0].substr(cmd[0].rfind('/') + 1);
  }
  if (cmd[0] == "netstat") return true;
  if ((cmd[0] == "ifconfig" || cmd[0] == "route") && cmd.size() >= 3 && cmd[1] == "-j")
    cmd.erase(cmd.begin() + 1, cmd.begin() + 3);
  const std::string& tool = cmd[0];
  if (tool == "jls" || tool == "cat" || tool == "realpath" || tool == "stat") return true;
  if (tool == "ifconfig") return cmd.size() <= 2 || cmd[1] == "-l" || cmd[1] == "-g";
  if (tool == "route") return std::find(cmd.begin(), cmd.end(), "get") != cmd.end();
  if (tool == "pfctl") return std::find(cmd.begin(), cmd.end(), "-s") != cmd.end();
  if (tool == "ipfw") return cmd.back() == "list" || cmd.back() == "show";  // show: ipfw pipe show
  if (tool == "sysctl") return cmd.size() == 3 && cmd[1] == "-n";
  return false;
}

SimFreeBsd::SimFreeBsd() {
  Machine m(state_);
  int lo = m.NewInterface({"lo0", "lo", 0, 0, -1, kHostVnet, kHostVnet, true, 16384, "", {"lo"}, "", "",
                           {*model::Cidr4::Parse("127.0.0.1/8")}, {}, 0});
  (void)lo;
  m.NewInterface({"em0", "", -1, 0, -1, kHostVnet, kHostVnet, true, 1500, "", {}, "58:9c:fc:00:00:01", "",
                  {*model::Cidr4::Parse("192.0.2.10/24")}, {}, 0});
  state_.pf_main_nat = {"nat-anchor \"berth/*\" all", "rdr-anchor \"berth/*\" all"};
  state_.dirs = {"/etc", "/usr/local/etc"};  // the host's own tree, as far as tests touch it
  state_.sysctls = {{"net.inet.ip.forwarding", "0"}, {"kern.features.vimage", "1"}, {"net.inet.ip.fw.enable", "1"},
                    {"net.link.ether.ipfw", "1"},    {"net.link.bridge.ipfw", "1"},
                    // ipfw2.c fills a "log" rule's logamount from this at add time (ipfw -S list shows it)
                    {"net.inet.ip.fw.verbose_limit", "5"},
                    // ipfw(8): 1 by default; a rate-limited jail needs 0 (freebsd_bandwidth.h)
                    {"net.inet.ip.fw.one_pass", "1"}};
  state_.return_ticks = 2;
}

SimFreeBsd::SimFreeBsd(SimState state) : state_(std::move(state)) {}

CommandResult SimFreeBsd::Run(const std::vector<std::string>& argv, const std::string& input) {
  std::lock_guard lock(mutex_);
  Machine m(state_);
  m.Tick();
  log_.push_back(argv);
  if (!IsReadOnly(argv)) {
    changes_.push_back(argv);
    int64_t n = changes_seen_++;
    if (fail_at_ && n == *fail_at_) {
      fail_at_.reset();
      return Err(argv[0] + ": " + fail_message_);
    }
  }
  return m.Dispatch(argv, input);
}

CommandResult SimFreeBsd::Exec(const std::vector<std::string>& argv, const std::string& input) {
  std::lock_guard lock(mutex_);
  Machine m(state_);
  m.Tick();
  return m.Dispatch(argv, input);
}

void SimFreeBsd::KillJail(const std::string& name) {
  std::lock_guard lock(mutex_);
  Machine m(state_);
  if (SimJail* j = m.FindJail(name, false)) m.RemoveJail(*j);
}

void SimFreeBsd::HoldDying(const std::string& name, int commands) {
  std::lock_guard lock(mutex_);
  state_.dying_on_remove[name] = commands;
}

void SimFreeBsd::Settle() {
  std::lock_guard lock(mutex_);
  Machine(state_).Settle();
}

void SimFreeBsd::FailChange(int64_t k, std::string message) {
  std::lock_guard lock(mutex_);
  fail_at_ = changes_seen_ + k;
  fail_message_ = std::move(message);
}

bool SimFreeBsd::fault_pending() const {
  std::lock_guard lock(mutex_);
  return fail_at_.has_value();
}

std::vector<std::vector<std::string>> SimFreeBsd::log() const {
  std::lock_guard lock(mutex_);
  return log_;
}

std::vector<std::vector<std::string>> SimFreeBsd::changes() const {
  std::lock_guard lock(mutex_);
  return changes_;
}

void SimFreeBsd::ClearLog() {
  std::lock_guard lock(mutex_);
  log_.clear();
  changes_.clear();
}

int64_t SimFreeBsd::changes_seen() const {
  std::lock_guard lock(mutex_);
  return changes_seen_;
}

SimState SimFreeBsd::state() const {
  std::lock_guard lock(mutex_);
  return state_;
}

void SimFreeBsd::set_state(SimState state) {
  std::lock_guard lock(mutex_);
  state_ = std::move(state);
}

}  // namespace berth::drivers::freebsd::sim
