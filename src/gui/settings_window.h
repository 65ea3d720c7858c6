// The settings window: what the tray's "Settings…" opens, and what a second launch brings up.
// For now it shows the app's state; the account, folder and encryption panes grow into it.
#pragma once

#include "tray_state.h"

#include <QWidget>

class QLabel;

namespace nubo::gui {

class SettingsWindow : public QWidget {
    Q_OBJECT
public:
    explicit SettingsWindow(QWidget* parent = nullptr);

    void setStatus(TrayState state, const QString& lastResult);
    // Shown, raised and given the focus (a second launch, the tray's "Settings…").
    void bringUp();

    QString statusText() const;

private:
    QLabel* m_status = nullptr;
};

} // namespace nubo::gui
