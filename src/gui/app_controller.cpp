#include "app_controller.h"

#include "account.h"
#include "account_pane.h"
#include "activity_pane.h"
#include "add_folder_dialog.h"
#include "background.h"
#include "encryption_pane.h"
#include "general_pane.h"
#include "mass_delete_dialog.h"
#include "remote_folder_tree.h"

#include <QDialogButtonBox>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QVBoxLayout>

#include <openssl/crypto.h>

namespace nubo::gui {

AppController::AppController(Options options, QObject* parent)
    : QObject(parent), m_options(std::move(options)), m_settings(m_options.settingsFile)
{
    m_shell = std::make_unique<TrayApp>(m_options.tray);
    SettingsWindow& window = m_shell->window();
    m_folders = new FoldersPane(&window);
    m_accountPane = new AccountPane(&window);
    window.addPane(m_folders, tr("&Folders"));
    window.addPane(m_accountPane, tr("A&ccount"));
    m_activity = new ActivityPane(&window);
    window.addPane(m_activity, tr("Ac&tivity"));
    m_activityFlush.setInterval(500);
    m_activityFlush.setSingleShot(true);
    connect(&m_activityFlush, &QTimer::timeout, this, [this] {
        m_activity->addEntries(m_pendingActivity);
        m_pendingActivity.clear();
    });
    connect(m_folders, &FoldersPane::addRequested, this, &AppController::showAddFolder);
    connect(m_folders, &FoldersPane::pauseToggled, this, &AppController::setPaused);
    connect(m_folders, &FoldersPane::chooseRequested, this, &AppController::showFolderTree);
    connect(m_folders, &FoldersPane::removeRequested, this, [this](const QString& localPath) {
        const auto answer = QMessageBox::question(
            &m_shell->window(), tr("Stop syncing this folder?"),
            tr("Nubo stops syncing %1. Its files stay on this computer and on the server.").arg(localPath),
            QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel);
        if (answer == QMessageBox::Yes)
            removeFolder(localPath);
    });
    m_uploadLimiter = std::make_shared<sync::BandwidthLimiter>(m_settings.uploadLimitKiB());
    m_downloadLimiter = std::make_shared<sync::BandwidthLimiter>(m_settings.downloadLimitKiB());
    m_general = new GeneralPane(m_settings, &window);
    window.addPane(m_general, tr("&General"));
    connect(m_general, &GeneralPane::bandwidthChanged, this, [this](qint64 up, qint64 down) {
        m_uploadLimiter->setLimit(up);
        m_downloadLimiter->setLimit(down);
    });
    connect(m_general, &GeneralPane::excludesChanged, this, [this] {
        restartFolders(); // each runner reads the patterns when it starts
        m_general->setExcludesResult({});
    });
    connect(m_general, &GeneralPane::proxyApplyRequested, this,
            [this](const sync::ProxySettings& proxy, const QString& password) {
                applyProxy(proxy, password, [this](const QString& error) {
                    m_general->setProxyResult(error);
                    emit proxyApplied(error);
                });
            });
    connect(m_accountPane, &AccountPane::logInAgainRequested, this, &AppController::showWizard);
    connect(m_accountPane, &AccountPane::logOutRequested, this, [this] {
        if (!m_accountSettings)
            return;
        const auto answer = QMessageBox::question(
            &m_shell->window(), tr("Log out of %1?").arg(m_accountSettings->serverUrl),
            tr("Nubo stops syncing and forgets this account on this computer: its app password is revoked on the "
               "server and removed here. Your files stay on this computer and on the server, and the end-to-end "
               "encryption key stays on this device (the Encryption pane can remove it)."),
            QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel);
        if (answer == QMessageBox::Yes)
            logOut();
    });
    connect(m_shell.get(), &TrayApp::pauseToggled, this, &AppController::setPaused);
}

AppController::~AppController()
{
    m_runners.clear(); // each waits for its thread
    std::fill(m_appPassword.begin(), m_appPassword.end(), '\0');
}

void AppController::start()
{
    m_accountSettings = m_settings.account(); // also says where the proxy password is
    // The proxy first: the wizard's and the folders' requests go through it.
    applyProxy(m_settings.proxy(), {}, [this](const QString& error) {
        if (!error.isEmpty())
            m_general->setProxyResult(error);
        continueStart();
    });
}

void AppController::applyProxy(sync::ProxySettings proxy, QString newPassword,
                               std::function<void(const QString&)> done)
{
    const auto apply = [done](sync::ProxySettings settings) {
        const auto applied = sync::applyProxySettings(settings);
        OPENSSL_cleanse(settings.password.data(), settings.password.size());
        done(applied ? QString() : QString::fromStdString(applied.error().message));
    };
    if (proxy.mode != sync::ProxySettings::Mode::Manual || proxy.user.empty()) {
        apply(std::move(proxy)); // no secret to fetch: at once
        return;
    }
    // The password is kept where the app password is (the keychain, or the private file).
    std::shared_ptr<sync::CredentialStore> store = secretStore(m_accountSettings.value_or(AccountSettings{}));
    using Fetched = sync::Result<std::optional<std::string>>;
    runInBackground(
        this,
        [store, password = newPassword.toStdString()]() mutable -> Fetched {
            if (password.empty())
                return store->read(AppSettings::proxyPasswordKey);
            const auto written = store->write(AppSettings::proxyPasswordKey, password);
            Fetched fetched = written ? Fetched(password) : std::unexpected(written.error());
            OPENSSL_cleanse(password.data(), password.size());
            return fetched;
        },
        [proxy = std::move(proxy), apply, done](Fetched fetched) mutable {
            if (!fetched) {
                done(tr("Nubo cannot keep or read the proxy password: %1. The proxy was not changed.")
                         .arg(QString::fromStdString(fetched.error().message)));
                return;
            }
            if (*fetched)
                proxy.password = std::move(**fetched);
            apply(std::move(proxy));
        });
}

void AppController::continueStart()
{
    m_accountPane->setAccount(m_accountSettings);
    if (!m_accountSettings) {
        showWizard();
        return;
    }
    loadSecretAndStart();
}

std::unique_ptr<sync::CredentialStore> AppController::secretStore(const AccountSettings& account) const
{
    return m_options.secretStore ? m_options.secretStore(account) : secretStoreFor(account, m_settings);
}

void AppController::showWizard()
{
    m_wizard = std::make_unique<AccountWizard>(m_settings);
    if (m_options.urlOpener)
        m_wizard->loginPage()->setUrlOpener(m_options.urlOpener);
    if (m_options.secretStore)
        m_wizard->loginPage()->setSecretStoreFactory(m_options.secretStore);
    if (m_accountSettings) // logging in again: the same server
        if (auto* url = m_wizard->findChild<QLineEdit*>(QStringLiteral("serverUrl")))
            url->setText(m_accountSettings->serverUrl);
    connect(m_wizard.get(), &AccountWizard::accountReady, this, &AppController::accountReady);
    m_wizard->show();
    m_wizard->raise();
    m_wizard->activateWindow();
}

void AppController::accountReady(const AccountSettings& account)
{
    m_settings.setAccount(account);
    m_accountSettings = account;
    m_accountPane->setAccount(account);
    m_accountPane->setProblem({});
    // A new login (a new app password): the runners start again with it.
    stopFolders();
    delete m_encryption; // made again with the new app password
    m_encryption = nullptr;
    loadSecretAndStart();
    m_shell->showSettings();
    m_shell->window().showPane(m_folders);
}

void AppController::loadSecretAndStart()
{
    const AccountSettings account = *m_accountSettings;
    std::shared_ptr<sync::CredentialStore> store = secretStore(account);
    struct Loaded {
        sync::Result<std::optional<std::string>> secret;
        sync::Result<std::shared_ptr<sync::Account>> connected = std::unexpected(sync::SyncError{});
    };
    runInBackground(
        this,
        [store, account] {
            Loaded loaded{store->read(account.secretKey())};
            if (loaded.secret && loaded.secret->has_value()) {
                sync::AccountConfig config;
                config.serverUrl = account.serverUrl.toStdString();
                config.user = account.user.toStdString();
                config.password = **loaded.secret;
                config.pinnedCertificate = account.pinnedCertificate.toStdString();
                loaded.connected = sync::Account::connect(std::move(config));
                sync::HttpClient::releaseThreadResources();
            }
            return loaded;
        },
        [this, account](Loaded loaded) {
            if (!loaded.secret) {
                const QString message =
                    tr("Nubo cannot read its app password from %1: %2\nUnlock the keychain and restart Nubo, or log "
                       "in again (you may then keep the password in a private file instead).")
                        .arg(account.secretsInFile ? tr("its private file") : tr("the system keychain"),
                             QString::fromStdString(loaded.secret.error().message));
                m_accountPane->setProblem(message);
                m_shell->setState(TrayState::Error, message);
                emit accountProblem(message);
                return;
            }
            if (!loaded.secret->has_value()) {
                const QString message = tr("Nubo's app password is not stored on this computer any more: log in again.");
                m_accountPane->setProblem(message);
                m_shell->setState(TrayState::Error, message);
                emit accountProblem(message);
                return;
            }
            m_appPassword = **loaded.secret;
            if (!m_encryption) {
                m_encryption = new EncryptionPane(account, QString::fromStdString(m_appPassword), keyStoreKind(),
                                                  &m_shell->window());
                m_shell->window().addPane(m_encryption, tr("&Encryption"));
                connect(m_encryption, &EncryptionPane::identityChanged, this, &AppController::restartFolders);
            }
            if (loaded.connected) {
                m_account = *loaded.connected;
                emit accountConnected();
            } else if (loaded.connected.error().code == sync::SyncErrorCode::Auth) {
                const QString message =
                    tr("The server no longer accepts Nubo's app password (it may have been revoked in the web "
                       "interface). Log in again to go on syncing; nothing was changed.");
                m_accountPane->setProblem(message);
                m_shell->setState(TrayState::Error, message);
                emit accountProblem(message);
                return;
            } // offline or the server is busy: the folders start and retry by themselves
            for (const FolderSettings& folder : m_settings.folders())
                startFolder(folder);
            if (m_runners.empty() && m_account)
                showAddFolder(); // a new account: the next step is a folder
        });
}

void AppController::startFolder(const FolderSettings& folder)
{
    FolderRunner::Connection c;
    c.name = folder.name();
    c.account.serverUrl = m_accountSettings->serverUrl.toStdString();
    c.account.user = m_accountSettings->user.toStdString();
    c.account.password = m_appPassword;
    c.account.pinnedCertificate = m_accountSettings->pinnedCertificate.toStdString();
    c.account.remoteRoot = folder.remotePath.toStdString();
    c.account.uploadLimiter = m_uploadLimiter;
    c.account.downloadLimiter = m_downloadLimiter;
    c.options.localRoot = folder.localPath.toStdString();
    for (const QString& unsynced : folder.unsyncedFolders)
        c.options.unsyncedFolders.push_back(unsynced.toStdString());
    if (QFileInfo::exists(m_settings.excludeFile()))
        if (const auto added = c.options.excludes.addFile(m_settings.excludeFile().toStdString()); !added)
            m_general->setExcludesResult(QString::fromStdString(added.error().message));
    if (m_options.trashFolder)
        c.options.trashFolder = *m_options.trashFolder;
    c.watchOptions = m_options.watch;
    c.keyStore = keyStoreKind();
    auto runner = std::make_unique<FolderRunner>(std::move(c));
    FolderRunner* raw = runner.get();
    connect(raw, &FolderRunner::needsLogin, this, [this](const QString& message) {
        const QString text = tr("The server refused Nubo's app password (%1). It may have been revoked in the web "
                                "interface. Log in again to go on syncing; nothing was changed.")
                                 .arg(message);
        m_accountPane->setProblem(text);
        if (m_shell->tray())
            m_shell->tray()->showMessage(tr("Nubo needs you to log in again"), text, QSystemTrayIcon::Warning);
        emit accountProblem(text);
    });
    connect(raw, &FolderRunner::encryptionProblem, this, [this](const QString& message) {
        if (m_encryption)
            m_encryption->showTrustProblem(message);
        if (m_shell->tray())
            m_shell->tray()->showMessage(tr("Encrypted folders are not synced"), message, QSystemTrayIcon::Critical);
    });
    connect(raw, &FolderRunner::activity, this,
            [this, name = folder.name(), local = folder.localPath](const QString& path, const QString& what, bool ok,
                                                                   const QString& message) {
                m_pendingActivity.append({QDateTime::currentDateTime(), name, local, path, what, !ok, message});
                if (!m_activityFlush.isActive())
                    m_activityFlush.start();
            });
    connect(raw, &FolderRunner::conflictKept, this, [this, name = folder.name()](const QString& path, const QString& copy) {
        if (m_shell->tray())
            m_shell->tray()->showMessage(tr("Conflict in %1").arg(name),
                                         tr("%1 was changed here and on the server. Both versions are kept: yours "
                                            "as %2.")
                                             .arg(path, copy),
                                         QSystemTrayIcon::Information);
    });
    connect(raw, &FolderRunner::massDeleteQuestion, this,
            [this, raw, name = folder.name()](bool deletedOnServer, const QStringList& paths, qint64 total) {
                // Nothing happens in this folder until the user answers; "decide later" asks again at
                // the next "Sync now".
                auto* dialog = new MassDeleteDialog(name, deletedOnServer, paths, total, &m_shell->window());
                dialog->setAttribute(Qt::WA_DeleteOnClose);
                connect(dialog, &MassDeleteDialog::decided, raw, [raw](sync::MassDeleteDecision decision) {
                    if (decision != sync::MassDeleteDecision::Refuse)
                        raw->resolveMassDelete(decision);
                });
                dialog->show();
                if (m_shell->tray())
                    m_shell->tray()->showMessage(tr("Nubo is waiting for your answer"),
                                                 tr("%n file(s) in %1 were deleted. Delete them everywhere, or restore "
                                                    "them?", nullptr, static_cast<int>(total)).arg(name),
                                                 QSystemTrayIcon::Warning);
                emit massDeleteAsked(dialog);
            });
    m_shell->addFolder(raw);
    m_folders->addFolder(raw, folder);
    m_runners[folder.localPath] = std::move(runner);
    if (folder.paused) {
        raw->setPaused(true);
        m_shell->setFolderPaused(folder.localPath, true);
    } else
        raw->syncNow();
}

sync::KeyStoreKind AppController::keyStoreKind() const
{
    // The key goes where the app password went: a private file when there is no keychain.
    return m_accountSettings && m_accountSettings->secretsInFile ? sync::KeyStoreKind::File
                                                                 : sync::KeyStoreKind::Keychain;
}

void AppController::logOut()
{
    stopFolders();
    delete m_encryption; // it holds the app password
    m_encryption = nullptr;
    const AccountSettings account = *m_accountSettings;
    std::shared_ptr<sync::CredentialStore> store = secretStore(account);
    std::shared_ptr<const sync::Account> connected = std::move(m_account);
    runInBackground(
        this,
        [store, connected, key = account.secretKey()] {
            // Revoked first: an app password that stays valid on the server is a loose key. Offline,
            // it stays valid there (the web interface's security settings list it).
            if (connected) {
                (void)connected->ocs().revokeAppPassword();
                sync::HttpClient::releaseThreadResources();
            }
            return store->remove(key);
        },
        [](const sync::Result<void>&) {});
    std::fill(m_appPassword.begin(), m_appPassword.end(), '\0');
    m_appPassword.clear();
    m_settings.removeAccount();
    m_accountSettings.reset();
    m_accountPane->setAccount(std::nullopt);
    m_accountPane->setProblem({});
    m_shell->setState(TrayState::Idle, tr("Not logged in"));
    showWizard();
    emit loggedOut();
}

void AppController::stopFolder(const QString& localPath)
{
    const auto it = m_runners.find(localPath);
    if (it == m_runners.end())
        return;
    m_shell->removeFolder(it->second.get());
    m_folders->removeFolder(localPath);
    m_runners.erase(it); // stops its run and waits for its thread
}

void AppController::stopFolders()
{
    while (!m_runners.empty())
        stopFolder(m_runners.begin()->first);
}

void AppController::restartFolders()
{
    stopFolders();
    for (const FolderSettings& folder : m_settings.folders())
        startFolder(folder);
}

FolderRunner* AppController::runner(const QString& localPath) const
{
    const auto it = m_runners.find(localPath);
    return it == m_runners.end() ? nullptr : it->second.get();
}

void AppController::showAddFolder()
{
    if (!m_account) {
        QMessageBox::information(&m_shell->window(), tr("Not connected"),
                                 tr("Nubo is not connected to the server yet, so its folders cannot be listed. Try "
                                    "again in a moment."));
        return;
    }
    m_addFolder = std::make_unique<AddFolderDialog>(m_account, m_settings, &m_shell->window());
    connect(m_addFolder.get(), &QDialog::accepted, this, [this] { addFolder(m_addFolder->result()); });
    m_addFolder->show();
}

void AppController::showFolderTree(const QString& localPath)
{
    auto folders = m_settings.folders();
    const auto folder = std::find_if(folders.begin(), folders.end(),
                                     [&](const FolderSettings& f) { return f.localPath == localPath; });
    if (folder == folders.end() || !m_account)
        return;
    m_folderTree = std::make_unique<QDialog>(&m_shell->window());
    QDialog* dialog = m_folderTree.get();
    dialog->setObjectName(QStringLiteral("folderTreeDialog"));
    dialog->setWindowTitle(tr("Choose what to sync in %1").arg(folder->name()));
    auto* layout = new QVBoxLayout(dialog);
    auto* hint = new QLabel(tr("Untick the folders this computer should leave out. Right-click an empty folder to "
                               "encrypt it."),
                            dialog);
    hint->setWordWrap(true);
    layout->addWidget(hint);
    RemoteFolderTree::Options options;
    options.rootPath = folder->remotePath.isEmpty() ? QStringLiteral("/") : folder->remotePath;
    options.rootLabel = tr("%1 on the server").arg(options.rootPath);
    options.checkable = true;
    options.encryptMenu = true;
    options.serverOffersE2ee = m_account->capabilities().e2eeEnabled;
    options.keyStore = keyStoreKind();
    m_folderTreeView = new RemoteFolderTree(m_account, options, dialog);
    m_folderTreeView->setUncheckedFolders(folder->unsyncedFolders);
    m_folderTreeView->setSetUpHere(m_encryption && m_encryption->state() == EncryptionPane::State::SetUp);
    layout->addWidget(m_folderTreeView, 1);
    auto* status = new QLabel(dialog);
    status->setObjectName(QStringLiteral("folderTreeStatus"));
    status->setWordWrap(true);
    layout->addWidget(status);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, dialog);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::accepted, dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    connect(m_folderTreeView, &RemoteFolderTree::encrypted, this,
            [this, status, localPath](const QString&, bool ok, const QString& message) {
                status->setText(message);
                if (ok)
                    if (FolderRunner* r = runner(localPath))
                        r->syncNow();
            });
    connect(dialog, &QDialog::accepted, this, [this, localPath] {
        auto all = m_settings.folders();
        for (FolderSettings& f : all) {
            if (f.localPath != localPath)
                continue;
            const QStringList unsynced = m_folderTreeView->uncheckedFolders();
            if (unsynced == f.unsyncedFolders)
                return;
            f.unsyncedFolders = unsynced;
            m_settings.setFolders(all);
            // The runner starts again with the new list (what is left out is kept where it is).
            stopFolder(localPath);
            startFolder(f);
            return;
        }
    });
    dialog->resize(520, 480);
    dialog->show();
}

void AppController::addFolder(const FolderSettings& folder)
{
    auto folders = m_settings.folders();
    folders.push_back(folder);
    m_settings.setFolders(folders);
    startFolder(folder);
    m_shell->window().showPane(m_folders);
    emit folderAdded(folder.localPath);
}

void AppController::removeFolder(const QString& localPath)
{
    stopFolder(localPath);
    auto folders = m_settings.folders();
    std::erase_if(folders, [&](const FolderSettings& f) { return f.localPath == localPath; });
    m_settings.setFolders(folders);
}

void AppController::setPaused(const QString& localPath, bool paused)
{
    auto folders = m_settings.folders();
    for (FolderSettings& folder : folders)
        if (folder.localPath == localPath)
            folder.paused = paused;
    m_settings.setFolders(folders);
    if (FolderRunner* r = runner(localPath))
        r->setPaused(paused);
    if (FolderRow* row = m_folders->row(localPath))
        row->setPaused(paused);
    m_shell->setFolderPaused(localPath, paused);
}

} // namespace nubo::gui
