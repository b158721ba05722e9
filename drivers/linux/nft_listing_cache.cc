// The ruleset stamp by hand on a raw NETLINK_NETFILTER socket (NFT_MSG_GETGEN, SO_NETNS_COOKIE) and the stored
// listings as JSON. Anything unexpected (no reply, a torn or edited file) means listing again, never reusing.
#include "drivers/linux/nft_listing_cache.h"

#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <arpa/inet.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <vector>

#include "drivers/linux/os_util.h"

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

namespace berth::drivers::lnx {
namespace {

constexpr int kFormat = 2;
constexpr off_t kMaxBytes = off_t{256} << 20;

std::string ReadBootIdOnce() {
  std::ifstream in("/proc/sys/kernel/random/boot_id");
  std::string id;
  std::getline(in, id);
  return id;
}

// NFTA_GEN_ID of a NEWGEN message, if it has one.
std::optional<uint32_t> GenerationOf(const nlmsghdr* h) {
  const size_t fixed = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(nfgenmsg));
  if (h->nlmsg_len < fixed) return std::nullopt;
  const auto* base = reinterpret_cast<const uint8_t*>(h);
  size_t off = fixed;
  while (off + NLA_HDRLEN <= h->nlmsg_len) {
    const auto* a = reinterpret_cast<const nlattr*>(base + off);
    if (a->nla_len < NLA_HDRLEN || off + a->nla_len > h->nlmsg_len) return std::nullopt;
    if ((a->nla_type & NLA_TYPE_MASK) == NFTA_GEN_ID && a->nla_len == NLA_HDRLEN + 4) {
      uint32_t be = 0;
      std::memcpy(&be, base + off + NLA_HDRLEN, 4);
      return ntohl(be);
    }
    off += NLA_ALIGN(a->nla_len);
  }
  return std::nullopt;
}

}  // namespace

RulesetProbe::RulesetProbe()
    : fd_(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER)), boot_id_(ReadBootIdOnce()) {
  if (fd_ < 0) return;
  // A kernel that never answers must not hang observation: the stamp is then unknown.
  timeval tv{2, 0};
  (void)::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  socklen_t len = sizeof cookie_;
  if (::getsockopt(fd_, SOL_SOCKET, SO_NETNS_COOKIE, &cookie_, &len) != 0 || len != sizeof cookie_) cookie_ = 0;
}

RulesetProbe::~RulesetProbe() {
  if (fd_ >= 0) ::close(fd_);
}

