// The account wizard: the server's address (status.php checked; a certificate the system does not
// trust shown with its SHA-256 for the user to accept or refuse), then the login: Login Flow v2 in
// the browser (opened for the user, with "copy link"), polled until the app password arrives, or
// an app password typed in as the fallback. The app password is verified against the server and
// stored (keychain, or the private file the user picks when the keychain fails) before the wizard
// can finish; accountReady() then hands the account to the app. Every request runs off the UI thread.
#pragma once

#include "app_settings.h"
#include "http_client.h"
#include "login_flow.h"

#include <QTimer>
#include <QUrl>
#include <QWizard>
#include <QWizardPage>

#include <functional>
#include <memory>
#include <optional>

class QCheckBox;
class QGroupBox;
class QLabel;
class QLineEdit;
class QPushButton;

namespace nubo::gui {

using SecretStoreFactory = std::function<std::unique_ptr<sync::CredentialStore>(const AccountSettings&)>;
using UrlOpener = std::function<bool(const QUrl&)>;

class ServerPage : public QWizardPage {
    Q_OBJECT
public:
    explicit ServerPage(QWidget* parent = nullptr);

    bool validatePage() override;
    bool isComplete() const override;

    // After a successful check: the Nextcloud root and the certificate the user accepted ("").
    const QString& serverUrl() const { return m_serverUrl; }
    const QString& pinnedCertificate() const { return m_pinned; }
    bool busy() const { return m_busy; }
    QString errorText() const;

signals:
    void checkFinished(bool ok);

private:
    void check();
    void showError(const QString& message);

    QLineEdit* m_url = nullptr;
    QLabel* m_error = nullptr;
    QGroupBox* m_certificatePanel = nullptr;
    QLabel* m_certificate = nullptr;
    QCheckBox* m_trust = nullptr;
    bool m_busy = false;
    QString m_checkedUrl; // what was typed when the last check succeeded
    QString m_serverUrl;
    QString m_pinned;
    std::optional<sync::PeerCertificate> m_offered; // shown for m_offeredFor
    QString m_offeredFor;
};

class LoginPage : public QWizardPage {
    Q_OBJECT
public:
    LoginPage(AppSettings& settings, QWidget* parent = nullptr);

    void setUrlOpener(UrlOpener opener) { m_openUrl = std::move(opener); }
    void setSecretStoreFactory(SecretStoreFactory factory) { m_secretStore = std::move(factory); }
    void setPollInterval(std::chrono::milliseconds interval) { m_poll.setInterval(interval); }

    void initializePage() override;
    void cleanupPage() override;
    bool isComplete() const override;

    const QString& loginUrl() const { return m_loginUrl; }
    const std::optional<AccountSettings>& account() const { return m_account; }
    QString statusText() const;
    QString errorText() const;

signals:
    void loginUrlReady(const QString& url);
    void loggedIn();   // verified and stored
    void failed(const QString& message);

private:
    void startFlow();
    void pollOnce();
    void verifyAndStore(const QString& user, const QString& appPassword, bool fromBrowser);
    void storeSecret(bool inFile);
    void showError(const QString& message);

    AppSettings& m_settings;
    UrlOpener m_openUrl;
    SecretStoreFactory m_secretStore;
    QLabel* m_status = nullptr;
    QLabel* m_error = nullptr;
    QPushButton* m_openBrowser = nullptr;
    QPushButton* m_copyLink = nullptr;
    QPushButton* m_useAppPassword = nullptr;
    QGroupBox* m_appPasswordPanel = nullptr;
    QLineEdit* m_user = nullptr;
    QLineEdit* m_appPassword = nullptr;
    QPushButton* m_logIn = nullptr;
    QPushButton* m_useFile = nullptr;
    QTimer m_poll;
    int m_generation = 0; // bumped when the page is left: answers of an older flow are dropped
    bool m_polling = false;
    std::shared_ptr<sync::LoginFlow> m_flow;
    QString m_loginUrl;
    std::optional<AccountSettings> m_pending; // verified, its secret not yet stored
    QString m_pendingSecret;
    std::optional<AccountSettings> m_account; // verified and stored
};

class AccountWizard : public QWizard {
    Q_OBJECT
public:
    explicit AccountWizard(AppSettings& settings, QWidget* parent = nullptr);
    ~AccountWizard() override;

    ServerPage* serverPage() const { return m_server; }
    LoginPage* loginPage() const { return m_login; }

signals:
    // The account is verified and its app password stored; the settings are the caller's to save.
    void accountReady(const nubo::gui::AccountSettings& account);

private:
    ServerPage* m_server = nullptr;
    LoginPage* m_login = nullptr;
};

} // namespace nubo::gui
