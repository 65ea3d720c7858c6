// The settings window's General pane: start on login, the language, bandwidth limits, the
// user's exclude patterns and the network proxy. It shows and checks what the user enters and
// saves what needs no I/O beyond the settings file; the app controller applies it (the limiters,
// the proxy, the folders restarted with new patterns) and keeps the proxy password in the
// keychain, then reports back with the set*Result() calls.
#pragma once

#include "app_settings.h"

#include <QWidget>

#include <optional>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QRadioButton;
class QSpinBox;

namespace nubo::gui {

class GeneralPane : public QWidget {
    Q_OBJECT
public:
    // settings: read when made, written as the user changes things; outlives the pane.
    explicit GeneralPane(AppSettings& settings, QWidget* parent = nullptr);

    // The program the autostart entry starts: the running nubo unless set (tests).
    void setProgram(const QString& program) { m_program = program; }

    // The controller's answers: "" for done, else what went wrong (shown in the pane).
    void setProxyResult(const QString& error);
    void setExcludesResult(const QString& error);

signals:
    void bandwidthChanged(qint64 uploadKiB, qint64 downloadKiB);
    void languageChanged(const QString& code);
    // The patterns were saved to AppSettings::excludeFile(): the folders follow them.
    void excludesChanged();
    // "Apply" with valid settings: the controller stores `password` (Manual with a user; empty:
    // the one stored before), applies the proxy and answers with setProxyResult(), which saves
    // the settings (without the password) when it worked.
    void proxyApplyRequested(const nubo::sync::ProxySettings& proxy, const QString& password);

private:
    QWidget* buildStartup();
    QWidget* buildBandwidth();
    QWidget* buildExcludes();
    QWidget* buildProxy();
    void updateProxyControls();
    void applyProxy();
    void saveExcludes();

    AppSettings& m_settings;
    QString m_program;
    QCheckBox* m_autostart = nullptr;
    QLabel* m_autostartError = nullptr;
    QComboBox* m_language = nullptr;
    QLabel* m_languageNote = nullptr;
    QSpinBox* m_upload = nullptr;
    QSpinBox* m_download = nullptr;
    QPlainTextEdit* m_excludes = nullptr;
    QPushButton* m_saveExcludes = nullptr;
    QLabel* m_excludesStatus = nullptr;
    QRadioButton* m_proxySystem = nullptr;
    QRadioButton* m_proxyNone = nullptr;
    QRadioButton* m_proxyManual = nullptr;
    QComboBox* m_proxyType = nullptr;
    QLineEdit* m_proxyHost = nullptr;
    QSpinBox* m_proxyPort = nullptr;
    QCheckBox* m_proxyAuth = nullptr;
    QLineEdit* m_proxyUser = nullptr;
    QLineEdit* m_proxyPassword = nullptr;
    QPushButton* m_applyProxy = nullptr;
    QLabel* m_proxyStatus = nullptr;
    std::optional<sync::ProxySettings> m_pendingProxy; // applied, waiting for the answer
};

} // namespace nubo::gui
