// Metrics rendering and the tiny HTTP responder.
#include "cli/metrics.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sstream>

namespace berth::cli {

void WatchMetrics::ObservePass(const std::string& result, double seconds) {
  passes[result]++;
  last_result = result;
  duration_count++;
  duration_sum += seconds;
  for (size_t i = 0; i < duration_buckets.size(); ++i)
    if (seconds <= duration_buckets[i]) duration_counts[i]++;
}

int WatchMetrics::HealthCode() const { return manifests_valid && last_result == "converged" ? 200 : 503; }

std::string WatchMetrics::Render() const {
  std::ostringstream o;
  o << "# HELP berth_reconcile_total Reconcile passes by result.\n# TYPE berth_reconcile_total counter\n";
  for (const auto& [result, n] : passes) o << "berth_reconcile_total{result=\"" << result << "\"} " << n << "\n";
  o << "# HELP berth_reconcile_duration_seconds Duration of reconcile passes.\n"
       "# TYPE berth_reconcile_duration_seconds histogram\n";
  for (size_t i = 0; i < duration_buckets.size(); ++i)
    o << "berth_reconcile_duration_seconds_bucket{le=\"" << duration_buckets[i] << "\"} " << duration_counts[i] << "\n";
  o << "berth_reconcile_duration_seconds_bucket{le=\"+Inf\"} " << duration_count << "\n"
    << "berth_reconcile_duration_seconds_sum " << duration_sum << "\n"
    << "berth_reconcile_duration_seconds_count " << duration_count << "\n";
  o << "# HELP berth_drift_repairs_total Objects recreated or corrected without a manifest change.\n"
       "# TYPE berth_drift_repairs_total counter\nberth_drift_repairs_total " << repairs << "\n";
  o << "# HELP berth_leaks_collected_total Leaked owned objects removed.\n"
       "# TYPE berth_leaks_collected_total counter\nberth_leaks_collected_total " << collected << "\n";
  o << "# HELP berth_errors_total Step failures, conflicts and verification mismatches.\n"
       "# TYPE berth_errors_total counter\nberth_errors_total " << errors << "\n";
  o << "# HELP berth_last_success_timestamp_seconds When a pass last converged the host.\n"
       "# TYPE berth_last_success_timestamp_seconds gauge\nberth_last_success_timestamp_seconds "
    << static_cast<long long>(last_success_unix) << "\n";
  o << "# HELP berth_manifests_valid Whether the manifests on disk are valid (1) or the last good ones are in use (0).\n"
       "# TYPE berth_manifests_valid gauge\nberth_manifests_valid " << (manifests_valid ? 1 : 0) << "\n";
  o << "# HELP berth_owned_objects Objects berth owns on this host, by kind.\n# TYPE berth_owned_objects gauge\n";
  for (const auto& [kind, n] : owned_by_kind) o << "berth_owned_objects{kind=\"" << kind << "\"} " << n << "\n";
  o << "# HELP berth_vm_policy_drops_total Packets a VM's network policy dropped, by reason.\n"
       "# TYPE berth_vm_policy_drops_total counter\n";
  for (const auto& [vm, reasons] : policy_drops)
    for (const auto& [reason, n] : reasons)
      o << "berth_vm_policy_drops_total{vm=\"" << vm << "\",reason=\"" << reason << "\"} " << n << "\n";
  return o.str();
}

int ListenMetrics(const std::string& address, std::string& error) {
  size_t colon = address.rfind(':');
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  int port = colon == std::string::npos ? -1 : std::atoi(address.c_str() + colon + 1);
  if (port <= 0 || port > 65535 || inet_pton(AF_INET, address.substr(0, colon).c_str(), &addr.sin_addr) != 1) {
    error = "--metrics wants IPV4:PORT, e.g. 127.0.0.1:9464";
    return -1;
  }
  addr.sin_port = htons(static_cast<uint16_t>(port));
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 16) != 0) {
    error = "cannot listen on " + address + ": " + std::strerror(errno);
    if (fd >= 0) ::close(fd);
    return -1;
  }
  return fd;
}

void ServeOne(int listen_fd, const WatchMetrics& metrics, const std::string& status) {
  int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
  if (fd < 0) return;
  timeval timeout{0, 200'000};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  char buf[1024];
  ssize_t n = ::recv(fd, buf, sizeof buf - 1, 0);
  std::string request(buf, n > 0 ? size_t(n) : 0);
  std::string code = "200 OK", body;
  if (request.starts_with("GET /metrics")) body = metrics.Render();
  else if (request.starts_with("GET /healthz")) {
    const bool healthy = metrics.HealthCode() == 200;
    if (!healthy) code = "503 Service Unavailable";
    body = std::string(healthy ? "ok" : "unhealthy") + "\n" + status + "\n";
  }
  else code = "404 Not Found", body = "berth serves /metrics and /healthz\n";
  std::string response = "HTTP/1.0 " + code + "\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: " +
                         std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
  (void)!::send(fd, response.data(), response.size(), MSG_NOSIGNAL);
  ::close(fd);
}

}  // namespace berth::cli
