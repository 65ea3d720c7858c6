// The app's wiring: the settings (AppSettings), the account (wizard when there is none), one
// FolderRunner per sync connection, and the shell (tray, settings window with its panes). It
// starts the runners once the app password is read from its store (off the UI thread), adds and
// removes connections as the user asks, and keeps the settings file in step.
#pragma once

#include "account_wizard.h"
#include "app_settings.h"
#include "e2ee_identity.h"
#include "folder_runner.h"
#include "folders_pane.h"
#include "tray_app.h"

#include <QDialog>
#include <QObject>
#include <QTimer>

#include <chrono>
#include <map>
#include <memory>

namespace nubo::sync {
class Account;
}

namespace nubo::gui {

class AccountPane;
class ActivityPane;
struct ActivityEntry;
class AddFolderDialog;
class EncryptionPane;
class GeneralPane;
class RemoteFolderTree;

class AppController : public QObject {
    Q_OBJECT
public:
    struct Options {
        QString settingsFile = AppSettings::defaultFile();
        bool tray = true;
        SecretStoreFactory secretStore; // secretStoreFor() when empty
        UrlOpener urlOpener;            // the desktop's browser when empty
        sync::WatchOptions watch;       // how folders follow changes
        std::optional<std::filesystem::path> trashFolder; // tests: instead of the desktop trash
    };

    explicit AppController(Options options, QObject* parent = nullptr);
    ~AppController() override;

    // With an account: reads its app password and starts the folders; without: the wizard.
    void start();

    TrayApp& shell() { return *m_shell; }
    AppSettings& settings() { return m_settings; }
    FoldersPane& folders() { return *m_folders; }
    AccountPane& accountPane() { return *m_accountPane; }
    EncryptionPane* encryptionPane() const { return m_encryption; } // once the account is loaded
    ActivityPane& activity() { return *m_activity; }
    GeneralPane& general() { return *m_general; }
    AccountWizard* wizard() const { return m_wizard.get(); }
    AddFolderDialog* addFolderDialog() const { return m_addFolder.get(); }
    FolderRunner* runner(const QString& localPath) const;
    // The connected account (for browsing the server); null until connected.
    std::shared_ptr<const sync::Account> account() const { return m_account; }

    // What the folder pane's buttons do.
    void addFolder(const FolderSettings& folder);
    void removeFolder(const QString& localPath);
    void setPaused(const QString& localPath, bool paused);
    void showAddFolder();
    // "Choose what to sync…": the folder's server tree, with ticks and the Encrypt menu.
    void showFolderTree(const QString& localPath);
    QDialog* folderTreeDialog() const { return m_folderTree.get(); }
    RemoteFolderTree* folderTree() const { return m_folderTreeView; }

signals:
    void accountConnected(); // m_account is set: the folder dialog can browse
    void accountProblem(const QString& message);
    void loggedOut(); // the account is forgotten here and the wizard is up
    void proxyApplied(const QString& error); // "" when applied
    void folderAdded(const QString& localPath);
    void massDeleteAsked(QDialog* question); // the mass-delete question is on screen

private:
    void showWizard();
    // Stops the folders, revokes the app password on the server (when it can be reached) and
    // removes it here, forgets the account and opens the wizard. Files and the E2EE key stay.
    void logOut();
    // Stores or reads the proxy password (off the UI thread), then makes `proxy` the process's
    // proxy; `done` gets "" or what went wrong.
    void applyProxy(sync::ProxySettings proxy, QString newPassword, std::function<void(const QString&)> done);
    void continueStart();
    void accountReady(const AccountSettings& account);
    void loadSecretAndStart();
    void startFolder(const FolderSettings& folder);
    void stopFolder(const QString& localPath); // its run stops; the settings stay
    void stopFolders();
    void restartFolders(); // after the E2EE key or the exclude patterns changed
    sync::KeyStoreKind keyStoreKind() const;
    std::unique_ptr<sync::CredentialStore> secretStore(const AccountSettings& account) const;

    Options m_options;
    AppSettings m_settings;
    std::unique_ptr<TrayApp> m_shell;
    FoldersPane* m_folders = nullptr; // owned by the settings window
    AccountPane* m_accountPane = nullptr;
    EncryptionPane* m_encryption = nullptr; // owned by the settings window
    ActivityPane* m_activity = nullptr;
    GeneralPane* m_general = nullptr;
    // Shared by every folder's transfers, so a limit holds for their sum (the General pane).
    std::shared_ptr<sync::BandwidthLimiter> m_uploadLimiter, m_downloadLimiter;
    QList<ActivityEntry> m_pendingActivity; // shown in batches: a large sync reports many items
    QTimer m_activityFlush;
    std::unique_ptr<AccountWizard> m_wizard;
    std::unique_ptr<AddFolderDialog> m_addFolder;
    std::unique_ptr<QDialog> m_folderTree;
    RemoteFolderTree* m_folderTreeView = nullptr;
    std::optional<AccountSettings> m_accountSettings;
    std::string m_appPassword; // in memory while the app runs (the runners need it)
    std::shared_ptr<const sync::Account> m_account;
    std::map<QString, std::unique_ptr<FolderRunner>> m_runners; // by local path
};

} // namespace nubo::gui
