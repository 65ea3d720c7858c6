// The accessibility audit: every control of every window the app shows can be reached with the
// keyboard (Tab reaches it) and has a name a screen reader reads out (what Qt's accessibility
// layer, and through it AT-SPI, reports as the control's name). Run over the settings window with
// each pane in each of its states, the wizard's pages, the folder dialogs, the mnemonic widgets,
// the mass-delete question and the tray menu. A control without a name is listed by its object
// name and class, so the failure says what to fix.
#include "add_folder_dialog.h"
#include "app_fixture.h"
#include "encryption_pane.h"
#include "general_pane.h"
#include "mass_delete_dialog.h"
#include "mnemonic_widgets.h"

#include <QAbstractButton>
#include <QAbstractItemView>
#include <QAbstractSpinBox>
#include <QAccessible>
#include <QComboBox>
#include <QHeaderView>
#include <QLineEdit>
#include <QMenu>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QTabBar>
#include <QTest>
#include <QTextEdit>
#include <QWizard>

namespace nubo::gui {
namespace {

bool isControl(const QWidget* w)
{
    return qobject_cast<const QAbstractButton*>(w) || qobject_cast<const QLineEdit*>(w) ||
           qobject_cast<const QComboBox*>(w) || qobject_cast<const QAbstractSpinBox*>(w) ||
           qobject_cast<const QAbstractItemView*>(w) || qobject_cast<const QPlainTextEdit*>(w) ||
           qobject_cast<const QTextEdit*>(w) || qobject_cast<const QTabBar*>(w);
}

QString describe(const QWidget* w)
{
    QString path;
    for (const QObject* o = w; o; o = o->parent())
        if (!o->objectName().isEmpty()) {
            path = o->objectName() + (path.isEmpty() ? QString() : QStringLiteral("/") + path);
            if (o != w)
                break;
        }
    return QStringLiteral("%1 (%2)").arg(path.isEmpty() ? QStringLiteral("?") : path, w->metaObject()->className());
}

// What is wrong with the controls under `root`: no accessible name, or out of the Tab chain.
// Header views (read out as part of their table), scroll bars and the internals of composite Qt widgets (a combo box's line edit, a spin box's
// editor, a scroll area's viewport) count as part of their owner.
QStringList audit(QWidget* root)
{
    QStringList problems;
    QList<QWidget*> widgets = root->findChildren<QWidget*>();
    widgets.prepend(root);
    for (QWidget* w : widgets) {
        if (!isControl(w) || !w->isVisibleTo(root->window()))
            continue;
        if (qobject_cast<QHeaderView*>(w) || qobject_cast<QAbstractSpinBox*>(w->parentWidget()) || qobject_cast<QComboBox*>(w->parentWidget()) ||
            w->objectName().startsWith(QLatin1String("qt_")))
            continue;
        QAccessibleInterface* iface = QAccessible::queryAccessibleInterface(w);
        if (!iface || iface->text(QAccessible::Name).trimmed().isEmpty())
            problems << describe(w) + QStringLiteral(": no accessible name");
        if (!(w->focusPolicy() & Qt::TabFocus) && !qobject_cast<QTabBar*>(w))
            problems << describe(w) + QStringLiteral(": not reachable with Tab");
    }
    return problems;
}

std::string joined(const QStringList& problems)
{
    return problems.join(QStringLiteral("\n")).toStdString();
}

class AccessibilityTest : public test::AppFixture {};

TEST_F(AccessibilityTest, EveryControlOfTheSettingsWindowHasANameAndTakesTheKeyboard)
{
    configureAccount();
    setFolders({FolderSettings{localFolder("Docs"), QStringLiteral("/Docs"), false, {}}});
    AppController app(options());
    ASSERT_TRUE(startConnected(app));
    ASSERT_NE(app.encryptionPane(), nullptr);
    ASSERT_TRUE(QTest::qWaitFor([&] { return app.encryptionPane()->state() != EncryptionPane::State::Loading; }, kWait));
    SettingsWindow& window = app.shell().window();
    window.show();
    QStringList problems;
    for (int i = 0; i < window.tabs()->count(); ++i) {
        window.tabs()->setCurrentIndex(i);
        QTest::qWait(50);
        problems << audit(&window);
    }
    problems.removeDuplicates();
    EXPECT_TRUE(problems.isEmpty()) << joined(problems);

    // The tray menu: each entry has a text a screen reader reads.
    ASSERT_NE(app.shell().menu(), nullptr);
    for (QAction* action : app.shell().menu()->actions()) {
        if (!action->isSeparator()) {
            EXPECT_FALSE(action->text().isEmpty());
        }
    }

    // The folder dialogs.
    app.showAddFolder();
    ASSERT_NE(app.addFolderDialog(), nullptr);
    problems = audit(app.addFolderDialog());
    EXPECT_TRUE(problems.isEmpty()) << joined(problems);
    app.showFolderTree(app.settings().folders().front().localPath);
    ASSERT_NE(app.folderTreeDialog(), nullptr);
    problems = audit(app.folderTreeDialog());
    EXPECT_TRUE(problems.isEmpty()) << joined(problems);
}

TEST_F(AccessibilityTest, TheWizardPagesTheMnemonicWidgetsAndTheMassDeleteQuestionToo)
{
    AppController app(options());
    app.start();
    ASSERT_NE(app.wizard(), nullptr);
    QStringList problems = audit(app.wizard());
    EXPECT_TRUE(problems.isEmpty()) << joined(problems);

    MnemonicGrid grid;
    grid.setWords(QStringLiteral("abandon ability able about above absent absorb abstract absurd abuse access accident")
                      .split(QLatin1Char(' ')));
    grid.show();
    problems = audit(&grid);
    EXPECT_TRUE(problems.isEmpty()) << joined(problems);
    // The words themselves are read out with their numbers.
    QAccessibleInterface* gridIface = QAccessible::queryAccessibleInterface(&grid);
    ASSERT_NE(gridIface, nullptr);
    QStringList spoken;
    for (int i = 0; i < gridIface->childCount(); ++i)
        spoken << gridIface->child(i)->text(QAccessible::Name);
    EXPECT_TRUE(spoken.join(QLatin1Char('|')).contains(QStringLiteral("abandon"))) << joined(spoken);

    MnemonicConfirmation confirmation;
    confirmation.setWords(grid.words());
    confirmation.show();
    problems = audit(&confirmation);
    EXPECT_TRUE(problems.isEmpty()) << joined(problems);

    MnemonicEntry entry;
    entry.show();
    problems = audit(&entry);
    EXPECT_TRUE(problems.isEmpty()) << joined(problems);

    MassDeleteDialog question(QStringLiteral("Docs"), true, {QStringLiteral("a.txt"), QStringLiteral("b.txt")}, 2);
    question.show();
    problems = audit(&question);
    EXPECT_TRUE(problems.isEmpty()) << joined(problems);
}

} // namespace
} // namespace nubo::gui
