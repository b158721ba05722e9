// berth: keeps a sandbox host's networking equal to its manifests. Subcommands and flags; see --help.
#include <sys/resource.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "cli/log_setup.h"
#include "cli/observed_context.h"
#include "cli/options.h"
#include "cli/version.h"  // generated at configure time
#include "reconciler/crash_point.h"
#include "reconciler/state_dir.h"

namespace {

constexpr const char* kExitCodes =
    "Exit codes:\n"
    "  0  success (plan --detailed-exitcode: nothing to do)\n"
    "  1  error: invalid manifests, conflicts, a refused plan, a failed or unverified apply\n"
    "  2  plan --detailed-exitcode: the plan has changes\n";

void AddManifestOptions(CLI::App& cmd, berth::cli::Options& o) {
  cmd.add_option("-f,--filename", o.files, "Manifest files or directories (recursive, *.yaml/*.yml)")
      ->default_str("")  // no "=[]" in the help
      ->required()
      ->check(CLI::ExistingPath);
  cmd.add_option("--node", o.node,
                 "Keep only documents for this node and those without spec.node (default: this host's name; "
                 "validate: every node)");
  cmd.add_flag("--allow-unsafe-manifests", o.allow_unsafe_manifests,
               "Read manifests that others could change (a group- or world-writable file, or such a directory on "
               "the way without the sticky bit); refused by default");
}

/// An absolute path, or "" (--result-dir "": none).
const CLI::Validator kAbsoluteOrEmpty(
    [](std::string& text) -> std::string {
      return text.empty() || text[0] == '/' ? "" : "must be an absolute path (or \"\" for none)";
    },
    "DIR");

void AddHostOptions(CLI::App& cmd, berth::cli::Options& o) {
  cmd.add_option("--platform", o.platform, "Target platform")->check(CLI::IsMember({"linux", "freebsd"}));
  cmd.add_option("--state-dir", o.state_dir, "Where allocations persist");
  cmd.add_option("--netns-dir", o.netns_dir, "Named network namespaces (Linux)");
  cmd.add_option("--driver", o.driver, "sim-freebsd: a simulated FreeBSD host kept in --sim-state (tests, demos)")
      ->check(CLI::IsMember({"sim-freebsd"}));
  cmd.add_option("--sim-state", o.sim_state, "The simulated FreeBSD host's JSON file (--driver sim-freebsd)");
  cmd.add_option("--etc-netns-dir", o.etc_netns_dir, "Per-netns files such as resolv.conf (Linux)");
  cmd.add_option("--result-dir", o.result_dir,
                 "Where apply and watch write NAME.json for each VM whose network is ready (launchers read it; "
                 "\"\" writes none)")
      ->check(kAbsoluteOrEmpty);
  cmd.add_option("--qemu", o.qemu_binary, "The QEMU binary VMs with spec.qemu run (a name is looked up in PATH)");
  cmd.add_option("--firecracker", o.firecracker_binary, "The Firecracker binary berth's jailer copies and runs");
  cmd.add_option("--kvm-device", o.kvm_device, "KVM's device, probed once per boot by running a small guest program; without a usable KVM, QEMU runs under TCG and Firecracker VMs are held back");
  cmd.add_option("--vm-stop-timeout", o.vm_stop_timeout, "Seconds a VM gets after SIGTERM before SIGKILL");
  cmd.add_flag("--adopt-foreign-netns", o.adopt_foreign_netns,
               "Treat a berth- netns that holds links berth did not make as berth's: adopt it, and remove it with "
               "them (the plan lists them); without it such a netns is a conflict, never changed");
}

/// Seconds to wait: a number >= 0 (infinity waits as long as it takes); NaN, negatives and text are refused.
const CLI::Validator kSeconds(
    [](std::string& text) -> std::string {
      char* end = nullptr;
      const double v = std::strtod(text.c_str(), &end);
      if (text.empty() || *end != '\0' || std::isnan(v) || v < 0) return "must be a number of seconds >= 0";
      return "";
    },
    "SECONDS");

void AddPlanOptions(CLI::App& cmd, berth::cli::Options& o) {
  cmd.add_option("--observed", o.observed_file, "Plan against a saved observation (berth show -o json)")
      ->check(CLI::ExistingFile);
  cmd.add_flag("--allow-mass-delete", o.allow_mass_delete, "Allow a plan that removes most or all workloads");
  cmd.add_option("--max-delete-share", o.max_delete_share, "Largest share of workloads one plan may remove")
      ->check(CLI::Range(0.0, 1.0));
}

/// Raises the soft descriptor limit to the hard one. An apply holds a netlink socket and a namespace descriptor
/// per VM namespace of a batch, so the usual soft limit of 1,024 runs out at a few hundred VMs (EMFILE).
void RaiseDescriptorLimit() {
  struct rlimit lim {};
  if (::getrlimit(RLIMIT_NOFILE, &lim) != 0 || lim.rlim_cur >= lim.rlim_max) return;
  const rlim_t before = lim.rlim_cur;
  lim.rlim_cur = lim.rlim_max;
  if (::setrlimit(RLIMIT_NOFILE, &lim) == 0)
    spdlog::debug("raised the descriptor limit (RLIMIT_NOFILE) from {} to {}", before, lim.rlim_cur);
}

}  // namespace

