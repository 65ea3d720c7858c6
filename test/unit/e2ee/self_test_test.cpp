#include <gtest/gtest.h>

#include "self_test.h"

TEST(SelfTest, PassesOnThisBuild)
{
    auto result = nubo::e2ee::selfTest();
    EXPECT_TRUE(result) << result.error().message;
}
