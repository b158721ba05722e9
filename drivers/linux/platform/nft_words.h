// The words of berth's nftables rule text (nft_rule_spec.cc, nft_concat.cc): each class checked in the one
// spelling nft lists. Canonical forms are checked by hand rather than by printing a parsed value back: this
// runs for every address of every desired rule at plan time, so nothing here allocates. Pure.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace berth::reconciler::linux_res::nft_words {

/// A decimal number without a leading zero, at most `max` (five digits at most); its value in `out`.
bool Decimal(std::string_view w, unsigned max, unsigned& out);
/// A decimal number without a leading zero within [min, max] (at most 19 digits): packet rates and bursts.
bool IsCount(std::string_view w, uint64_t min, uint64_t max);
/// Canonical dotted quad ("10.0.0.1", no leading zeros); its value in `out`.
bool Ipv4Value(std::string_view w, uint32_t& out);
bool IsIpv4(std::string_view w);
/// A network in canonical form: "10.0.0.0/8" (host bits zero).
bool IsCidr(std::string_view w);
/// "\"eth0\"": a quoted interface name of at most 15 characters.
bool IsQuotedIfname(std::string_view w);
/// 1..65535 without a leading zero.
bool IsPort(std::string_view w);
/// A port or "LOW-HIGH".
bool IsPortRange(std::string_view w);
/// "aa:bb:cc:dd:ee:ff" in lower case, as nft lists it.
bool IsMac(std::string_view w);
/// "{ tcp, udp }", "{ tcp, udp, sctp }", ...: two or three transport protocols, ascending by number.
bool IsProtocolList(std::string_view w);

/// Words of a rule, at most kMaxWords; a list "{ ip, arp }" stays one word so a set is matched whole.
/// A fixed array, not a vector: every rule of every desired group is checked at plan time (250,000 at 10,000
/// VMs), so the check allocates nothing.
inline constexpr size_t kMaxWords = 40;
struct WordList {
  std::array<std::string_view, kMaxWords> words;
  size_t size = 0;
  bool overflow = false;
};
WordList Words(std::string_view text);

}  // namespace berth::reconciler::linux_res::nft_words
