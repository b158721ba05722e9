// Terraform-style plan text. Changes are grouped by manifest resource (collections by the tag that marked
// them), in key order inside a group, so equal plans print identically.
#include <algorithm>
#include <cctype>
#include <map>
#include <sstream>

#include "reconciler/render.h"
#include "reconciler/text_change.h"

namespace berth::reconciler {
namespace {

struct Style {
  const char* sign;
  const char* color;
  const char* verb;
};

Style StyleOf(ChangeAction a) {
  switch (a) {
    case ChangeAction::kCreate: return {"+", "\033[32m", "create"};
    case ChangeAction::kUpdate: return {"~", "\033[33m", "update in place"};
    case ChangeAction::kReplace: return {"-/+", "\033[35m", "replace"};
    case ChangeAction::kDelete: return {"-", "\033[31m", "delete"};
    case ChangeAction::kCollect: return {"-", "\033[31m", "collect (garbage)"};
    case ChangeAction::kConflict: return {"!", "\033[1;31m", "conflict"};
    case ChangeAction::kNoOp: return {" ", "", "unchanged"};
  }
  return {"?", "", "?"};
}

std::string Indent(const std::string& text, const std::string& prefix) {
  std::string out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out += prefix + line + "\n";
  return out;
}

std::string Value(const Resource* r, const std::string& field) {
  if (!r) return "(none)";
  const std::string* v = r->Attr(field);
  if (!v) return "(unset)";
  if (IsShortValue(*v)) return *v;
  const auto lines = std::count(v->begin(), v->end(), '\n') + 1;
  return "<" + std::to_string(lines) + (lines == 1 ? " line>" : " lines>");
}

/// A key as people read it. A file is named by its path, which after "kind:scope/" would read as a URL
/// ("file://etc/netns/..."): those show as "file /etc/netns/berth-vm1/resolv.conf", or "file web:/etc/resolv.conf"
/// inside a scope (a jail). Saved plans and logs keep ResourceKey::ToString.
std::string Shown(const ResourceKey& key) {
  if (!key.name.starts_with('/')) return key.ToString();
  return key.kind + " " + (key.scope.empty() ? "" : key.scope + ":") + key.name;
}

/// An argument as a shell would need it, for reading only: berth never runs a shell. "<N>" stays readable.
std::string ShellWord(const std::string& arg) {
  bool plain = !arg.empty();
  for (char ch : arg) {
    const bool safe = std::isalnum(static_cast<unsigned char>(ch)) || std::string_view("_./:=,@%+-<>").find(ch) !=
                                                                        std::string_view::npos;
    plain = plain && safe;
  }
  if (plain) return arg;
  std::string out = "'";
  for (char ch : arg) out += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
  return out + "'";
}

/// Every step's commands in execution order: "  # 3 create iface:/bj..a" then "  $ ifconfig ...", with a
/// command's stdin as a here-document.
void RenderCommands(const Plan& plan, std::ostringstream& out) {
  bool any = false;
  for (const Step& step : plan.steps) any = any || !step.commands.empty();
  if (!any) return;
  out << "Commands, in the order apply runs them (steps with no path between them may run in parallel):\n";
  for (const Step& step : plan.steps) {
    out << "  # " << step.id << " " << ToString(step.op) << " " << Shown(step.key());
    if (!step.provenance.origin().empty()) out << "  [" << step.provenance.origin() << "]";
    out << "\n";
    if (step.commands.empty()) out << "  (nothing to run)\n";
    for (const StepCommand& cmd : step.commands) {
      out << "  $";
      for (const auto& arg : cmd.argv) out << " " << ShellWord(arg);
      if (cmd.input.empty()) {
        out << "\n";
        continue;
      }
      out << " <<'EOF'\n" << Indent(cmd.input, "    ") << "    EOF\n";
    }
  }
  out << "\n";
}

void RenderChange(const Change& c, const RenderOptions& o, std::ostringstream& out) {
  const Style s = StyleOf(c.action);
  const char* on = o.color ? s.color : "";
  const char* off = o.color && *s.color ? "\033[0m" : "";
  if (c.removed_with && (c.action == ChangeAction::kDelete || c.action == ChangeAction::kCollect)) {
    // No step of its own: say what takes it, not why again.
    out << "  " << on << s.sign << " " << Shown(c.key()) << off << "  (goes with " << Shown(*c.removed_with)
        << ")\n";
    return;
  }
  out << "  " << on << s.sign << " " << Shown(c.key()) << off << "  (" << s.verb;
  if (!c.reason.empty()) out << ": " << c.reason;
  out << ")\n";
  if (c.action == ChangeAction::kCreate && c.after) {
    for (const auto& [k, v] : c.after->attrs) {
      if (v.find('\n') == std::string::npos) out << "      " << k << " = " << v << "\n";
      else out << "      " << k << " =\n" << Indent(v, "          ");
    }
  } else if (c.action == ChangeAction::kUpdate || c.action == ChangeAction::kReplace) {
    for (const auto& f : c.fields) {
      out << "      " << f << ": " << Value(c.before ? &*c.before : nullptr, f) << " -> "
          << Value(c.after ? &*c.after : nullptr, f) << "\n";
      const std::string before = c.before ? c.before->AttrOr(f) : "", after = c.after ? c.after->AttrOr(f) : "";
      if (!IsShortValue(before) || !IsShortValue(after))
        for (const std::string& line : DescribeTextChange(before, after)) out << "        " << line << "\n";
    }
  }
}

// The addresses a workload is allocated ("10.168.0.2/24", or "vnet0 10.11.0.2/16" per jail interface): the
// guest's address has no other place in a plan, and a launcher boots with it.
std::string AllocatedAddresses(const Plan& plan, const std::string& origin) {
  std::string out;
  const auto& by_interface = plan.allocations.by_interface;
  for (auto it = by_interface.lower_bound(origin); it != by_interface.end(); ++it) {
    const bool whole = it->first == origin;
    if (!whole && !it->first.starts_with(origin + "/")) break;
    out += (out.empty() ? "" : ", ") + (whole ? "" : it->first.substr(origin.size() + 1) + " ") +
           it->second.address.ToString();
    for (const model::Route& r : it->second.routes) out += ", route " + r.to.ToString() + " via " + r.via.ToString();
  }
  return out;
}

std::string RoutesText(const std::vector<model::Route>& routes) {
  std::string out;
  for (const model::Route& r : routes) out += (out.empty() ? "" : ", ") + r.to.ToString() + " via " + r.via.ToString();
  return out.empty() ? "none" : out;
}

/// "~ VM/vm1 routes for its guest: A via B -> C via D": a change of routes has no step (the guest holds them).
void RenderGuestRoutes(const Plan& plan, const Allocations& recorded, std::ostringstream& out) {
  for (const auto& [id, a] : plan.allocations.by_interface) {
    auto was = recorded.by_interface.find(id);
    const std::vector<model::Route> before = was == recorded.by_interface.end() ? std::vector<model::Route>{} : was->second.routes;
    if (before == a.routes || was == recorded.by_interface.end()) continue;  // a new VM's routes are in its heading
    out << "~ " << id << " routes for its guest: " << RoutesText(before) << " -> " << RoutesText(a.routes)
        << "\n  (nothing changes on the host; apply records them and rewrites the VM's result file)\n\n";
  }
}

std::string GroupTitle(const Change& c, const Plan& plan, bool destroy) {
  if (destroy && !c.after) return c.origin().empty() ? "owned by berth (destroy)" : c.origin() + " (destroy)";
  if (c.action == ChangeAction::kCollect) return "garbage collection";
  std::string origin = c.origin();
  if (origin.empty()) return "owned by berth";
  std::string title = origin;
  if (c.after && c.after->provenance.span().known()) title += " (" + c.after->provenance.span().ToString() + ")";
  else if (!c.after) title += " (removed from the manifests)";
  if (c.after)
    if (std::string addresses = AllocatedAddresses(plan, origin); !addresses.empty()) title += ", address " + addresses;
  return title;
}

}  // namespace

std::string RenderSummary(const Plan& plan) {
  std::map<ChangeAction, int> n;
  for (const auto& c : plan.changes.changes) n[c.action]++;
  if (plan.steps.empty() && plan.changes.conflicts.empty()) return "No changes. The host matches the manifests.";
  std::ostringstream out;
  out << "Plan: " << n[ChangeAction::kCreate] << " to create, " << n[ChangeAction::kUpdate] << " to update, "
      << n[ChangeAction::kReplace] << " to replace, " << n[ChangeAction::kDelete] << " to delete, "
      << n[ChangeAction::kCollect] << " to collect";
  if (!plan.changes.conflicts.empty()) out << ", " << plan.changes.conflicts.size() << " conflict(s)";
  out << ".";
  return out.str();
}

std::string RenderApplied(const Plan& plan, int done, int failed, int skipped) {
  int changes = 0;  // what RenderSummary counts: every action but no-ops and conflicts
  for (const auto& c : plan.changes.changes)
    changes += c.action != ChangeAction::kNoOp && c.action != ChangeAction::kConflict;
  return "Applied: " + std::to_string(changes) + " change(s) in " + std::to_string(plan.steps.size()) + " step(s): " +
         std::to_string(done) + " done, " + std::to_string(failed) + " failed, " + std::to_string(skipped) + " skipped.";
}

std::string RenderPlanText(const Plan& plan, const RenderOptions& options) {
  std::map<std::string, std::vector<const Change*>> groups;
  for (const auto& c : plan.changes.changes)
    if (c.action != ChangeAction::kNoOp) groups[GroupTitle(c, plan, options.destroy)].push_back(&c);

  std::ostringstream out;
  for (const auto& [title, changes] : groups) {
    out << "# " << title << "\n";
    for (const Change* c : changes) RenderChange(*c, options, out);
    out << "\n";
  }
  if (options.recorded) RenderGuestRoutes(plan, *options.recorded, out);
  if (options.show_commands) RenderCommands(plan, out);
  for (const auto& c : plan.changes.conflicts) {
    out << (options.color ? "\033[1;31m" : "") << "Conflict" << (options.color ? "\033[0m" : "") << ": " << c.message;
    if (c.provenance.span().known()) out << " [" << c.provenance.origin() << " at " << c.provenance.span().ToString() << "]";
    out << "\n";
  }
  for (const auto& w : plan.changes.warnings) out << "Warning: " << w.message << "\n";
  for (const auto& w : plan.changes.widens) {
    out << (options.color ? "\033[1;33m" : "") << "! " << w.workload << " reach:" << (options.color ? "\033[0m" : "");
    for (const auto& item : w.items) out << " " << item;
    out << "\n";
  }
  if (plan.refusal) out << "Refused: " << *plan.refusal << "\n";
  if (options.destroy && plan.steps.empty() && plan.changes.conflicts.empty())
    out << "Nothing to destroy: berth owns nothing on this host.\n";
  else
    out << RenderSummary(plan) << "\n";
  return out.str();
}

std::string RenderPlanDot(const Plan& plan) {
  std::ostringstream out;
  out << "digraph berth_plan {\n  rankdir=LR;\n  node [shape=box, fontname=monospace];\n";
  for (const auto& s : plan.steps)
    out << "  s" << s.id << " [label=\"" << ToString(s.op) << " " << Shown(s.key()) << "\"];\n";
  for (const auto& s : plan.steps)
    for (int dep : s.depends_on) out << "  s" << dep << " -> s" << s.id << ";\n";
  out << "}\n";
  return out.str();
}

}  // namespace berth::reconciler