std::optional<RulesetStamp> RulesetProbe::Stamp() {
  if (fd_ < 0 || cookie_ == 0 || boot_id_.empty()) return std::nullopt;
  std::vector<uint8_t> m(NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(nfgenmsg)), 0);
  auto* h = reinterpret_cast<nlmsghdr*>(m.data());
  h->nlmsg_len = static_cast<uint32_t>(m.size());
  h->nlmsg_type = static_cast<uint16_t>((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETGEN);
  h->nlmsg_flags = NLM_F_REQUEST;
  h->nlmsg_seq = ++seq_;
  auto* g = reinterpret_cast<nfgenmsg*>(m.data() + NLMSG_HDRLEN);
  g->nfgen_family = AF_UNSPEC;
  g->version = NFNETLINK_V0;
  if (::send(fd_, m.data(), m.size(), 0) < 0) return std::nullopt;
  std::vector<uint8_t> buf(1 << 13);
  for (;;) {
    ssize_t n = ::recv(fd_, buf.data(), buf.size(), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return std::nullopt;  // timed out or failed: unknown
    for (auto* r = reinterpret_cast<nlmsghdr*>(buf.data()); NLMSG_OK(r, static_cast<unsigned>(n));
         r = NLMSG_NEXT(r, n)) {
      if (r->nlmsg_seq != seq_) continue;  // a late answer to an earlier, timed-out request
      if (r->nlmsg_type == NLMSG_ERROR) return std::nullopt;
      if (r->nlmsg_type != ((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWGEN)) continue;
      auto gen = GenerationOf(r);
      if (!gen) return std::nullopt;
      return RulesetStamp{boot_id_, cookie_, *gen};
    }
  }
}

// The file: one line of JSON (the stamp, each table's length in bytes or null, the foreign chains), then the
// tables' text as listed, one after the other in the header's order. Raw text, not JSON strings: reading it
// back is a copy, where parsing the escaped text of a thousand VMs' rules cost as much as the plan.
std::optional<TableListings> LoadTableListings(const std::string& path) {
  // Ten thousand VMs list in some 20 MiB; anything far larger is not a file berth wrote.
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > kMaxBytes) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string header;
  if (!std::getline(in, header)) return std::nullopt;
  const std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto j = nlohmann::json::parse(header, nullptr, false);
  if (!j.is_object() || j.value("format", 0) != kFormat) return std::nullopt;
  const auto& boot = j.value("boot_id", nlohmann::json());
  const auto& cookie = j.value("netns_cookie", nlohmann::json());
  const auto& gen = j.value("generation", nlohmann::json());
  const auto& tables = j.value("tables", nlohmann::json());
  if (!boot.is_string() || !cookie.is_number_unsigned() || !gen.is_number_unsigned() || !tables.is_object())
    return std::nullopt;
  TableListings t;
  t.stamp.boot_id = boot.get<std::string>();
  t.stamp.netns_cookie = cookie.get<uint64_t>();
  const uint64_t g = gen.get<uint64_t>();
  if (g > UINT32_MAX) return std::nullopt;
  t.stamp.generation = static_cast<uint32_t>(g);
  size_t at = 0;
  for (const auto& [family, length] : tables.items()) {
    if (length.is_null()) {
      t.by_family[family] = std::nullopt;
      continue;
    }
    if (!length.is_number_unsigned() || length.get<uint64_t>() > body.size() - at) return std::nullopt;
    const size_t n = length.get<size_t>();
    t.by_family[family] = body.substr(at, n);
    at += n;
  }
  if (at != body.size()) return std::nullopt;  // torn, or more than the header announces
  if (j.contains("foreign_drop_chains")) {
    const auto& chains = j["foreign_drop_chains"];
    if (!chains.is_array()) return std::nullopt;
    std::vector<std::string> found;
    for (const auto& c : chains) {
      if (!c.is_string()) return std::nullopt;
      found.push_back(c.get<std::string>());
    }
    t.foreign_drop_chains = std::move(found);
  }
  return t;
}

void StoreTableListings(const std::string& path, const TableListings& listings) {
  nlohmann::json tables = nlohmann::json::object();
  std::string body;
  for (const auto& [family, text] : listings.by_family) {  // sorted, as the header's object is
    tables[family] = text ? nlohmann::json(text->size()) : nlohmann::json(nullptr);
    if (text) body += *text;
  }
  nlohmann::json j = {{"format", kFormat},
                      {"boot_id", listings.stamp.boot_id},
                      {"netns_cookie", listings.stamp.netns_cookie},
                      {"generation", listings.stamp.generation},
                      {"tables", tables}};
  if (listings.foreign_drop_chains) j["foreign_drop_chains"] = *listings.foreign_drop_chains;
  std::string text;
  try {
    text = j.dump();  // strict: a name that is not UTF-8 would not come back the same, so it is not stored
  } catch (const nlohmann::json::exception&) {
    return;
  }
  text += "\n" + body;
  // A name of this process's own: processes in other namespaces may store at the same time. No fsync: a cache
  // torn by a crash fails to parse (and a new boot has another boot id anyway).
  const std::string tmp = path + "." + std::to_string(::getpid()) + ".tmp";
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (fd.get() < 0) return;
  const bool written = ::write(fd.get(), text.data(), text.size()) == ssize_t(text.size());
  if (!written || ::rename(tmp.c_str(), path.c_str()) != 0) (void)::unlink(tmp.c_str());
}

}  // namespace berth::drivers::lnx
