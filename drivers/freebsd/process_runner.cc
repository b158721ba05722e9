// The real command runner: posix_spawn with pipes for stdin, stdout and stderr, argv only, tools from fixed
// paths. It compiles on any POSIX system; only FreeBSD has the tools.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>

#include "drivers/freebsd/command_runner.h"

extern char** environ;

namespace berth::drivers::freebsd {
namespace {

const std::map<std::string, std::string>& ToolPaths() {
  static const std::map<std::string, std::string> paths = {
      {"ifconfig", "/sbin/ifconfig"}, {"jail", "/usr/sbin/jail"},   {"jls", "/usr/sbin/jls"},
      {"jexec", "/usr/sbin/jexec"},   {"pfctl", "/sbin/pfctl"},     {"ipfw", "/sbin/ipfw"},
      {"sysctl", "/sbin/sysctl"},
  };
  return paths;
}

CommandResult Failure(const std::string& why) { return CommandResult{-1, "", why}; }

class ProcessRunner final : public CommandRunner {
 public:
  explicit ProcessRunner(int timeout_seconds) : timeout_(timeout_seconds) {}

  CommandResult Run(const std::vector<std::string>& argv, const std::string& input) override {
    if (argv.empty()) return Failure("empty command");
    auto tool = ToolPaths().find(argv[0]);
    if (tool == ToolPaths().end()) return Failure("berth does not run " + argv[0]);
    int in[2], out[2], err[2];
    if (::pipe(in) != 0) return Failure(std::strerror(errno));
    if (::pipe(out) != 0 || ::pipe(err) != 0) return Failure(std::strerror(errno));  // fds leak only on EMFILE

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err[1], 2);
    for (int fd : {in[0], in[1], out[0], out[1], err[0], err[1]}) posix_spawn_file_actions_addclose(&actions, fd);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    args[0] = const_cast<char*>(tool->second.c_str());
    pid_t pid = 0;
    int rc = posix_spawn(&pid, tool->second.c_str(), &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    for (int fd : {in[0], out[1], err[1]}) ::close(fd);
    if (rc != 0) {
      for (int fd : {in[1], out[0], err[0]}) ::close(fd);
      return Failure("cannot run " + tool->second + ": " + std::strerror(rc));
    }
    CommandResult result = Pump(pid, in[1], out[0], err[0], input);
    for (int fd : {out[0], err[0]}) ::close(fd);
    return result;
  }

 private:
  /// Feeds stdin and drains stdout and stderr together (a full pipe must never block the child), then reaps.
  CommandResult Pump(pid_t pid, int in, int out, int err, const std::string& input) {
    ::signal(SIGPIPE, SIG_IGN);  // a tool that exits without reading its stdin must not kill berth
    ::fcntl(in, F_SETFL, O_NONBLOCK);
    CommandResult result;
    size_t written = 0;
    if (input.empty()) ::close(in), in = -1;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_);
    bool timed_out = false;
    while (out >= 0 || err >= 0) {
      struct pollfd fds[3] = {{out, POLLIN, 0}, {err, POLLIN, 0}, {in, POLLOUT, 0}};
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) {
        timed_out = true;
        ::kill(pid, SIGKILL);
        break;
      }
      if (::poll(fds, 3, int(left.count())) < 0 && errno != EINTR) break;
      char buf[4096];
      for (int i = 0; i < 2; ++i) {
        if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
        if (n > 0) (i == 0 ? result.out : result.err).append(buf, size_t(n));
        else if (n == 0 || errno != EINTR) (i == 0 ? out : err) = -1;
      }
      if (in >= 0 && (fds[2].revents & (POLLOUT | POLLERR | POLLHUP))) {
        ssize_t n = ::write(in, input.data() + written, input.size() - written);
        if (n > 0) written += size_t(n);
        if (n < 0 && errno != EAGAIN && errno != EINTR) written = input.size();
        if (written == input.size()) ::close(in), in = -1;
      }
    }
    if (in >= 0) ::close(in);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (timed_out) return CommandResult{-1, result.out, "timed out after " + std::to_string(timeout_) + " s"};
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return result;
  }

  int timeout_;
};

}  // namespace

std::unique_ptr<CommandRunner> MakeProcessRunner(int timeout_seconds) {
  return std::make_unique<ProcessRunner>(timeout_seconds);
}

std::string FormatArgv(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) {
    if (!out.empty()) out += " ";
    bool quote = a.empty() || a.find_first_of(" \t\n'\"") != std::string::npos;
    out += quote ? "\"" + a + "\"" : a;
  }
  return out;
}

}  // namespace berth::drivers::freebsd
