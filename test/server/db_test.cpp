// The server's SQLite layer (src/server/db.h): reused statements behave like fresh ones.
#include <filesystem>
#include <string>

#include <gtest/gtest.h>
#include <unistd.h>

#include "db.h"

namespace nubo::server {
namespace {

namespace fs = std::filesystem;

class DbTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
        m_dir = fs::temp_directory_path() / ("nubo-db-test-" + std::to_string(::getpid()) + "-" + test->name());
        fs::remove_all(m_dir);
        fs::create_directories(m_dir);
    }
    void TearDown() override { fs::remove_all(m_dir); }
    fs::path m_dir;
};

TEST_F(DbTest, AReusedStatementStartsWithNoBindingsAndFromTheFirstRow)
{
    Db db(m_dir / "test.sqlite");
    db.exec("CREATE TABLE t (k INTEGER, v TEXT)");
    for (int k = 1; k <= 3; ++k)
        db.prepare("INSERT INTO t VALUES (?, ?)").bind(1, std::int64_t{k}).bind(2, "v" + std::to_string(k)).run();

    constexpr const char* kCount = "SELECT count(*) FROM t WHERE v IS ?";
    {
        auto bound = db.prepare(kCount);
        bound.bind(1, "v2");
        ASSERT_TRUE(bound.step());
        EXPECT_EQ(bound.integer(0), 1);
    }
    {
        // The same SQL again (the idle statement): the binding of the last use is gone.
        auto unbound = db.prepare(kCount);
        ASSERT_TRUE(unbound.step());
        EXPECT_EQ(unbound.integer(0), 0);
    }
    {
        // Given back in the middle of its rows, it starts from the first one next time.
        auto rows = db.prepare("SELECT k FROM t ORDER BY k");
        ASSERT_TRUE(rows.step());
        ASSERT_TRUE(rows.step());
        EXPECT_EQ(rows.integer(0), 2);
    }
    auto again = db.prepare("SELECT k FROM t ORDER BY k");
    ASSERT_TRUE(again.step());
    EXPECT_EQ(again.integer(0), 1);
}

TEST_F(DbTest, TheSameStatementInUseTwiceAtOnceGivesTwoIndependentOnes)
{
    Db db(m_dir / "test.sqlite");
    db.exec("CREATE TABLE t (k INTEGER)");
    for (int k = 1; k <= 3; ++k)
        db.prepare("INSERT INTO t VALUES (?)").bind(1, std::int64_t{k}).run();
    constexpr const char* kAbove = "SELECT k FROM t WHERE k > ? ORDER BY k";
    auto outer = db.prepare(kAbove);
    outer.bind(1, std::int64_t{0});
    int pairs = 0;
    while (outer.step()) {
        auto inner = db.prepare(kAbove); // a nested use, as a recursive walk makes
        inner.bind(1, outer.integer(0));
        while (inner.step())
            ++pairs;
    }
    EXPECT_EQ(pairs, 3); // (1,2) (1,3) (2,3)
    // Both went back (one kept, one finalized); the statement still works.
    auto after = db.prepare(kAbove);
    after.bind(1, std::int64_t{2});
    ASSERT_TRUE(after.step());
    EXPECT_EQ(after.integer(0), 3);
    EXPECT_FALSE(after.step());
}

} // namespace
} // namespace nubo::server
