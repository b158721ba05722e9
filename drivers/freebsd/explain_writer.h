// What explain.cc and explain_filters.cc share: the argv writer that checks every value before it goes into a
// command, and the kinds whose commands live apart (pf anchors, ipfw rules, dummynet pipes). Internal to the
// FreeBSD driver.
#pragma once

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "drivers/freebsd/argv_check.h"
#include "drivers/freebsd/platform/freebsd_tag.h"
#include "model/net.h"
#include "model/result.h"
#include "reconciler/driver.h"
#include "reconciler/plan.h"

namespace berth::drivers::freebsd::explain {

using reconciler::Action;
using reconciler::freebsd_res::FormatFreeBsdTag;
using reconciler::freebsd_res::FreeBsdTag;
using reconciler::Op;
using reconciler::Resource;
using reconciler::StepCommand;
using Cmds = std::vector<StepCommand>;

/// Collects argv and the first invalid value, so each kind's code reads as the commands it runs.
class Writer {
 public:
  explicit Writer(const Resource& r) : r_(r) {}

  std::string Iface(const std::string& name) { return Check(name, IsSafeInterfaceName(name), "interface name"); }
  std::string Jail(const std::string& name) { return Check(name, IsSafeJailName(name), "jail name"); }
  std::string Path(const std::string& path) { return Check(path, IsSafePath(path), "path"); }
  std::string Text(const std::string& text) { return Check(text, IsSafeText(text), "text"); }
  std::string Cidr(const std::string& text) {
    auto c = model::Cidr4::Parse(text);
    return c ? c->ToString() : Check(text, false, "address");
  }
  std::string Ip(const std::string& text) {
    if (auto ip = model::Ipv4::Parse(text)) return ip->ToString();
    auto c = model::Cidr4::Parse(text);
    return c ? c->address.ToString() : Check(text, false, "address");
  }
  std::string Mac(const std::string& text) {
    auto m = model::Mac::Parse(text);
    return m ? m->ToString() : Check(text, false, "MAC");
  }
  std::string Number(const std::string& text, int min, int max, const char* what) {
    bool ok = !text.empty() && text.size() <= 6 && std::all_of(text.begin(), text.end(), ::isdigit);
    return Check(text, ok && std::stoi(text) >= min && std::stoi(text) <= max, what);
  }
  std::string Lines(const std::string& text) {
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) Text(line);
    return text;
  }
  void Refuse(const std::string& value, const char* what) { Check(value, false, what); }
  /// "10.1.1.10,10.1.1.11": each address checked and printed canonically.
  std::string Ip4List(const std::string& text) {
    std::string list, item;
    std::istringstream in(text);
    while (std::getline(in, item, ',')) list += (list.empty() ? "" : ",") + Ip(item);
    return list;
  }
  std::string Need(const char* attr) {
    const std::string* v = r_.Attr(attr);
    if (!v && error_.empty()) error_ = r_.key.ToString() + ": the record has no " + attr;
    return v ? *v : "";
  }
  std::string Tag(FreeBsdTag tag) {
    if (tag.owner.empty() || tag.owner.find(' ') != std::string::npos)
      Check(tag.owner, false, "owner (the record has no manifest origin)");
    return Text(FormatFreeBsdTag(tag));
  }

  void Add(std::vector<std::string> argv, std::string input = "") { cmds_.push_back({std::move(argv), std::move(input)}); }
  Result<Cmds> Finish() {
    if (!error_.empty()) return Fail(error_);
    return std::move(cmds_);
  }

  const Resource& r() const { return r_; }

 private:
  std::string Check(const std::string& value, bool ok, const char* what) {
    if (!ok && error_.empty()) error_ = r_.key.ToString() + ": refusing " + what + " \"" + value + "\" in a command";
    return value;
  }
  const Resource& r_;
  Cmds cmds_;
  std::string error_;
};

inline bool Has(const std::vector<std::string>& fields, const char* f) {
  return std::find(fields.begin(), fields.end(), f) != fields.end();
}

inline std::string Origin(const Resource& r) { return r.provenance.origin().empty() ? r.owner : r.provenance.origin(); }

void Pf(const Action& a, Writer& w);    // explain_filters.cc
void Ipfw(const Action& a, Writer& w);
void Pipe(const Action& a, Writer& w);

}  // namespace berth::drivers::freebsd::explain
