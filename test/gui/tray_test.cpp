// The tray's states: each has an icon for a light and for a dark panel that Qt's SVG support
// draws, and a tooltip that names the state and the last result.
#include "tray_state.h"

#include <QFile>
#include <QImage>
#include <QPainter>
#include <QPalette>
#include <QSvgRenderer>
#include <gtest/gtest.h>

namespace nubo::gui {
namespace {

QImage render(const QString& resource)
{
    QSvgRenderer renderer(resource);
    QImage image(44, 44, QImage::Format_ARGB32);
    image.fill(Qt::transparent);
    if (!renderer.isValid())
        return {};
    QPainter painter(&image);
    renderer.render(&painter);
    return image;
}

// How many pixels are drawn at all, and how many of them are light.
std::pair<int, int> inkAndLight(const QImage& image)
{
    int ink = 0, light = 0;
    for (int y = 0; y < image.height(); ++y)
        for (int x = 0; x < image.width(); ++x) {
            const QColor c = image.pixelColor(x, y);
            if (c.alpha() < 128)
                continue;
            ++ink;
            light += c.lightness() > 160 ? 1 : 0;
        }
    return {ink, light};
}

TEST(TrayState, EveryStateHasALightAndADarkPanelIconThatQtDraws)
{
    for (const TrayState state : kTrayStates) {
        SCOPED_TRACE(trayStateName(state));
        const QString forLight = trayIconResource(state, false);
        const QString forDark = trayIconResource(state, true);
        ASSERT_TRUE(QFile::exists(forLight)) << forLight.toStdString();
        ASSERT_TRUE(QFile::exists(forDark)) << forDark.toStdString();
        const QImage onLight = render(forLight);
        const QImage onDark = render(forDark);
        ASSERT_FALSE(onLight.isNull());
        ASSERT_FALSE(onDark.isNull());
        const auto [inkLight, lightOnLight] = inkAndLight(onLight);
        const auto [inkDark, lightOnDark] = inkAndLight(onDark);
        EXPECT_GT(inkLight, 100);
        EXPECT_GT(inkDark, 100);
        // The variant for a dark panel is drawn lighter, so it stands out there.
        EXPECT_GT(lightOnDark, lightOnLight + 50);
    }
}

TEST(TrayState, EveryStateLooksDifferent)
{
    for (const bool dark : {false, true})
        for (const TrayState a : kTrayStates)
            for (const TrayState b : kTrayStates)
                if (a != b) {
                    EXPECT_NE(render(trayIconResource(a, dark)), render(trayIconResource(b, dark)))
                        << trayStateName(a) << " and " << trayStateName(b);
                }
}

TEST(TrayState, ADarkPaletteGetsTheIconsDrawnLight)
{
    QPalette light;
    light.setColor(QPalette::Window, QColor(240, 240, 240));
    QPalette dark;
    dark.setColor(QPalette::Window, QColor(40, 40, 40));
    EXPECT_FALSE(isDarkPalette(light));
    EXPECT_TRUE(isDarkPalette(dark));
    EXPECT_EQ(trayIconResource(TrayState::Error, true), QStringLiteral(":/icons/tray-error-dark.svg"));
}

TEST(TrayState, TheTooltipNamesTheStateAndTheLastResult)
{
    EXPECT_EQ(trayTooltip(TrayState::Idle, {}), QStringLiteral("Nubo: up to date"));
    EXPECT_EQ(trayTooltip(TrayState::Error, QStringLiteral("Photos: the server is in maintenance mode")),
              QStringLiteral("Nubo: needs your attention\nPhotos: the server is in maintenance mode"));
    for (const TrayState state : kTrayStates)
        EXPECT_TRUE(trayTooltip(state, {}).startsWith(QStringLiteral("Nubo: ")));
}

} // namespace
} // namespace nubo::gui
