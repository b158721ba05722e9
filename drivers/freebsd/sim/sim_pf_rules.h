// pf translation rules on the simulated host: what pfctl accepts on `-f`, and the canonical text `-s nat` lists.
#pragma once

#include <string>
#include <variant>

namespace berth::drivers::freebsd::sim {

/// A refused rule: the message pfctl prints for it (parse.y's yyerror text, or "syntax error").
struct PfRuleError {
  std::string message;
};

/// One nat or rdr rule as pfctl lists it, or why pfctl refuses it. Only the forms berth writes are understood;
/// anything else is a syntax error here, which errs on the safe side.
std::variant<std::string, PfRuleError> CanonicalPfRule(const std::string& line);

}  // namespace berth::drivers::freebsd::sim
