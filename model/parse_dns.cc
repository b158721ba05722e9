// ReadDns and RenderResolvConf. The checks keep every value one word of printable ASCII: a space or newline in
// a search domain or option would add lines (nameservers, options) the manifest never asked for.
#include "model/parse_dns.h"

#include "model/parse_values.h"
#include "model/suggest.h"

namespace berth::model {
namespace {

bool IsDomainName(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  if (name.back() == '.') name.remove_suffix(1);  // a fully qualified name may end in a dot
  size_t label = 0;
  for (char c : name) {
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
      continue;
    }
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok || ++label > 63) return false;
  }
  return label > 0;
}

/// "name" or "name:N": the shape of every option glibc and musl know (ndots:2, timeout:1, rotate, edns0,
/// single-request-reopen, trust-ad).
bool IsDnsOption(std::string_view option) {
  if (option.empty() || option.size() > 32 || !(option[0] >= 'a' && option[0] <= 'z')) return false;
  const size_t colon = option.find(':');
  const std::string_view name = option.substr(0, colon);
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) return false;
  if (colon == std::string_view::npos) return true;
  const std::string_view number = option.substr(colon + 1);
  if (number.empty() || number.size() > 5) return false;
  for (char c : number)
    if (c < '0' || c > '9') return false;
  return true;
}

std::vector<std::string> ReadWords(ParseContext& ctx, const Value& value, bool (*valid)(std::string_view),
                                   const char* code, const char* what, size_t max, const char* too_many) {
  std::vector<std::string> out;
  auto items = ReadSequence(ctx, value);
  if (!items) return out;
  for (const Value& item : *items) {
    auto text = ReadString(ctx, item);
    if (!text) continue;
    if (!valid(*text)) {
      ctx.Error(code, item.path, item.span, QuoteToken(*text) + " is not " + what);
      continue;
    }
    out.push_back(*text);
  }
  if (items->size() > max)
    ctx.Error(too_many, value.path, value.span,
              std::to_string(items->size()) + " given; at most " + std::to_string(max));
  return out;
}

}  // namespace

void ReadDns(ParseContext& ctx, const Value& value, std::vector<std::string>& servers,
             std::vector<std::string>& search, std::vector<std::string>& options) {
  if (!value.node.IsMap()) {
    if (auto list = ReadNameservers(ctx, value)) servers = *list;
    return;
  }
  auto reader = MappingReader::Open(ctx, value, keys::kDns);
  if (!reader) return;
  if (auto v = reader->Get("servers"))
    if (auto list = ReadNameservers(ctx, *v)) servers = *list;
  if (auto v = reader->Get("search")) {
    search = ReadWords(ctx, *v, IsDomainName, "invalid-dns-search",
                       "a search domain (a host name such as corp.example, one word)", kMaxSearchDomains,
                       "too-many-search-domains");
    size_t line = 6;  // "search"
    for (const auto& s : search) line += 1 + s.size();
    if (line > kMaxSearchLine)
      ctx.Error("too-many-search-domains", v->path, v->span,
                "the search line would be " + std::to_string(line) + " characters; resolvers read at most " +
                    std::to_string(kMaxSearchLine));
  }
  if (auto v = reader->Get("options"))
    options = ReadWords(ctx, *v, IsDnsOption, "invalid-dns-option",
                        "a resolv.conf option (a word such as rotate or ndots:2)", kMaxDnsOptions,
                        "too-many-dns-options");
}

std::string RenderResolvConf(const std::vector<std::string>& servers, const std::vector<std::string>& search,
                             const std::vector<std::string>& options) {
  std::string out = "# written by berth\n";
  for (const auto& ns : servers) out += "nameserver " + ns + "\n";
  auto line = [&out](const char* keyword, const std::vector<std::string>& words) {
    if (words.empty()) return;
    out += keyword;
    for (const auto& w : words) out += " " + w;
    out += "\n";
  };
  line("search", search);
  line("options", options);
  return out;
}

}  // namespace berth::model
