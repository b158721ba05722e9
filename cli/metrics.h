// Prometheus text exposition of the watch loop's metrics, and a minimal HTTP/1.0 responder for /metrics and
// /healthz on a loopback address (served from the watch loop's own epoll set: no threads).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace berth::cli {

struct WatchMetrics {
  std::map<std::string, long> passes;  // by result: converged, partial, refused, invalid, error
  std::vector<double> duration_buckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  std::vector<long> duration_counts = std::vector<long>(11, 0);
  long duration_count = 0;
  double duration_sum = 0;
  long repairs = 0, collected = 0, errors = 0;
  double last_success_unix = 0;
  bool manifests_valid = false;
  std::map<std::string, int> owned_by_kind;
  /// VM -> reason (spoof, host, peers, egress) -> packets its network policy dropped; read at each scrape.
  std::map<std::string, std::map<std::string, unsigned long long>> policy_drops;

  std::string last_result;  // the last pass's result; empty before the first

  void ObservePass(const std::string& result, double seconds);
  /// /healthz: 200 when the manifests on disk are valid and the last pass converged the host; 503 before the
  /// first pass, while the manifests are invalid, and after a partial, refused or failed pass.
  int HealthCode() const;
  std::string Render() const;
};

/// A listening TCP socket for "HOST:PORT". Returns -1 and sets `error` when the address is unusable.
int ListenMetrics(const std::string& address, std::string& error);
/// Accepts one connection on `listen_fd`, reads its request line and answers it. Never blocks for long: the
/// connection gets a short receive timeout.
void ServeOne(int listen_fd, const WatchMetrics& metrics, const std::string& status);

}  // namespace berth::cli
