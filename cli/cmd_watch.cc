// berth watch: the node controller. One epoll loop, no polling: inotify on the manifests, the driver's change
// feed, signals through a signalfd, one timerfd for the next deadline (debounce, backoff, resync, watchdog)
// and the metrics socket. Events only schedule a pass; every pass re-observes the host (level-triggered).
#ifdef __linux__
#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <poll.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <set>
#include <string>

#include "cli/inotify_tree.h"
#include "cli/metrics.h"
#ifdef BERTH_HAVE_LINUX_DRIVER
#include "drivers/linux/policy_drops.h"
#endif
#include "cli/options.h"
#include "cli/session.h"
#include "cli/watch_log.h"
#include "reconciler/controller.h"

#ifdef BERTH_HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

namespace berth::cli {
namespace {

/// The policy drop counters, read from the kernel at each scrape (cheap: two table listings).
void RefreshPolicyDrops(WatchMetrics& metrics) {
#ifdef BERTH_HAVE_LINUX_DRIVER
  if (auto drops = drivers::lnx::ReadPolicyDrops()) {
    metrics.policy_drops.clear();
    for (const auto& [vm, reasons] : *drops)
      for (const auto& [reason, n] : reasons) metrics.policy_drops[vm][reason] = n;
  }
#else
  (void)metrics;
#endif
}

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

void Notify(const std::string& state) {
#ifdef BERTH_HAVE_SYSTEMD
  sd_notify(0, state.c_str());
#else
  (void)state;
#endif
}

/// Arms the timerfd for an absolute steady-clock deadline (CLOCK_MONOTONIC is steady_clock's clock on Linux).
void Arm(int timer_fd, Clock::time_point at) {
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(at.time_since_epoch()).count();
  itimerspec spec{};
  spec.it_value.tv_sec = ns / 1'000'000'000;
  spec.it_value.tv_nsec = ns % 1'000'000'000;
  if (spec.it_value.tv_sec == 0 && spec.it_value.tv_nsec == 0) spec.it_value.tv_nsec = 1;
  ::timerfd_settime(timer_fd, TFD_TIMER_ABSTIME, &spec, nullptr);
}

class Watcher {
 public:
  explicit Watcher(const Options& o) : o_(o), session_(o), log_(o.log_format == "json") {}

  int Run();

 private:
  bool Setup();
  void ReloadManifests();
  void RunPass();
  /// `why` names the trigger in the pass's log line ("manifests", "host", "resync", ...).
  void Schedule(Clock::time_point at, const char* why) {
    triggers_.insert(why);
    if (!next_pass_ || at < *next_pass_) next_pass_ = at;
  }
  /// Polled before each driver batch starts: SIGTERM/SIGINT stop the pass after the work in flight.
  bool StopRequested() {
    pollfd p{signal_fd_, POLLIN, 0};
    while (::poll(&p, 1, 0) > 0) HandleSignal();
    return stopping_;
  }
  void HandleSignal();

