// The settings window: what the tray's "Settings…" opens, and what a second launch brings up.
// The app's state on top, the panes (folders, account, ...) as tabs below.
#pragma once

#include "tray_state.h"

#include <QWidget>

class QLabel;
class QTabWidget;

namespace nubo::gui {

class SettingsWindow : public QWidget {
    Q_OBJECT
public:
    explicit SettingsWindow(QWidget* parent = nullptr);

    void setStatus(TrayState state, const QString& lastResult);
    // Shown, raised and given the focus (a second launch, the tray's "Settings…").
    void bringUp();

    QString statusText() const;

    // A pane (account, folders, encryption, ...) as a tab; the window takes ownership.
    void addPane(QWidget* pane, const QString& title);
    void showPane(QWidget* pane);
    QTabWidget* tabs() const { return m_tabs; }

private:
    QLabel* m_status = nullptr;
    QTabWidget* m_tabs = nullptr;
};

} // namespace nubo::gui
