// JournalState, the journal as propagation changes it: what it answers about a folder's content.
#include "propagator.h"

#include <gtest/gtest.h>

namespace nubo::sync {
namespace {

JournalTree tree(std::initializer_list<const char*> paths)
{
    JournalTree result;
    for (const char* path : paths)
        result.emplace(path, JournalRecord {});
    return result;
}

TEST(JournalState, HasChildrenLooksOnlyBelowTheFolder)
{
    // Names that sort between "a" and "a/…" ("a b", "a-x", "ab") are siblings, not children.
    const JournalState state(tree({"a", "a b", "a-x", "ab", "ab/c", "e", "e/f", "e/f/g"}));
    EXPECT_FALSE(state.hasChildren("a"));
    EXPECT_TRUE(state.hasChildren("ab"));
    EXPECT_TRUE(state.hasChildren("e"));
    EXPECT_TRUE(state.hasChildren("e/f"));
    EXPECT_FALSE(state.hasChildren("e/f/g"));
    EXPECT_FALSE(state.hasChildren("missing"));
    EXPECT_TRUE(state.hasChildren(""));
}

TEST(JournalState, HasChildrenFollowsMovesAndRemovals)
{
    JournalState state(tree({"d", "d/x", "n"}));
    state.moveTree("d", "n/d");
    EXPECT_FALSE(state.hasChildren("d"));
    EXPECT_TRUE(state.hasChildren("n/d"));
    state.removeTree("n/d/x");
    EXPECT_FALSE(state.hasChildren("n/d"));
    EXPECT_TRUE(state.hasChildren("n"));
}

} // namespace
} // namespace nubo::sync