  const Options& o_;
  Session session_;
  WatchLog log_;
  std::unique_ptr<reconciler::Controller> controller_;
  std::unique_ptr<reconciler::ChangeFeed> feed_;
  InotifyTree manifests_;
  model::ParseCache parse_cache_;
  WatchMetrics metrics_;
  std::string status_ = "starting";
  int epoll_fd_ = -1, signal_fd_ = -1, timer_fd_ = -1, metrics_fd_ = -1;
  bool stopping_ = false, manifests_dirty_ = true;
  bool read_everything_ = true;          // the next pass reads the whole host (start, resync, SIGHUP, errors)
  reconciler::HostChanges host_changes_;  // where the feed saw changes since the last pass
  std::optional<Clock::time_point> next_pass_;
  std::set<std::string> triggers_;  // why the next pass runs
  Clock::time_point resync_at_;
};

void Watcher::HandleSignal() {
  signalfd_siginfo info{};
  while (::read(signal_fd_, &info, sizeof info) == sizeof info) {
    if (info.ssi_signo == SIGHUP) {
      log_.Write("info", "SIGHUP: re-reading the manifests and the host");
      manifests_dirty_ = true;
      read_everything_ = true;
      Schedule(Clock::now(), "SIGHUP");
    } else {
      if (!stopping_) log_.Write("info", "stopping: finishing the work in flight", {{"signal", strsignal(int(info.ssi_signo))}});
      stopping_ = true;
    }
  }
}

bool Watcher::Setup() {
  if (!session_.driver()) {
    log_.Write("error", "no " + o_.platform + " driver on this machine; watch runs on the node itself");
    return false;
  }
  reconciler::ControllerOptions options;
  options.guard = {o_.max_delete_share, o_.allow_mass_delete};
  options.gc_grace = milliseconds(static_cast<long>(o_.gc_grace_seconds * 1000));
  options.parallelism = o_.parallelism;
  if (!o_.result_dir.empty()) options.launch_records = reconciler::LaunchRecordOptions{o_.result_dir, o_.netns_dir};
  controller_ = std::make_unique<reconciler::Controller>(session_.platform(), *session_.driver(), session_.state_dir(), options);

  sigset_t mask;
  sigemptyset(&mask);
  for (int s : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&mask, s);
  ::sigprocmask(SIG_BLOCK, &mask, nullptr);
  signal_fd_ = ::signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
  timer_fd_ = ::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (!manifests_.Init(o_.files)) log_.Write("warn", "inotify unavailable: manifest changes are seen at resync only");
  feed_ = session_.MakeChangeFeed();
  if (!feed_) log_.Write("warn", "no host change feed: drift is repaired at resync only");
  if (o_.metrics_address) {
    std::string error;
    metrics_fd_ = ListenMetrics(*o_.metrics_address, error);
    if (metrics_fd_ < 0) {
      log_.Write("error", error);
      return false;
    }
  }
  for (int fd : {signal_fd_, timer_fd_, manifests_.fd(), feed_ ? feed_->fd() : -1, metrics_fd_}) {
    if (fd < 0) continue;
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev);
  }
  return signal_fd_ >= 0 && timer_fd_ >= 0 && epoll_fd_ >= 0;
}

void Watcher::ReloadManifests() {
  manifests_dirty_ = false;
  model::LoadOptions options;
  options.node = o_.node;
  options.platform = o_.platform;
  options.allow_unsafe_paths = o_.allow_unsafe_manifests;
  options.cache = &parse_cache_;  // a change to one file parses that file again, not the whole directory
  auto loaded = model::LoadManifests(o_.files, options);
  if (model::HasErrors(loaded.diagnostics)) {
    for (const auto& d : loaded.diagnostics) log_.Write("error", d.ToString());
    metrics_.manifests_valid = false;
    metrics_.passes["invalid"]++;
    status_ = "manifests invalid (" + std::to_string(loaded.diagnostics.size()) + " errors); keeping the last good ones";
    log_.Write("warn", status_);
    return;
  }
  metrics_.manifests_valid = true;
  controller_->SetManifest(std::move(loaded.manifest));
  log_.Write("info", "manifests loaded", {{"files", loaded.files.size()}});
}

void Watcher::RunPass() {
  next_pass_.reset();
  if (manifests_dirty_) ReloadManifests();
  if (!controller_->has_manifest()) return;
  auto lock = reconciler::ApplyLock::Acquire(o_.lock_dir, "pid " + std::to_string(::getpid()) + " berth watch");
  if (!lock) {  // a berth apply is running: try again shortly
    Schedule(Clock::now() + milliseconds(100), "lock busy");
    return;
  }
  std::string trigger;
  for (const auto& t : triggers_) trigger += (trigger.empty() ? "" : ",") + t;
  triggers_.clear();
  auto started = Clock::now();
  std::optional<reconciler::HostChanges> changes;
  if (!read_everything_) changes = std::move(host_changes_);
  read_everything_ = false;
  host_changes_ = {};
  reconciler::PassReport r =
      controller_->Pass(reconciler::PassClock::Now(), [this] { return StopRequested(); }, changes);
  double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  // Events caused by this pass are not drained here: one may hide someone else's change made meanwhile. They
  // cost one more pass, which finds nothing to do.
  std::string result = !r.observed ? "error" : r.refusal ? "refused" : r.converged ? "converged" : "partial";
  metrics_.ObservePass(result, seconds);
  metrics_.repairs += r.repairs;
  metrics_.collected += r.collected;
  metrics_.errors += long(r.errors.size());
  if (r.observed) metrics_.owned_by_kind = r.owned_by_kind;
  if (r.converged) metrics_.last_success_unix = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  for (const auto& e : r.errors) log_.Write("error", e);
  if (r.refusal) log_.Write("warn", "not applied: " + *r.refusal);
  status_ = result + ": " + std::to_string(r.applied) + " applied, " + std::to_string(r.failed) + " failed, " +
            std::to_string(r.deferred) + " deferred";
  if (!metrics_.manifests_valid) status_ = "manifests invalid, the last good ones in force; " + status_;
  if (r.applied || r.failed || r.refusal || !r.converged)
    log_.Write("info", "pass " + result,
               {{"applied", r.applied}, {"failed", r.failed}, {"deferred", r.deferred}, {"repairs", r.repairs},
                {"collected", r.collected}, {"ms", int(seconds * 1000)}, {"trigger", trigger}});
  Notify("STATUS=" + status_);
  if (r.retry_at) Schedule(*r.retry_at, "retry");
  if (!r.observed) {
    read_everything_ = true;
    Schedule(Clock::now() + std::chrono::seconds(5), "observe failed");
  }
}

int Watcher::Run() {
  if (!Setup()) return kExitError;
  const auto resync = milliseconds(static_cast<long>(o_.resync_seconds * 1000));
  const auto debounce = milliseconds(static_cast<long>(o_.debounce_ms));
  uint64_t watchdog_usec = 0;
#ifdef BERTH_HAVE_SYSTEMD
  if (sd_watchdog_enabled(0, &watchdog_usec) <= 0) watchdog_usec = 0;
#endif
  Clock::time_point watchdog_at = Clock::now();
  Schedule(Clock::now(), "start");
  resync_at_ = Clock::now() + resync;
  bool ready = false;
  log_.Write("info", "watching", {{"resync_s", o_.resync_seconds}});
  while (!stopping_) {
    Clock::time_point deadline = std::min(next_pass_.value_or(resync_at_), resync_at_);
    if (watchdog_usec) deadline = std::min(deadline, watchdog_at);
    Arm(timer_fd_, deadline);
    epoll_event events[8];
    int n = ::epoll_wait(epoll_fd_, events, 8, -1);
    for (int i = 0; i < n; ++i) {
      int fd = events[i].data.fd;
      if (fd == signal_fd_) HandleSignal();
      else if (fd == timer_fd_) { uint64_t expirations; (void)!::read(timer_fd_, &expirations, sizeof expirations); }
      else if (fd == manifests_.fd()) { if (manifests_.Drain()) { manifests_dirty_ = true; Schedule(Clock::now() + debounce, "manifests"); } }
      else if (feed_ && fd == feed_->fd()) {
        auto changes = feed_->Drain();
        host_changes_.Merge(changes);
        if (changes.any) Schedule(Clock::now() + debounce, "host");
      }
      else if (fd == metrics_fd_) {
        if (o_.platform == "linux" && o_.driver.empty()) RefreshPolicyDrops(metrics_);
        ServeOne(metrics_fd_, metrics_, status_);
      }
    }
    auto now = Clock::now();
    if (watchdog_usec && now >= watchdog_at) {
      Notify("WATCHDOG=1");
      watchdog_at = now + std::chrono::microseconds(watchdog_usec / 2);
    }
    if (now >= resync_at_) {  // the safety net: re-read everything
      manifests_dirty_ = true;
      read_everything_ = true;
      resync_at_ = now + resync;
      Schedule(now, "resync");
    }
    if (!stopping_ && next_pass_ && now >= *next_pass_) {
      RunPass();
      if (!ready) {
        Notify("READY=1");
        ready = true;
      }
    }
  }
  Notify("STOPPING=1");
  log_.Write("info", "stopped");
  return kExitOk;
}

}  // namespace

int RunWatch(const Options& o) {
  // Blocked before anything can start a thread: a thread that does not block SIGTERM would take it with the
  // default action (death, exit 143) instead of the signalfd's graceful stop.
  sigset_t mask;
  sigemptyset(&mask);
  for (int s : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&mask, s);
  ::pthread_sigmask(SIG_BLOCK, &mask, nullptr);
  return Watcher(o).Run();
}

}  // namespace berth::cli

#else  // The loop is built on epoll, inotify, signalfd and timerfd; a kqueue port is future work.
#include <iostream>

#include "cli/options.h"

namespace berth::cli {
int RunWatch(const Options&) {
  std::cerr << "berth: watch runs on Linux hosts only for now; use berth apply (e.g. from cron) elsewhere\n";
  return kExitError;
}
}  // namespace berth::cli
#endif
