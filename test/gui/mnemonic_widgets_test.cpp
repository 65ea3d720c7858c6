// The 12-word widgets on their own: the grid (numbering, screen reader names, copy and the
// clipboard emptied again only if it still holds the words), the two-word check, and the entry
// (a misspelt word marked with suggestions, 12 pasted words spread over the fields).
#include <QClipboard>
#include <QGuiApplication>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTest>
#include <deque>
#include <set>

#include <gtest/gtest.h>

#include "mnemonic_widgets.h"

namespace nubo::gui {
namespace {

constexpr int kWait = 5000;

const QStringList kWords = {QStringLiteral("abandon"), QStringLiteral("ability"), QStringLiteral("apple"),
                            QStringLiteral("zoo"),     QStringLiteral("letter"),  QStringLiteral("orbit"),
                            QStringLiteral("quantum"), QStringLiteral("river"),   QStringLiteral("sunset"),
                            QStringLiteral("toddler"), QStringLiteral("wisdom"),  QStringLiteral("yellow")};

QLabel* wordLabel(const QWidget& parent, int number)
{
    return parent.findChild<QLabel*>(QStringLiteral("mnemonicWord%1").arg(number));
}

TEST(MnemonicGrid, NumbersTheTwelveWordsInAGridAndNamesEachForScreenReaders)
{
    for (const QString& word : kWords)
        ASSERT_TRUE(isMnemonicWord(word)) << word.toStdString();
    MnemonicGrid grid;
    grid.setWords(kWords);
    grid.show();
    ASSERT_TRUE(QTest::qWaitForWindowExposed(&grid));
    for (int n = 1; n <= 12; ++n) {
        QLabel* label = wordLabel(grid, n);
        ASSERT_NE(label, nullptr) << n;
        EXPECT_EQ(label->text().trimmed(), QStringLiteral("%1. %2").arg(n).arg(kWords[n - 1]));
        EXPECT_EQ(label->accessibleName(), QStringLiteral("Word %1: %2").arg(n).arg(kWords[n - 1]));
        EXPECT_TRUE(label->textInteractionFlags() & Qt::TextSelectableByMouse);
        EXPECT_EQ(label->focusPolicy(), Qt::StrongFocus) << "reachable with Tab";
    }
    EXPECT_EQ(wordLabel(grid, 3)->accessibleName(), QStringLiteral("Word 3: apple"));
    // Three to a row, four rows: 1 2 3 on the first row, 4 under 1, 12 last.
    const auto pos = [&grid](int n) { return wordLabel(grid, n)->geometry().topLeft(); };
    EXPECT_EQ(pos(1).y(), pos(2).y());
    EXPECT_EQ(pos(2).y(), pos(3).y());
    EXPECT_LT(pos(1).x(), pos(2).x());
    EXPECT_LT(pos(2).x(), pos(3).x());
    EXPECT_EQ(pos(4).x(), pos(1).x());
    EXPECT_GT(pos(4).y(), pos(1).y());
    EXPECT_GT(pos(10).y(), pos(7).y());
    EXPECT_EQ(pos(12).x(), pos(3).x());

    grid.hideWords();
    EXPECT_TRUE(grid.words().isEmpty());
    EXPECT_FALSE(grid.wordsShown());
    for (int n = 1; n <= 12; ++n) {
        EXPECT_FALSE(wordLabel(grid, n)->text().contains(kWords[n - 1])) << n;
        EXPECT_EQ(wordLabel(grid, n)->accessibleName(), QStringLiteral("Word %1: hidden").arg(n));
    }
    EXPECT_FALSE(grid.findChild<QPushButton*>(QStringLiteral("copyMnemonic"))->isEnabled());
}

TEST(MnemonicGrid, CopiedWordsAreTakenOffTheClipboardAfterTheInterval)
{
    MnemonicGrid grid;
    EXPECT_EQ(grid.clipboardClearInterval(), std::chrono::seconds(60));
    grid.setClipboardClearInterval(std::chrono::milliseconds(300));
    grid.setWords(kWords);
    QSignalSpy checked(&grid, &MnemonicGrid::clipboardChecked);
    grid.findChild<QPushButton*>(QStringLiteral("copyMnemonic"))->click();
    EXPECT_EQ(QGuiApplication::clipboard()->text(), kWords.join(' '));
    QTest::qWait(100);
    EXPECT_EQ(QGuiApplication::clipboard()->text(), kWords.join(' ')) << "still there before the interval";
    EXPECT_EQ(checked.size(), 0);
    ASSERT_TRUE(checked.wait(kWait));
    EXPECT_TRUE(checked.first().first().toBool());
    EXPECT_TRUE(QGuiApplication::clipboard()->text().isEmpty());
}

TEST(MnemonicGrid, AClipboardTheUserChangedMeanwhileIsLeftAlone)
{
    MnemonicGrid grid;
    grid.setClipboardClearInterval(std::chrono::milliseconds(300));
    grid.setWords(kWords);
    QSignalSpy checked(&grid, &MnemonicGrid::clipboardChecked);
    grid.findChild<QPushButton*>(QStringLiteral("copyMnemonic"))->click();
    ASSERT_EQ(QGuiApplication::clipboard()->text(), kWords.join(' '));
    QGuiApplication::clipboard()->setText(QStringLiteral("a shopping list"));
    ASSERT_TRUE(checked.wait(kWait));
    EXPECT_FALSE(checked.first().first().toBool());
    EXPECT_EQ(QGuiApplication::clipboard()->text(), QStringLiteral("a shopping list"));
}

TEST(MnemonicConfirmation, AcceptsOnlyTheTwoWordsAskedAndSaysWhichIsWrong)
{
    MnemonicConfirmation confirmation;
    std::deque<int> draws{3, 9}; // word 4, then the 10th of the 11 others: word 11
    confirmation.setRandomSource([&draws](int bound) {
        const int value = draws.front();
        draws.pop_front();
        EXPECT_LT(value, bound);
        return value;
    });
    confirmation.setWords(kWords);
    ASSERT_EQ(confirmation.askedPositions(), std::make_pair(4, 11));
    auto* first = confirmation.findChild<QLineEdit*>(QStringLiteral("confirmFirst"));
    auto* second = confirmation.findChild<QLineEdit*>(QStringLiteral("confirmSecond"));
    EXPECT_EQ(first->accessibleName(), QStringLiteral("Word 4"));
    EXPECT_EQ(second->accessibleName(), QStringLiteral("Word 11"));
    QSignalSpy confirmed(&confirmation, &MnemonicConfirmation::confirmed);

    QTest::keyClicks(first, QStringLiteral("zoo"));
    QTest::keyClicks(second, QStringLiteral("yellow")); // word 12, not 11
    EXPECT_FALSE(confirmation.check());
    EXPECT_TRUE(confirmation.errorText().startsWith(QStringLiteral("Word 11 is not the one shown")))
        << confirmation.errorText().toStdString();

    first->setText(QStringLiteral("zoa"));
    EXPECT_FALSE(confirmation.check());
    EXPECT_TRUE(confirmation.errorText().startsWith(QStringLiteral("Words 4 and 11 are not the ones shown")))
        << confirmation.errorText().toStdString();

    first->setText(QStringLiteral("zoo"));
    second->setText(QString());
    EXPECT_FALSE(confirmation.check()) << "an empty answer is no answer";
    EXPECT_EQ(confirmed.size(), 0);

    // Case and surrounding spaces do not matter.
    first->setText(QStringLiteral("  ZOO "));
    second->setText(QStringLiteral("Wisdom\t"));
    confirmation.findChild<QPushButton*>(QStringLiteral("confirmCheck"))->click();
    EXPECT_EQ(confirmed.size(), 1);
    EXPECT_TRUE(confirmation.errorText().isEmpty());
}

TEST(MnemonicConfirmation, AsksForTwoDifferentWordsWhateverTheRandomSourceSays)
{
    MnemonicConfirmation confirmation;
    QRandomGenerator seeded(42);
    std::set<std::pair<int, int>> seen;
    confirmation.setRandomSource([&seeded](int bound) { return static_cast<int>(seeded.bounded(bound)); });
    for (int round = 0; round < 200; ++round) {
        confirmation.setWords(kWords);
        const auto [a, b] = confirmation.askedPositions();
        ASSERT_GE(a, 1);
        ASSERT_LT(a, b);
        ASSERT_LE(b, 12);
        seen.insert({a, b});
    }
    EXPECT_GT(seen.size(), 30u) << "the positions vary";
    // The same seed asks the same words.
    QRandomGenerator again(42);
    confirmation.setRandomSource([&again](int bound) { return static_cast<int>(again.bounded(bound)); });
    QRandomGenerator replay(42);
    const int x = static_cast<int>(replay.bounded(12));
    int y = static_cast<int>(replay.bounded(11));
    if (y >= x) ++y;
    EXPECT_EQ(confirmation.askedPositions(), std::make_pair(std::min(x, y) + 1, std::max(x, y) + 1));
}

TEST(MnemonicEntry, AMisspeltWordIsMarkedWithSuggestionsUnderTheField)
{
    EXPECT_EQ(mnemonicSuggestions(QStringLiteral("abandn")).value(0), QStringLiteral("abandon"));
    EXPECT_TRUE(mnemonicSuggestions(QStringLiteral("bpple")).contains(QStringLiteral("apple")));
    EXPECT_EQ(mnemonicSuggestions(QStringLiteral("lettre")).value(0), QStringLiteral("letter"));
    EXPECT_LE(mnemonicSuggestions(QStringLiteral("ab")).size(), 3);
    EXPECT_TRUE(mnemonicSuggestions(QStringLiteral("qqqqqqqqqq")).isEmpty());

    MnemonicEntry entry;
    entry.show();
    ASSERT_TRUE(QTest::qWaitForWindowExposed(&entry));
    for (int i = 0; i < 12; ++i) {
        EXPECT_EQ(entry.field(i)->accessibleName(), QStringLiteral("Word %1").arg(i + 1));
        ASSERT_NE(entry.field(i)->completer(), nullptr);
    }
    QLineEdit* third = entry.field(2);
    auto* hint = entry.findChild<QLabel*>(QStringLiteral("entryHint3"));
    QTest::keyClicks(third, QStringLiteral("abandn"));
    EXPECT_FALSE(entry.isMarked(2)) << "not while typing";
    QTest::keyClick(third, Qt::Key_Return); // editing finished
    ASSERT_TRUE(entry.isMarked(2));
    EXPECT_EQ(entry.suggestionsFor(2).value(0), QStringLiteral("abandon"));
    EXPECT_LE(entry.suggestionsFor(2).size(), 3);
    EXPECT_TRUE(third->styleSheet().contains("border")) << "a red frame";
    EXPECT_TRUE(third->toolTip().contains("abandon")) << third->toolTip().toStdString();
    EXPECT_FALSE(hint->isHidden());
    EXPECT_TRUE(hint->text().contains("abandon"));
    EXPECT_FALSE(entry.isComplete());

    // Choosing the suggestion fixes it.
    emit hint->linkActivated(QStringLiteral("abandon"));
    EXPECT_EQ(third->text(), QStringLiteral("abandon"));
    EXPECT_FALSE(entry.isMarked(2));
    EXPECT_TRUE(hint->isHidden());
    EXPECT_TRUE(third->styleSheet().isEmpty());
    EXPECT_TRUE(third->toolTip().isEmpty());

    // A word of the list is fine in any case.
    QLineEdit* fourth = entry.field(3);
    QTest::keyClicks(fourth, QStringLiteral("Zoo"));
    QTest::keyClick(fourth, Qt::Key_Return);
    EXPECT_FALSE(entry.isMarked(3));
    EXPECT_EQ(entry.words().value(3), QStringLiteral("zoo"));
}

TEST(MnemonicEntry, TwelveWordsPastedIntoTheFirstFieldAreSpreadOverTheFields)
{
    MnemonicEntry entry;
    QSignalSpy changed(&entry, &MnemonicEntry::completeChanged);
    EXPECT_FALSE(entry.isComplete());
    QGuiApplication::clipboard()->setText(QStringLiteral("  Abandon ability apple zoo\nletter orbit  quantum river "
                                                         "sunset\ttoddler wisdom YELLOW\n"));
    entry.field(0)->paste();
    EXPECT_EQ(entry.words(), kWords);
    EXPECT_TRUE(entry.isComplete());
    EXPECT_GT(changed.size(), 0);
    for (int i = 0; i < 12; ++i)
        EXPECT_FALSE(entry.isMarked(i)) << i;

    // A pasted list with a typo marks that word.
    entry.clear();
    EXPECT_TRUE(entry.words().join(QString()).isEmpty());
    QGuiApplication::clipboard()->setText(QStringLiteral("abandon ability appel zoo letter orbit quantum river sunset "
                                                         "toddler wisdom yellow"));
    entry.field(0)->paste();
    EXPECT_FALSE(entry.isComplete());
    EXPECT_TRUE(entry.isMarked(2));
    EXPECT_TRUE(entry.suggestionsFor(2).contains(QStringLiteral("apple")));
    EXPECT_FALSE(entry.isMarked(3));

    // A space typed after a word moves on to the next field.
    entry.clear();
    QTest::keyClicks(entry.field(5), QStringLiteral("orbit "));
    EXPECT_EQ(entry.field(5)->text(), QStringLiteral("orbit"));
    EXPECT_TRUE(entry.field(6)->text().isEmpty());
}

} // namespace
} // namespace nubo::gui
