// The berth binary from tests: state directories, manifests, launcher view, sockets in namespaces.
#include "tests/integration/cli_env.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <thread>

namespace berth::itest {

#ifdef BERTH_BINARY
bool HaveBerth() { return ::access(BERTH_BINARY, X_OK) == 0; }
static const char* kBerth = BERTH_BINARY;
#else
bool HaveBerth() { return false; }
static const char* kBerth = "berth";
#endif

BerthCli::BerthCli() {
  char tmpl[] = "/tmp/berth-itest-XXXXXX";
  dir_ = ::mkdtemp(tmpl);
  manifests_ = dir_ + "/manifests";
  Sh("mkdir -p " + manifests_);
}

BerthCli::~BerthCli() { Sh("rm -rf " + dir_); }

CmdResult BerthCli::Run(const std::string& args) const {
  // Only the commands that change the host take the apply lock.
  const bool locks = args.starts_with("apply") || args.starts_with("destroy");
  // Tests run without a terminal: destroy needs its scripts' flag.
  return Sh(std::string(kBerth) + " " + args + " --state-dir " + dir_ + "/state" +
            (locks ? " --lock-dir " + dir_ + "/state --result-dir " + results() : "") +
            (args.starts_with("destroy") ? " --auto-approve" : ""));
}

nlohmann::json BerthCli::Vms() const {
  auto j = ShJson(std::string(kBerth) + " show -o json --state-dir " + dir_ + "/state");
  return j.is_object() && j.contains("vms") ? j["vms"] : nlohmann::json::object();
}

std::string BerthCli::WriteManifest(const std::string& name, const std::string& yaml) {
  std::ofstream(manifests_ + "/" + name) << yaml;
  return manifests_;
}

int SocketIn(const std::string& netns, int type) {
  int fd = -1;
  std::thread t([&] {
    int ns = ::open(("/run/netns/" + netns).c_str(), O_RDONLY | O_CLOEXEC);
    if (ns < 0) return;
    if (::setns(ns, CLONE_NEWNET) == 0) fd = ::socket(AF_INET, type | SOCK_CLOEXEC, 0);
    ::close(ns);
  });
  t.join();
  return fd;
}

}  // namespace berth::itest