int main(int argc, char** argv) {
  berth::cli::Options o;
  o.platform = "linux";
  o.state_dir = berth::reconciler::kDefaultStateDir;
  o.lock_dir = berth::reconciler::kDefaultLockDir;

  CLI::App app{"berth keeps a sandbox host's networking (bridges, VMs, jails, NAT) equal to its manifests."};
  app.name("berth");
  app.footer(kExitCodes);
  app.require_subcommand(0, 1);  // none: the help (below); an unknown one is named by UnknownCommand
  // Every option's help shows its default (inherited by the subcommands made below).
  app.option_defaults()->always_capture_default();
  app.set_version_flag("--version", std::string("berth ") + BERTH_VERSION + " (commit " + BERTH_COMMIT + ")");
  app.add_flag("-v,--verbose", o.verbose, "Log each step and the driver's work");
  app.add_flag("--no-color", o.no_color, "No colours even on a terminal");

  auto* validate = app.add_subcommand("validate", "Check manifests without touching any host");
  AddManifestOptions(*validate, o);
  validate->add_option("--platform", o.platform,
                       "Also check what this platform needs (a Jail is FreeBSD's, a VM Linux's; pf NAT needs egress)")
      ->check(CLI::IsMember({"linux", "freebsd"}));
  validate->add_option("-o,--output", o.output, "text or json")->check(CLI::IsMember({"text", "json"}));

  auto* plan = app.add_subcommand("plan", "Show what apply would change");
  AddManifestOptions(*plan, o);
  AddHostOptions(*plan, o);
  AddPlanOptions(*plan, o);
  plan->add_option("-o,--output", o.output, "text or json")->check(CLI::IsMember({"text", "json"}));
  plan->add_option("--out", o.out_file, "Save the plan for berth apply FILE");
  plan->add_flag("--detailed-exitcode", o.detailed_exitcode, "Exit 2 when there are changes, 0 when none");
  plan->add_flag("--show-commands", o.show_commands, "Under each change, the exact host commands it runs (FreeBSD)");

  auto* graph = app.add_subcommand("graph", "Print the plan's steps as Graphviz DOT");
  AddManifestOptions(*graph, o);
  AddHostOptions(*graph, o);
  AddPlanOptions(*graph, o);

  auto* apply = app.add_subcommand("apply", "Converge the host: plan and apply, or apply a saved plan");
  apply->add_option("FILE", o.plan_file, "A plan saved by berth plan --out")->check(CLI::ExistingFile);
  apply->add_option("-f,--filename", o.files, "Manifest files or directories")
      ->default_str("")
      ->check(CLI::ExistingPath);
  apply->add_flag("--allow-unsafe-manifests", o.allow_unsafe_manifests,
                  "Read manifests that others could change (see plan --help)");
  apply->add_option("--node", o.node, "Keep only documents for this node");
  AddHostOptions(*apply, o);
  apply->add_flag("--allow-mass-delete", o.allow_mass_delete, "Allow a plan that removes most or all workloads");
  apply->add_option("--max-delete-share", o.max_delete_share, "Largest share of workloads one plan may remove");
  apply->add_option("--lock-dir", o.lock_dir, "Where the apply lock lives");
  apply->add_option("-j,--parallelism", o.parallelism, "Concurrent batches (default: number of cores)");
  apply->add_option("--lock-timeout", o.lock_timeout, "Seconds to wait for the lock (held by a running watch pass)")
      ->check(kSeconds);

  auto* destroy = app.add_subcommand(
      "destroy", "Remove everything berth owns on this host: shows the plan, asks for 'yes' on a terminal");
  AddHostOptions(*destroy, o);
  destroy->add_flag("--auto-approve", o.auto_approve,
                    "Destroy without asking (scripts); without it and without a terminal, destroy refuses");
  destroy->add_option("--lock-dir", o.lock_dir, "Where the apply lock lives");
  destroy->add_option("-j,--parallelism", o.parallelism, "Concurrent batches (default: number of cores)");
  destroy->add_option("--lock-timeout", o.lock_timeout, "Seconds to wait for the lock (held by a running watch pass)")
      ->check(kSeconds);

  auto* show = app.add_subcommand("show", "Print the observed state and what each VM's launcher needs");
  AddHostOptions(*show, o);
  show->add_option("-o,--output", o.output, "text (YAML, for people; yaml is the same) or json")
      ->check(CLI::IsMember({"text", "yaml", "json"}));
  show->add_option("--observed", o.observed_file, "Show a saved observation")->check(CLI::ExistingFile);
  show->add_option("--node", o.node,
                   "The node name -o json records, which plan --observed then plans for (default: this host's name)");

  auto* watch = app.add_subcommand("watch", "Run as the node controller: re-converge on manifest change and drift");
  AddManifestOptions(*watch, o);
  AddHostOptions(*watch, o);
  watch->add_flag("--allow-mass-delete", o.allow_mass_delete, "Allow a pass that removes most or all workloads");
  watch->add_option("--max-delete-share", o.max_delete_share, "Largest share of workloads one pass may remove");
  watch->add_option("--lock-dir", o.lock_dir, "Where the apply lock lives");
  watch->add_option("-j,--parallelism", o.parallelism, "Concurrent batches (default: number of cores)");
  watch->add_option("--resync", o.resync_seconds, "Seconds between full re-reads (the safety net)");
  watch->add_option("--debounce-ms", o.debounce_ms, "Coalesce events within this window")->check(CLI::Range(0.0, 60000.0));
  watch->add_option("--gc-grace", o.gc_grace_seconds, "Seconds a leak must have existed before it is collected");
  watch->add_option("--metrics", o.metrics_address, "Serve /metrics and /healthz on IPV4:PORT");
  watch->add_option("--log-format", o.log_format, "text or json")->check(CLI::IsMember({"text", "json"}));

  auto* probe = app.add_subcommand("probe", "Send one packet as a VM and say what answered (Linux)");
  AddHostOptions(*probe, o);
  probe->add_option("VM", o.probe_vm, "The VM to send as")->required();
  probe->add_option("PROTO", o.probe_protocol, "tcp, udp or icmp")->required()->check(CLI::IsMember({"tcp", "udp", "icmp"}));
  probe->add_option("TARGET", o.probe_target, "IPV4[:PORT] (a port for tcp and udp)")->required();
  probe->add_option("--timeout", o.probe_timeout, "Seconds to wait for an answer")->check(CLI::Range(0.1, 60.0));

  auto* wait = app.add_subcommand("wait", "Block until a VM's network is ready, then print its result file");
  wait->add_option("VM", o.wait_vm, "The VM to wait for")->required();
  wait->add_option("--timeout", o.wait_timeout, "Seconds to wait before failing (exit 1)")->check(kSeconds);
  wait->add_option("--result-dir", o.result_dir, "Where berth writes the result files")->check(kAbsoluteOrEmpty);

  if (!berth::reconciler::InitCrashPoints()) return berth::cli::kExitError;  // a test hook; see crash_point.h
  if (argc < 2) {  // berth alone: what it can do
    std::fputs(app.help().c_str(), stdout);
    return berth::cli::kExitOk;
  }
  if (auto unknown = berth::cli::UnknownCommand(app, argc, argv)) {
    std::fprintf(stderr, "%s", unknown->c_str());
    return berth::cli::kExitError;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);  // 0, after printing the help
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);  // prints the message; its own code (e.g. 105) is not one of berth's documented codes
    return berth::cli::kExitError;
  }
  if (app.get_subcommands().empty()) {  // only global flags, e.g. berth -v
    std::fputs(app.help().c_str(), stdout);
    return berth::cli::kExitOk;
  }
  // Logs go to stderr, always: stdout carries only the command's result (plan -o json | jq).
  berth::cli::SetUpLogging(o, watch->parsed());
  // watch logs each object's action (info) by default, the other commands print their own results.
  spdlog::set_level(o.verbose ? spdlog::level::debug : watch->parsed() ? spdlog::level::info : spdlog::level::warn);
  RaiseDescriptorLimit();
  if (show->parsed() && o.output == "text") o.output = "yaml";
  for (CLI::App* sub : app.get_subcommands())
    if (auto* opt = sub->get_option_no_throw("--platform"); opt && opt->count() > 0) o.platform_given = true;
  // A saved observation carries the platform and node it was taken on.
  if (!berth::cli::AdoptObservedContext(o, o.platform_given, o.node.has_value())) return berth::cli::kExitError;
  // Commands that act for one host keep that host's documents: --node, else this machine's name (as a kubelet
  // does). validate without --node checks every node's view.
  if (!validate->parsed() && !o.node) {
    char host[256] = {};
    if (::gethostname(host, sizeof host - 1) == 0 && host[0]) o.node = host;
  }

  if (validate->parsed()) return berth::cli::RunValidate(o);
  if (plan->parsed()) return berth::cli::RunPlan(o);
  if (graph->parsed()) return berth::cli::RunGraph(o);
  if (apply->parsed()) {
    if (!o.plan_file && o.files.empty()) {
      std::fprintf(stderr, "berth apply: give manifests with -f, or a saved plan FILE\n");
      return berth::cli::kExitError;
    }
    return berth::cli::RunApply(o);
  }
  if (destroy->parsed()) return berth::cli::RunDestroy(o);
  if (show->parsed()) return berth::cli::RunShow(o);
  if (watch->parsed()) return berth::cli::RunWatch(o);
  if (probe->parsed()) return berth::cli::RunProbe(o);
  if (wait->parsed()) return berth::cli::RunWait(o);
  return berth::cli::kExitError;
}
