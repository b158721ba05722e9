// A stand-in for the Firecracker binary in the jailer test (linked -static: the chroot holds no libraries).
// It reports what Firecracker would run with — ids, supplementary groups, capabilities, no_new_privs, the
// files the jail must hold — and opens its TAP exactly as Firecracker does (TUNSETIFF with
// IFF_TAP|IFF_NO_PI|IFF_VNET_HDR, single queue, named by host_dev_name in the config), then holds it open
// until it is stopped. One line on stdout: "PROBE key=value ...".
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

namespace {

std::string Errno(int e) { return e == 0 ? "ok" : std::string("errno") + std::to_string(e); }

std::string HostDevName(const std::string& config) {
  const std::string key = "\"host_dev_name\"";
  size_t at = config.find(key);
  if (at == std::string::npos) return "";
  size_t open = config.find('"', config.find(':', at) + 1);
  size_t close = config.find('"', open + 1);
  return config.substr(open + 1, close - open - 1);
}

std::string CharDev(const char* path) {
  struct stat st {};
  if (::stat(path, &st) != 0) return Errno(errno);
  if (!S_ISCHR(st.st_mode)) return "notchr";
  return std::to_string(major(st.st_rdev)) + ":" + std::to_string(minor(st.st_rdev)) + ":" +
         std::to_string(st.st_uid) + ":" + std::to_string(st.st_gid);
}

}  // namespace

int main(int argc, char** argv) {
  std::string config_path;
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], "--config-file") == 0) config_path = argv[i + 1];
  std::ostringstream config_text;
  config_text << std::ifstream(config_path).rdbuf();
  const std::string tap = HostDevName(config_text.str());

  uid_t ru, eu, su;
  gid_t rg, eg, sg;
  ::getresuid(&ru, &eu, &su);
  ::getresgid(&rg, &eg, &sg);
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct caps[2]{};
  ::syscall(SYS_capget, &header, caps);
  char cwd[256] = "";
  (void)!::getcwd(cwd, sizeof cwd);

  int rootfs = ::open("/rootfs.ext4", O_RDWR | O_CLOEXEC);
  const std::string rootfs_rw = Errno(rootfs < 0 ? errno : 0);
  int kernel = ::open("/vmlinux", O_RDONLY | O_CLOEXEC);
  const std::string kernel_r = Errno(kernel < 0 ? errno : 0);

  std::string tap_result = "noconfig";
  int tun = -1;
  if (!tap.empty()) {
    tun = ::open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    if (tun < 0) {
      tap_result = "open-" + Errno(errno);
    } else {
      ifreq ifr{};
      std::strncpy(ifr.ifr_name, tap.c_str(), IFNAMSIZ - 1);
      ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
      tap_result = ::ioctl(tun, TUNSETIFF, &ifr) == 0 ? "ok" : "tunsetiff-" + Errno(errno);
    }
  }
  std::printf("PROBE uid=%u,%u,%u gid=%u,%u,%u groups=%d capeff=%x,%x capprm=%x,%x nnp=%d cwd=%s config=%s "
              "tap=%s:%s rootfs_rw=%s kernel_r=%s kvm=%s urandom=%s tun=%s\n",
              ru, eu, su, rg, eg, sg, ::getgroups(0, nullptr), caps[0].effective, caps[1].effective,
              caps[0].permitted, caps[1].permitted, ::prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), cwd,
              config_path.c_str(), tap.c_str(), tap_result.c_str(), rootfs_rw.c_str(), kernel_r.c_str(),
              CharDev("/dev/kvm").c_str(), CharDev("/dev/urandom").c_str(), CharDev("/dev/net/tun").c_str());
  std::fflush(stdout);
  for (;;) ::pause();  // hold the TAP like a running VM; berth's stop ends it
}
