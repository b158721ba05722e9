// Benchmark of berth watch on the real kernel (run inside tests/integration/sandbox.sh; see bench/RESULTS.md):
// latency from an external deletion of an owned TAP to its repair, from a manifest write to a new VM's TAP,
// and the watch's idle CPU. Usage: watch_latency BERTH_BINARY [N=400] [REPS=20] [IDLE_SECONDS=60]
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <sys/stat.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace {

using Clock = std::chrono::steady_clock;

std::string Vm(int i) {
  return "---\napiVersion: berth/v1\nkind: VM\nmetadata: {name: vm" + std::to_string(i) +
         "}\nspec:\n  network: {bridge: fcbr0, mode: outbound}\n";
}

/// True when `dev` exists in netns berth-NAME (checked from a thread that joins the namespace).
bool LinkIn(const std::string& ns, const char* dev) {
  int fd = ::open(("/run/netns/" + ns).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool found = false;
  std::thread t([&] {
    if (::setns(fd, CLONE_NEWNET) == 0) found = ::if_nametoindex(dev) != 0;
  });
  t.join();
  ::close(fd);
  return found;
}

double WaitFor(const std::string& ns, const char* dev, Clock::time_point since) {
  for (int i = 0; i < 200000 && !LinkIn(ns, dev); ++i) std::this_thread::sleep_for(std::chrono::microseconds(200));
  return std::chrono::duration<double, std::milli>(Clock::now() - since).count();
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

long CpuTicks(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(in, line);
  std::istringstream fields(line.substr(line.rfind(')') + 2));
  std::string f;
  long utime = 0, stime = 0;
  for (int i = 3; fields >> f; ++i) {
    if (i == 14) utime = std::stol(f);
    if (i == 15) {
      stime = std::stol(f);
      break;
    }
  }
  return utime + stime;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::getenv("BERTH_SANDBOX") == nullptr) {
    std::fprintf(stderr, "usage (inside tests/integration/sandbox.sh): watch_latency BERTH [N] [REPS] [IDLE_S]\n");
    return 2;
  }
  const std::string berth = argv[1];
  const int n = argc > 2 ? std::atoi(argv[2]) : 400, reps = argc > 3 ? std::atoi(argv[3]) : 20;
  const int idle_s = argc > 4 ? std::atoi(argv[4]) : 60;
  char tmpl[] = "/tmp/berth-bench-XXXXXX";
  const std::string dir = ::mkdtemp(tmpl);
  ::mkdir((dir + "/m").c_str(), 0755);
  {
    std::ofstream net(dir + "/m/network.yaml");
    net << "apiVersion: berth/v1\nkind: Bridge\nmetadata: {name: fcbr0}\nspec: {address: 10.168.0.1/16}\n---\n"
           "apiVersion: berth/v1\nkind: NAT\nmetadata: {name: out}\nspec: {source: {bridge: fcbr0}}\n";
    std::ofstream vms(dir + "/m/vms.yaml");
    for (int i = 1; i <= n; ++i) vms << Vm(i);
  }
  std::vector<std::string> args = {berth, "watch", "-f", dir + "/m", "--state-dir", dir + "/s", "--lock-dir", dir + "/s"};
  std::vector<char*> av;
  for (auto& a : args) av.push_back(a.data());
  av.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 2, (dir + "/watch.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid;
  if (posix_spawn(&pid, berth.c_str(), &fa, nullptr, av.data(), environ) != 0) return 1;
  auto t0 = Clock::now();
  double converge_ms = WaitFor("berth-vm" + std::to_string(n), "tap0", t0);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // let the first pass finish its tail

  std::vector<double> repair, add;
  for (int r = 0; r < reps; ++r) {
    const std::string ns = "berth-vm" + std::to_string(1 + (r * 37) % n);
    std::string cmd = "ip -n " + ns + " link del tap0";
    if (std::system(cmd.c_str()) != 0) return 1;
    repair.push_back(WaitFor(ns, "tap0", Clock::now()));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  for (int r = 0; r < reps; ++r) {
    const int id = n + 1 + r;
    std::string tmp = dir + "/m/.new.tmp", final = dir + "/m/new" + std::to_string(id) + ".yaml";
    std::ofstream(tmp) << Vm(id).substr(4);
    auto start = Clock::now();
    ::rename(tmp.c_str(), final.c_str());
    add.push_back(WaitFor("berth-vm" + std::to_string(id), "tap0", start));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  long before = CpuTicks(pid);
  std::this_thread::sleep_for(std::chrono::seconds(idle_s));
  long after = CpuTicks(pid);
  double idle_pct = 100.0 * double(after - before) / double(::sysconf(_SC_CLK_TCK)) / idle_s;

  ::kill(pid, SIGTERM);
  ::waitpid(pid, nullptr, 0);
  std::printf("N=%d reps=%d\n", n, reps);
  std::printf("first convergence of %d VMs: %.0f ms\n", n, converge_ms);
  std::printf("TAP deleted -> repaired: median %.1f ms (min %.1f, max %.1f)\n", Median(repair),
              *std::min_element(repair.begin(), repair.end()), *std::max_element(repair.begin(), repair.end()));
  std::printf("manifest written -> new VM's TAP: median %.1f ms (min %.1f, max %.1f)\n", Median(add),
              *std::min_element(add.begin(), add.end()), *std::max_element(add.begin(), add.end()));
  std::printf("idle CPU over %d s: %.2f %% of a core\n", idle_s, idle_pct);
  std::system(("rm -rf " + dir).c_str());
  return 0;
}
