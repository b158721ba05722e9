// Entry point of berth_integration_tests: refuses to run unless sandbox.sh isolated it.
#include <gtest/gtest.h>

#include "tests/integration/sandbox_env.h"

int main(int argc, char** argv) {
  berth::itest::RequireSandbox();
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
