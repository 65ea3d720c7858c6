// The app's texts in German and French (issue 10): the translations built into the app are loaded
// by language, the user's choice wins over the system's languages, and a language the app does not
// speak leaves it in English. Each test puts English back for the tests after it.
#include "account_wizard.h"
#include "tray_app.h"
#include "tray_state.h"
#include "translations.h"

#include <QAction>
#include <QCoreApplication>
#include <QDialogButtonBox>
#include <QFile>
#include <QLibraryInfo>
#include <QPushButton>
#include <gtest/gtest.h>

namespace nubo::gui {
namespace {

class Translations : public ::testing::Test {
protected:
    void TearDown() override { installTranslations(*QCoreApplication::instance(), QStringLiteral("en")); }

    static QString install(const QString& override, const QStringList& system = {})
    {
        return installTranslations(*QCoreApplication::instance(), override, system);
    }
};

QString quitText()
{
    TrayApp app(true);
    for (const QAction* action : app.menu()->actions())
        if (action->objectName() == QLatin1String("quit"))
            return action->text();
    return {};
}

QString serverPageTitle()
{
    ServerPage page;
    return page.title();
}

QString conflicts(int n)
{
    return QObject::tr("%n conflict(s) kept as copies", nullptr, n);
}

TEST_F(Translations, AreBuiltIntoTheAppForEachLanguageItOffers)
{
    const QList<Language> languages = availableLanguages();
    ASSERT_GE(languages.size(), 4);
    EXPECT_TRUE(languages.front().code.isEmpty()); // the system's language first
    QStringList codes;
    for (const Language& language : languages) {
        codes << language.code;
        EXPECT_FALSE(language.name.isEmpty()) << language.code.toStdString();
        if (!language.code.isEmpty() && language.code != QLatin1String("en")) {
            EXPECT_TRUE(QFile::exists(QStringLiteral(":/i18n/nubo_%1.qm").arg(language.code)))
                << language.code.toStdString();
        }
    }
    EXPECT_TRUE(codes.contains(QStringLiteral("en")));
    EXPECT_TRUE(codes.contains(QStringLiteral("de")));
    EXPECT_TRUE(codes.contains(QStringLiteral("fr")));
}

TEST_F(Translations, GermanShowsInTheTrayMenuTheWizardAndTheTooltip)
{
    EXPECT_EQ(install(QStringLiteral("de")), QStringLiteral("de"));
    EXPECT_EQ(quitText(), QStringLiteral("Nubo &beenden"));
    EXPECT_EQ(serverPageTitle(), QStringLiteral("Ihr Nextcloud-Server"));
    EXPECT_EQ(trayTooltip(TrayState::Idle, {}), QStringLiteral("Nubo: aktuell"));
    EXPECT_EQ(conflicts(1), QStringLiteral("1 Konflikt als Kopie behalten"));
    EXPECT_EQ(conflicts(3), QStringLiteral("3 Konflikte als Kopien behalten"));
    EXPECT_EQ(availableLanguages().front().name, QStringLiteral("Systemstandard"));
}

TEST_F(Translations, FrenchShowsInTheTrayMenuTheWizardAndTheTooltip)
{
    EXPECT_EQ(install(QStringLiteral("fr")), QStringLiteral("fr"));
    EXPECT_EQ(quitText(), QStringLiteral("&Quitter Nubo"));
    EXPECT_EQ(serverPageTitle(), QStringLiteral("Votre serveur Nextcloud"));
    EXPECT_EQ(trayTooltip(TrayState::Idle, {}), QStringLiteral("Nubo : à jour"));
    EXPECT_EQ(conflicts(1), QStringLiteral("1 conflit conservé sous forme de copie"));
    EXPECT_EQ(conflicts(3), QStringLiteral("3 conflits conservés sous forme de copies"));
}

TEST_F(Translations, QtsOwnTextsFollowWhenTheSystemHasThem)
{
    const QString directory = QLibraryInfo::path(QLibraryInfo::TranslationsPath);
    if (!QFile::exists(directory + QStringLiteral("/qtbase_de.qm")))
        GTEST_SKIP() << "no qtbase_de.qm in " << directory.toStdString() << " (Debian: qt6-translations-l10n)";
    const auto cancel = [] {
        QDialogButtonBox buttons(QDialogButtonBox::Cancel);
        return buttons.button(QDialogButtonBox::Cancel)->text();
    };
    install(QStringLiteral("de"));
    EXPECT_EQ(cancel(), QStringLiteral("Abbrechen"));
    install(QStringLiteral("fr"));
    EXPECT_EQ(cancel(), QStringLiteral("Annuler"));
    install(QStringLiteral("en"));
    EXPECT_EQ(cancel(), QStringLiteral("Cancel"));
}

TEST_F(Translations, TheSystemsFirstLanguageThatTheAppSpeaksIsUsed)
{
    EXPECT_EQ(install({}, {QStringLiteral("fr-CA"), QStringLiteral("de-DE")}), QStringLiteral("fr"));
    EXPECT_EQ(quitText(), QStringLiteral("&Quitter Nubo"));
    EXPECT_EQ(install({}, {QStringLiteral("ja-JP"), QStringLiteral("de-AT")}), QStringLiteral("de"));
    EXPECT_EQ(quitText(), QStringLiteral("Nubo &beenden"));
    // English first: English, though German comes next and has a translation.
    EXPECT_EQ(install({}, {QStringLiteral("en-GB"), QStringLiteral("de-DE")}), QStringLiteral("en"));
    EXPECT_EQ(quitText(), QStringLiteral("&Quit Nubo"));
}

TEST_F(Translations, TheUsersChoiceWinsOverTheSystemsLanguage)
{
    EXPECT_EQ(install(QStringLiteral("fr"), {QStringLiteral("de-DE")}), QStringLiteral("fr"));
    EXPECT_EQ(quitText(), QStringLiteral("&Quitter Nubo"));
    EXPECT_EQ(install(QStringLiteral("en"), {QStringLiteral("de-DE")}), QStringLiteral("en"));
    EXPECT_EQ(quitText(), QStringLiteral("&Quit Nubo"));
    // Switching replaces the translation installed before.
    EXPECT_EQ(install(QStringLiteral("de"), {QStringLiteral("fr-FR")}), QStringLiteral("de"));
    EXPECT_EQ(serverPageTitle(), QStringLiteral("Ihr Nextcloud-Server"));
}

TEST_F(Translations, AnUnknownLanguageFallsBackToEnglish)
{
    install(QStringLiteral("de"));
    EXPECT_EQ(install(QStringLiteral("xx"), {QStringLiteral("de-DE")}), QStringLiteral("en"));
    EXPECT_EQ(quitText(), QStringLiteral("&Quit Nubo"));
    EXPECT_EQ(serverPageTitle(), QStringLiteral("Your Nextcloud server"));
    EXPECT_EQ(trayTooltip(TrayState::Idle, {}), QStringLiteral("Nubo: up to date"));
    EXPECT_EQ(install({}, {QStringLiteral("ja-JP")}), QStringLiteral("en"));
    EXPECT_EQ(quitText(), QStringLiteral("&Quit Nubo"));
}

} // namespace
} // namespace nubo::gui
