// Options shared by berth's subcommands, as parsed by CLI11 in main.cc.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace berth::cli {

enum ExitCode {
  kExitOk = 0,       // success; for plan --detailed-exitcode: nothing to do
  kExitError = 1,    // invalid manifests, conflicts, refusal, driver or verification failure
  kExitChanges = 2,  // plan --detailed-exitcode: there are changes
};

struct Options {
  std::vector<std::string> files;          // -f: manifest files and directories
  std::optional<std::string> node;         // --node
  std::string platform;                    // --platform: linux | freebsd
  bool platform_given = false;             // --platform was on the command line (validate: platform rules)
  std::string output = "text";             // --output: text | json (show: yaml | json)
  std::string state_dir;                   // --state-dir
  std::string lock_dir;                    // --lock-dir
  std::string netns_dir = "/run/netns";    // --netns-dir (Linux driver)
  std::string etc_netns_dir = "/etc/netns";
  std::string result_dir = "/run/berth-vms";  // --result-dir: launchers' NAME.json files; "" writes none
  std::string qemu_binary = "qemu-system-x86_64";  // --qemu
  std::string firecracker_binary = "firecracker";  // --firecracker
  std::string kvm_device = "/dev/kvm";             // --kvm-device
  double vm_stop_timeout = 10;                     // --vm-stop-timeout, seconds
  std::optional<std::string> observed_file;  // --observed: plan against a saved observation
  std::string driver;                        // --driver: "" (the platform's own) | sim-freebsd
  std::string sim_state = "berth-sim-freebsd.json";  // --sim-state: the simulated FreeBSD host's file
  bool show_commands = false;                // plan --show-commands
  std::optional<std::string> out_file;       // plan --out
  std::optional<std::string> plan_file;      // apply FILE
  bool detailed_exitcode = false;
  bool allow_mass_delete = false;
  bool auto_approve = false;  // destroy --auto-approve: no confirmation
  bool allow_unsafe_manifests = false;
  bool adopt_foreign_netns = false;     // --adopt-foreign-netns: take over berth- netns holding others' links  // --allow-unsafe-manifests: read group/world-writable manifest paths
  double max_delete_share = 0.5;
  int parallelism = 0;
  bool no_color = false;
  bool verbose = false;
  double lock_timeout = 60;  // seconds apply/destroy wait for the lock (a watch holds it only during passes)
  // berth watch
  double resync_seconds = 300;
  double debounce_ms = 10;
  double gc_grace_seconds = 30;
  std::optional<std::string> metrics_address;
  std::string log_format = "text";
  // berth probe VM PROTO TARGET[:PORT]
  std::string probe_vm, probe_protocol, probe_target;
  double probe_timeout = 1.5;  // seconds to wait for an answer
  // berth wait VM
  std::string wait_vm;
  double wait_timeout = 120;  // seconds before giving up (exit 1)
};

int RunValidate(const Options& o);
int RunPlan(const Options& o);
int RunGraph(const Options& o);
int RunApply(const Options& o);
int RunDestroy(const Options& o);
int RunShow(const Options& o);
int RunWatch(const Options& o);
int RunProbe(const Options& o);  // exit 0 answered, 1 silent, 2 error
int RunWait(const Options& o);   // exit 0 the VM's result file is there (printed), 1 timeout or error

}  // namespace berth::cli
