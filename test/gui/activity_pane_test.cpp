// The activity list on its own: errors first and then the newest, a filter by folder, and the
// oldest plain entries dropped first when it is full.
#include "activity_pane.h"

#include <gtest/gtest.h>

namespace nubo::gui {
namespace {

ActivityEntry entry(int minute, const QString& folder, const QString& path, const QString& what, bool error = false)
{
    return {QDateTime(QDate(2026, 11, 30), QTime(10, minute)), folder, QStringLiteral("/home/u/") + folder, path, what,
            error, error ? QStringLiteral("disk full") : QString()};
}

TEST(ActivityPane, ErrorsComeFirstThenTheNewestAndAFolderCanBeChosen)
{
    ActivityPane pane;
    pane.addEntry(entry(1, "Docs", "a.txt", "Uploaded"));
    pane.addEntry(entry(3, "Photos", "b.jpg", "Downloaded"));
    pane.addEntry(entry(2, "Docs", "c.txt", "Error", true));
    EXPECT_EQ(pane.rows(), (QStringList{"Error: disk full|Docs|c.txt", "Downloaded|Photos|b.jpg", "Uploaded|Docs|a.txt"}));
    pane.setFolderFilter("Photos");
    EXPECT_EQ(pane.rows(), (QStringList{"Downloaded|Photos|b.jpg"}));
    pane.setFolderFilter("");
    EXPECT_EQ(pane.rows().size(), 3);
    EXPECT_FALSE(pane.openSelected()) << "nothing selected";
}

TEST(ActivityPane, AFullListDropsTheOldestPlainEntriesAndKeepsTheErrors)
{
    ActivityPane pane;
    pane.addEntry(entry(0, "Docs", "broken.txt", "Error", true));
    for (int i = 0; i < 1005; ++i)
        pane.addEntry({QDateTime(QDate(2026, 11, 30), QTime(11, 0)).addSecs(i), "Docs", "/home/u/Docs",
                       QStringLiteral("f%1").arg(i), "Uploaded", false, {}});
    const QStringList rows = pane.rows();
    EXPECT_EQ(rows.size(), 1000);
    EXPECT_EQ(rows.first(), "Error: disk full|Docs|broken.txt");
    EXPECT_EQ(rows.at(1), "Uploaded|Docs|f1004");
    EXPECT_FALSE(rows.contains("Uploaded|Docs|f5")) << "the oldest went";
    EXPECT_TRUE(rows.contains("Uploaded|Docs|f6"));
}

} // namespace
} // namespace nubo::gui
