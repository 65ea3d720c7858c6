// The mass-delete question: its words for either side, the list (capped, with "and N more"), and
// what each button (and closing) answers.
#include "mass_delete_dialog.h"

#include <QApplication>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>
#include <QWindow>
#include <gtest/gtest.h>

namespace nubo::gui {
namespace {

using sync::MassDeleteDecision;

QStringList somePaths(int count)
{
    QStringList paths;
    for (int i = 0; i < count; ++i)
        paths << QStringLiteral("docs/file-%1.txt").arg(i, 5, 10, QLatin1Char('0'));
    return paths;
}

QStringList listed(const QListWidget* list)
{
    QStringList items;
    for (int i = 0; i < list->count(); ++i)
        items << list->item(i)->text();
    return items;
}

TEST(MassDeleteDialog, ADeletionOnTheServerAsksWhetherToDeleteHereToo)
{
    MassDeleteDialog dialog(QStringLiteral("Documents"), true, somePaths(3), 3);
    EXPECT_EQ(dialog.question()->text(),
              QStringLiteral("3 items in “Documents” were deleted on the server.\n"
                             "Delete them on this computer too, or restore them on the server from the copies here?\n"
                             "Nothing changes in this folder until you answer."));
    EXPECT_EQ(dialog.windowTitle(), QStringLiteral("Deleted items in “Documents”"));
    EXPECT_EQ(dialog.deleteButton()->text(), QStringLiteral("&Delete them here too"));
    EXPECT_EQ(dialog.restoreButton()->text(), QStringLiteral("&Restore them"));
    EXPECT_EQ(dialog.laterButton()->text(), QStringLiteral("Decide &later"));
    EXPECT_EQ(dialog.deleteButton()->accessibleName(), QStringLiteral("Delete them on this computer too"));
    EXPECT_EQ(dialog.restoreButton()->accessibleName(), QStringLiteral("Restore them on the server"));
    EXPECT_EQ(listed(dialog.list()), somePaths(3));
    EXPECT_EQ(dialog.list()->accessibleName(), QStringLiteral("Deleted items"));
}

TEST(MassDeleteDialog, ADeletionHereAsksWhetherToDeleteOnTheServerToo)
{
    MassDeleteDialog dialog(QStringLiteral("Photos & <b>more</b>"), false, somePaths(2), 2);
    EXPECT_EQ(dialog.question()->text(),
              QStringLiteral("2 items in “Photos & <b>more</b>” were deleted on this computer.\n"
                             "Delete them on the server too, or restore them here from the server?\n"
                             "Nothing changes in this folder until you answer."));
    EXPECT_EQ(dialog.question()->textFormat(), Qt::PlainText) << "a folder name is shown as it is";
    EXPECT_EQ(dialog.deleteButton()->text(), QStringLiteral("&Delete them on the server too"));
    EXPECT_EQ(dialog.deleteButton()->accessibleName(), QStringLiteral("Delete them on the server too"));
    EXPECT_EQ(dialog.restoreButton()->accessibleName(), QStringLiteral("Restore them here"));
}

TEST(MassDeleteDialog, TheListShowsTheFirstThousandAndHowManyMore)
{
    // The runner hands over at most 10 000 paths of a larger total.
    MassDeleteDialog dialog(QStringLiteral("Documents"), true, somePaths(1500), 12345);
    ASSERT_EQ(dialog.list()->count(), MassDeleteDialog::kListed + 1);
    EXPECT_EQ(dialog.list()->item(0)->text(), QStringLiteral("docs/file-00000.txt"));
    EXPECT_EQ(dialog.list()->item(999)->text(), QStringLiteral("docs/file-00999.txt"));
    EXPECT_EQ(dialog.list()->item(1000)->text(), QStringLiteral("… and 11345 more"));
    EXPECT_TRUE(dialog.question()->text().startsWith(QStringLiteral("12345 items in")));

    MassDeleteDialog exact(QStringLiteral("Documents"), true, somePaths(1000), 1000);
    EXPECT_EQ(exact.list()->count(), 1000) << "no 'more' line when all are shown";
}

TEST(MassDeleteDialog, EachButtonGivesItsAnswerAndClosingDecidesLater)
{
    {
        MassDeleteDialog dialog(QStringLiteral("Documents"), true, somePaths(20), 20);
        QSignalSpy decided(&dialog, &MassDeleteDialog::decided);
        dialog.show();
        dialog.deleteButton()->click();
        EXPECT_EQ(dialog.result(), QDialog::Accepted);
        EXPECT_EQ(dialog.decision(), MassDeleteDecision::Delete);
        ASSERT_EQ(decided.count(), 1);
        EXPECT_EQ(decided.at(0).at(0).value<MassDeleteDecision>(), MassDeleteDecision::Delete);
        EXPECT_FALSE(dialog.isVisible());
    }
    {
        MassDeleteDialog dialog(QStringLiteral("Documents"), false, somePaths(20), 20);
        QSignalSpy decided(&dialog, &MassDeleteDialog::decided);
        dialog.show();
        dialog.restoreButton()->click();
        EXPECT_FALSE(dialog.isVisible());
        EXPECT_EQ(dialog.result(), QDialog::Accepted);
        EXPECT_EQ(dialog.decision(), MassDeleteDecision::Restore);
        ASSERT_EQ(decided.count(), 1);
        EXPECT_EQ(decided.at(0).at(0).value<MassDeleteDecision>(), MassDeleteDecision::Restore);
    }
    {
        MassDeleteDialog dialog(QStringLiteral("Documents"), true, somePaths(20), 20);
        QSignalSpy decided(&dialog, &MassDeleteDialog::decided);
        dialog.show();
        dialog.laterButton()->click();
        EXPECT_FALSE(dialog.isVisible());
        EXPECT_EQ(dialog.result(), QDialog::Rejected);
        EXPECT_EQ(dialog.decision(), MassDeleteDecision::Refuse);
        EXPECT_EQ(decided.count(), 0);
    }
    {
        MassDeleteDialog dialog(QStringLiteral("Documents"), true, somePaths(20), 20);
        QSignalSpy decided(&dialog, &MassDeleteDialog::decided);
        dialog.show();
        EXPECT_TRUE(dialog.close());
        EXPECT_FALSE(dialog.isVisible());
        EXPECT_EQ(dialog.result(), QDialog::Rejected);
        EXPECT_EQ(dialog.decision(), MassDeleteDecision::Refuse);
        EXPECT_EQ(decided.count(), 0);
    }
}

TEST(MassDeleteDialog, EverythingIsReachableFromTheKeyboard)
{
    const auto shown = [](MassDeleteDialog& dialog) {
        dialog.show();
        dialog.activateWindow();
        return QTest::qWaitForWindowActive(&dialog);
    };
    {
        // Escape is "decide later".
        MassDeleteDialog dialog(QStringLiteral("Documents"), true, somePaths(20), 20);
        ASSERT_TRUE(shown(dialog));
        QTest::keyClick(&dialog, Qt::Key_Escape);
        EXPECT_FALSE(dialog.isVisible());
        EXPECT_EQ(dialog.result(), QDialog::Rejected);
        EXPECT_EQ(dialog.decision(), MassDeleteDecision::Refuse);
    }
    {
        // Restore has the focus first, and Enter answers with it (it cannot lose anything).
        MassDeleteDialog dialog(QStringLiteral("Documents"), true, somePaths(20), 20);
        ASSERT_TRUE(shown(dialog));
        EXPECT_TRUE(dialog.restoreButton()->hasFocus());
        EXPECT_TRUE(dialog.restoreButton()->isDefault());
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Return);
        EXPECT_EQ(dialog.decision(), MassDeleteDecision::Restore);
        EXPECT_EQ(dialog.result(), QDialog::Accepted);
    }
    {
        // Tab goes from Restore to "Decide later" and to Delete, then back to the list.
        MassDeleteDialog dialog(QStringLiteral("Documents"), true, somePaths(20), 20);
        ASSERT_TRUE(shown(dialog));
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Tab);
        EXPECT_EQ(QApplication::focusWidget(), dialog.laterButton());
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Tab);
        EXPECT_EQ(QApplication::focusWidget(), dialog.deleteButton());
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Tab);
        EXPECT_EQ(QApplication::focusWidget(), dialog.list());
        // Alt+D, the Delete button's mnemonic (through the window, as a key press from the system);
        // a mnemonic clicks with a short animation.
        QTest::keyClick(dialog.windowHandle(), Qt::Key_D, Qt::AltModifier);
        EXPECT_TRUE(QTest::qWaitFor([&] { return dialog.decision() == MassDeleteDecision::Delete; }, 2000));
        EXPECT_EQ(dialog.result(), QDialog::Accepted);
    }
    {
        // Alt+L, "Decide later"; and Space on a focused button.
        MassDeleteDialog dialog(QStringLiteral("Documents"), true, somePaths(20), 20);
        ASSERT_TRUE(shown(dialog));
        QTest::keyClick(dialog.windowHandle(), Qt::Key_L, Qt::AltModifier);
        EXPECT_TRUE(QTest::qWaitFor([&] { return !dialog.isVisible(); }, 2000));
        EXPECT_EQ(dialog.result(), QDialog::Rejected);
        EXPECT_EQ(dialog.decision(), MassDeleteDecision::Refuse);
        MassDeleteDialog other(QStringLiteral("Documents"), true, somePaths(20), 20);
        ASSERT_TRUE(shown(other));
        other.deleteButton()->setFocus();
        QTest::keyClick(other.deleteButton(), Qt::Key_Space);
        EXPECT_EQ(other.decision(), MassDeleteDecision::Delete);
        EXPECT_EQ(other.result(), QDialog::Accepted);
    }
}

} // namespace
} // namespace nubo::gui
