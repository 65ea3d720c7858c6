#include "translations.h"

#include <QCoreApplication>
#include <QFile>
#include <QLibraryInfo>
#include <QLocale>
#include <QTranslator>

namespace nubo::gui {

namespace {

const QString kAppTranslator = QStringLiteral("nuboTranslator");
const QString kQtTranslator = QStringLiteral("nuboQtTranslator");

QString appTranslationFile(const QString& code)
{
    return QStringLiteral(":/i18n/nubo_%1.qm").arg(code);
}

// "de-DE", "de_CH" or "DE" -> "de".
QString baseLanguage(const QString& name)
{
    return name.section(QLatin1Char('-'), 0, 0).section(QLatin1Char('_'), 0, 0).trimmed().toLower();
}

bool spoken(const QString& code)
{
    return code == QLatin1String("en") || (!code.isEmpty() && QFile::exists(appTranslationFile(code)));
}

QString chooseLanguage(const QString& override, const QStringList& systemLanguages)
{
    if (!override.trimmed().isEmpty()) {
        const QString code = baseLanguage(override);
        return spoken(code) ? code : QStringLiteral("en");
    }
    // In the user's order: English before German picks English even though German has a file.
    for (const QString& name : systemLanguages) {
        const QString code = baseLanguage(name);
        if (spoken(code))
            return code;
    }
    return QStringLiteral("en");
}

void removeInstalled(QCoreApplication& app)
{
    for (QTranslator* translator : app.findChildren<QTranslator*>(QString(), Qt::FindDirectChildrenOnly)) {
        if (translator->objectName() == kAppTranslator || translator->objectName() == kQtTranslator) {
            QCoreApplication::removeTranslator(translator);
            delete translator;
        }
    }
}

void install(QCoreApplication& app, const QString& objectName, const QString& file, const QString& directory = {})
{
    auto* translator = new QTranslator(&app);
    translator->setObjectName(objectName);
    if (translator->load(file, directory) && QCoreApplication::installTranslator(translator))
        return;
    delete translator;
}

} // namespace

QList<Language> availableLanguages()
{
    return {
        {QString(), QCoreApplication::translate("Translations", "System default")},
        {QStringLiteral("en"), QStringLiteral("English")},
        {QStringLiteral("de"), QStringLiteral("Deutsch")},
        {QStringLiteral("fr"), QStringLiteral("Français")},
    };
}

QString installTranslations(QCoreApplication& app, const QString& override)
{
    return installTranslations(app, override, QLocale::system().uiLanguages());
}

QString installTranslations(QCoreApplication& app, const QString& override, const QStringList& systemLanguages)
{
    removeInstalled(app);
    const QString code = chooseLanguage(override, systemLanguages);
    install(app, kAppTranslator, appTranslationFile(code)); // English: its plural forms only
    if (code == QLatin1String("en"))
        return code;
    // Qt's own texts (Debian: qt6-translations-l10n); without them standard buttons stay English.
    install(app, kQtTranslator, QStringLiteral("qtbase_") + code, QLibraryInfo::path(QLibraryInfo::TranslationsPath));
    return code;
}

} // namespace nubo::gui
