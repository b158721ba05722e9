// Prints the keys berth's parser accepts, one "KIND<TAB>PATH<TAB>KEY" line each (KIND "*": every kind;
// PATH "spec.forwards[]": the items of a list), so schema_test.py can compare them with schemas/*.json.
#include <iostream>

#include "model/field_keys.h"

int main() {
  for (const berth::model::AcceptedMapping& mapping : berth::model::AcceptedMappings())
    for (std::string_view key : *mapping.keys) std::cout << mapping.kind << '\t' << mapping.path << '\t' << key << '\n';
  return 0;
}
