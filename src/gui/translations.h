// The languages of the app's texts. Each has a translation (translations/nubo_<code>.ts, built
// into the app as :/i18n/nubo_<code>.qm), except English, the language of the source code.
#pragma once

#include <QList>
#include <QString>
#include <QStringList>

class QCoreApplication;

namespace nubo::gui {

struct Language {
    QString code; // "de"; "" for the system's language
    QString name; // in that language ("Deutsch"), for a language chooser
};

// What a language chooser offers: the system's language first ("System default", translated),
// then English and each language the app has a translation for.
QList<Language> availableLanguages();

// Installs the app's translation, and Qt's own (the texts of standard dialogs and buttons) when
// the system has it, replacing any installed before: the `override` language when it is set (the
// user's choice, AppSettings::language()), else the first of the system's UI languages that the app
// speaks. Returns the language now used: "en" when that is English, as for an unknown `override`.
QString installTranslations(QCoreApplication& app, const QString& override = {});
// The same with the system's UI languages given, in the user's order (QLocale::uiLanguages()
// form: "de-DE"); for tests.
QString installTranslations(QCoreApplication& app, const QString& override, const QStringList& systemLanguages);

} // namespace nubo::gui
