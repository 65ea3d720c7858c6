// GoogleTest main with a QApplication on the X server xvfb-run started for this process, in
// English.
#include "translations.h"

#include <QApplication>
#include <gtest/gtest.h>

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    // English as the app shows it: with its plural forms ("1 item", "2 items"), whatever the
    // machine's language is.
    nubo::gui::installTranslations(app, QStringLiteral("en"));
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
