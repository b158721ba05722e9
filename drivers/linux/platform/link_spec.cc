// The link codec: strings on the wire (plans, observations), types everywhere they are acted on.
#include "drivers/linux/platform/link_spec.h"

#include <charconv>
#include <type_traits>

#include "drivers/linux/platform/linux_resources.h"

namespace berth::reconciler::linux_res {
namespace {

/// Decodes one attribute with `parse`, or records the first malformed one in `error`.
template <typename T, typename Parse>
std::optional<T> Decode(const Resource& r, const char* field, Parse parse, std::optional<std::string>& error) {
  const std::string* text = r.Attr(field);
  if (!text) return std::nullopt;
  std::optional<T> value = parse(*text);
  if (!value && !error)
    error = std::string("attribute ") + field + "='" + *text + "' is not " +
            (std::is_same_v<T, bool> ? "true or false" : std::is_same_v<T, model::Mac> ? "a MAC address" : "a number");
  return value;
}

std::optional<bool> ParseBool(const std::string& text) {
  if (text == kTrue) return true;
  if (text == kFalse) return false;
  return std::nullopt;
}

std::optional<uint32_t> ParseU32(const std::string& text) {
  uint32_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

std::optional<std::string> LinkAttrError(const Resource& r) {
  // It runs on every desired link (40,000 at 10,000 VMs): one walk over the record's few attributes, no look-ups
  // and no allocation unless something is malformed.
  for (const auto& [field, value] : r.attrs) {
    const char* says = nullptr;
    if (field == kUp || field == kPeerUp) {
      if (!ParseBool(value)) says = "true or false";
    } else if (field == kMtu || field == kOwnerUid || field == kOwnerGid) {
      if (!ParseU32(value)) says = "a number";
    } else if (field == kMac || field == kPeerMac) {
      if (!model::Mac::Parse(value)) says = "a MAC address";
    }
    if (says) return "attribute " + field + "='" + value + "' is not " + says;
  }
  return std::nullopt;
}

Result<LinkSpec> LinkFromResource(const Resource& r) {
  LinkSpec s;
  std::optional<std::string> error;
  s.name = r.key.name;
  s.type = r.AttrOr(kType);
  s.up = Decode<bool>(r, kUp, ParseBool, error);
  s.peer_up = Decode<bool>(r, kPeerUp, ParseBool, error);
  s.mtu = Decode<uint32_t>(r, kMtu, ParseU32, error);
  if (const std::string* master = r.Attr(kMaster)) s.master = *master;
  s.mac = Decode<model::Mac>(r, kMac, model::Mac::Parse, error);
  s.peer_mac = Decode<model::Mac>(r, kPeerMac, model::Mac::Parse, error);
  s.peer = r.AttrOr(kPeer);
  s.peer_netns = r.AttrOr(kPeerNetns);
  s.owner_uid = Decode<uint32_t>(r, kOwnerUid, ParseU32, error);
  s.owner_gid = Decode<uint32_t>(r, kOwnerGid, ParseU32, error);
  if (error) return Fail(*error);
  return s;
}

Attrs LinkToAttrs(const LinkSpec& s) {
  Attrs a;
  if (!s.type.empty()) a[kType] = s.type;
  if (s.up) a[kUp] = *s.up ? kTrue : kFalse;
  if (s.peer_up) a[kPeerUp] = *s.peer_up ? kTrue : kFalse;
  if (s.mtu) a[kMtu] = std::to_string(*s.mtu);
  if (s.master) a[kMaster] = *s.master;
  if (s.mac) a[kMac] = s.mac->ToString();
  if (s.peer_mac) a[kPeerMac] = s.peer_mac->ToString();
  if (!s.peer.empty()) a[kPeer] = s.peer;
  if (!s.peer_netns.empty()) a[kPeerNetns] = s.peer_netns;
  if (s.owner_uid) a[kOwnerUid] = std::to_string(*s.owner_uid);
  if (s.owner_gid) a[kOwnerGid] = std::to_string(*s.owner_gid);
  return a;
}

}  // namespace berth::reconciler::linux_res
