// A GoogleTest binary with one test of each verdict.
#include <gtest/gtest.h>
#include <unistd.h>

TEST(Fixture, Passes) { EXPECT_EQ(2, 1 + 1); }
TEST(Fixture, Fails) { EXPECT_EQ(3, 1 + 1); }
TEST(Fixture, Skips) { GTEST_SKIP() << "not today"; }
TEST(Fixture, Hangs) { sleep(600); }
TEST(Fixture, Crashes) { *(volatile int *) nullptr = 1; }
TEST(Fixture, DISABLED_SwitchedOff) { FAIL(); }
