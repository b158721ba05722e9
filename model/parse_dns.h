// spec.network.dns of VMs and jails: the short list of nameservers, or {servers, search, options}. Every value
// ends up as a word of a resolv.conf line, so each is checked to be one safe word.
#pragma once

#include <string>
#include <vector>

#include "model/yaml_walk.h"

namespace berth::model {

/// At most this many search domains: the classic resolver's MAXDNSRCH (musl still stops there).
inline constexpr size_t kMaxSearchDomains = 6;
/// At most this many options: far more than any resolver knows, few enough to keep the file small.
inline constexpr size_t kMaxDnsOptions = 8;
/// A resolv.conf line is read into a 256-byte buffer by older resolvers: the search line must fit.
inline constexpr size_t kMaxSearchLine = 255;

/// Reads `dns` as a list of nameservers (ReadNameservers) or as {servers, search, options}: search domains
/// are host names (letters, digits, '-', '_', '.'; labels of at most 63, at most 253 in all;
/// invalid-dns-search), options are resolv.conf option words such as "ndots:2" (invalid-dns-option);
/// too-many-search-domains, too-many-dns-options beyond the limits above.
void ReadDns(ParseContext& ctx, const Value& value, std::vector<std::string>& servers,
             std::vector<std::string>& search, std::vector<std::string>& options);

/// resolv.conf as berth writes it (both platforms): a marker line, the nameservers, then search and options.
std::string RenderResolvConf(const std::vector<std::string>& servers, const std::vector<std::string>& search,
                             const std::vector<std::string>& options);

}  // namespace berth::model
