// Files on the simulated host: realpath(1), stat(1) -f %HT, cat(1), tee(1) and ln(1) -s, over SimState's files, links and
// directories. Links are followed as namei(9) follows them: an absolute target starts again at the root of the
// process, which for a host process is the host's / — the reason berth checks a jail's tree before writing into
// it from the host.
#include <algorithm>

#include "drivers/freebsd/sim/sim_machine.h"

namespace berth::drivers::freebsd::sim {
namespace {

std::vector<std::string> Components(const std::string& path) {
  std::vector<std::string> out;
  size_t at = 0;
  while (at < path.size()) {
    size_t next = path.find('/', at);
    if (next == std::string::npos) next = path.size();
    if (next > at) out.push_back(path.substr(at, next - at));
    at = next + 1;
  }
  return out;
}

}  // namespace

std::optional<std::string> Machine::Resolve(const std::string& path, const std::string& root, bool follow_last) const {
  std::vector<std::string> todo = Components(path);
  std::reverse(todo.begin(), todo.end());
  std::string done;  // resolved so far, under root
  int hops = 0;
  while (!todo.empty()) {
    std::string part = todo.back();
    todo.pop_back();
    if (part == ".") continue;
    if (part == "..") {
      if (done.size() > 0) done.erase(done.rfind('/'));
      continue;
    }
    const std::string here = done + "/" + part;
    auto link = s_.links.find(root + here);
    if (link == s_.links.end() || (todo.empty() && !follow_last)) {
      done = here;
      continue;
    }
    if (++hops > 32) return std::nullopt;  // MAXSYMLINKS: ELOOP
    std::vector<std::string> target = Components(link->second);
    if (!link->second.starts_with("/")) {
      const std::vector<std::string> base = Components(done);
      target.insert(target.begin(), base.begin(), base.end());
    }
    for (auto it = target.rbegin(); it != target.rend(); ++it) todo.push_back(*it);
    done.clear();
  }
  return root + (done.empty() ? "/" : done);
}

bool Machine::Exists(const std::string& path) const {
  if (path == "/" || s_.files.count(path) || s_.dirs.count(path)) return true;
  const std::string prefix = path + "/";
  auto under = [&](const std::string& p) { return p.starts_with(prefix); };
  for (const auto& [p, content] : s_.files)
    if (under(p)) return true;
  for (const auto& [p, target] : s_.links)
    if (under(p)) return true;
  for (const auto& d : s_.dirs)
    if (under(d)) return true;
  // A jail's tree is where its operator put it: its path and its /etc exist (berth's docs ask for that).
  for (const auto& [jid, j] : s_.jails)
    if (path == j.path || path == j.path + "/etc" || under(j.path)) return true;
  return false;
}

CommandResult Machine::Files(const Args& a, const std::string& input, const std::string& root) {
  const std::string& tool = a[0];
  if (tool == "realpath") {
    // realpath(1): each argument resolved and printed; a failure is reported and makes the exit status 1.
    std::string out, err;
    for (size_t k = 1; k < a.size(); ++k) {
      auto r = Resolve(a[k], root);
      if (!r || !Exists(*r)) {
        err += "realpath: " + a[k] + ": " + (r ? "No such file or directory" : "Too many levels of symbolic links") + "\n";
        continue;
      }
      out += r->substr(root.size()).empty() ? "/\n" : r->substr(root.size()) + "\n";
    }
    return CommandResult{err.empty() ? 0 : 1, out, err};
  }
  if (tool == "stat" && a.size() == 4 && a[1] == "-f" && a[2] == "%HT") {
    // stat(1) uses lstat(2) unless -L: a link is reported as a link.
    auto parent = Resolve(a[3], root, /*follow_last=*/false);
    if (!parent) return Err("stat: " + a[3] + ": stat: Too many levels of symbolic links");
    if (s_.links.count(*parent)) return Ok("Symbolic Link\n");
    if (s_.files.count(*parent)) return Ok("Regular File\n");
    if (Exists(*parent)) return Ok("Directory\n");
    return Err("stat: " + a[3] + ": stat: No such file or directory");
  }
  if (tool == "cat" && a.size() == 2) {
    auto r = Resolve(a[1], root);
    if (!r || !s_.files.count(*r)) return Err("cat: " + a[1] + ": No such file or directory");
    return Ok(s_.files.at(*r));
  }
  if (tool == "tee" && a.size() == 2) {
    // tee(1) opens with O_CREAT|O_TRUNC and follows links, the last one included.
    auto r = Resolve(a[1], root);
    if (!r) return Err("tee: " + a[1] + ": Too many levels of symbolic links");
    const std::string dir = r->substr(0, r->rfind('/'));
    if (!Exists(dir.empty() ? "/" : dir)) return Err("tee: " + a[1] + ": No such file or directory");
    s_.files[*r] = input;
    return Ok(input);
  }
  if (tool == "ln" && a.size() == 4 && a[1] == "-s") {  // ln(1) -s TARGET LINK: for tests and the corpus
    auto r = Resolve(a[3], root, /*follow_last=*/false);
    if (!r) return Err("ln: " + a[3] + ": Too many levels of symbolic links");
    if (s_.files.count(*r) || s_.links.count(*r)) return Err("ln: " + a[3] + ": File exists");
    s_.links[*r] = a[2];
    return Ok();
  }
  return Err("sim: " + tool + ": unsupported arguments", 64);
}

}  // namespace berth::drivers::freebsd::sim
