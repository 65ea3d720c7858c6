// What the app remembers between starts: the account (server, login name, the certificate the
// user accepted, where its app password is kept) and the sync connections, in an INI file under
// the XDG config folder ($XDG_CONFIG_HOME/Nubo/nubo.conf). Secrets never go here: the app password
// lives in the OS keychain, or, when the user chose it because the keychain is missing or locked,
// in a private file next to this one (AppSecrets).
#pragma once

#include "credential_store.h"
#include "network_proxy.h"

#include <QString>
#include <QStringList>

#include <memory>
#include <optional>
#include <vector>

namespace nubo::gui {

struct AccountSettings {
    QString serverUrl;         // the Nextcloud root as status.php answered it
    QString user;              // login name
    QString pinnedCertificate; // SHA-256 of a self-signed certificate the user accepted, or ""
    bool secretsInFile = false; // the app password is in the private file, not the keychain

    // The key the app password is stored under: "app-password:<user>@<server>".
    std::string secretKey() const;
};

struct FolderSettings {
    QString localPath;  // absolute, no trailing slash
    QString remotePath; // "/" for the user's root, else "/Documents"
    bool paused = false;
    QStringList unsyncedFolders; // selective sync: relative folder paths left out

    // What the UI calls it: the local folder's name.
    QString name() const;
};

class AppSettings {
public:
    // file: the INI file; defaultFile() in the app, a temporary one in tests.
    explicit AppSettings(QString file = defaultFile());

    static QString defaultFile(); // $XDG_CONFIG_HOME/Nubo/nubo.conf
    const QString& file() const { return m_file; }
    QString directory() const; // the file's folder (also where the secrets file goes)

    std::optional<AccountSettings> account() const;
    void setAccount(const AccountSettings& account);
    // Forgets the account and its folders (the caller removes the app password).
    void removeAccount();

    std::vector<FolderSettings> folders() const;
    void setFolders(const std::vector<FolderSettings>& folders);

    // The General pane's settings. Bandwidth limits in KiB/s for the sum of all folders, 0: none.
    std::int64_t uploadLimitKiB() const;
    std::int64_t downloadLimitKiB() const;
    void setBandwidthLimits(std::int64_t uploadKiB, std::int64_t downloadKiB);
    // The network proxy (System unless the user chose otherwise), without its password: that is
    // kept where the app password is, under proxyPasswordKey.
    sync::ProxySettings proxy() const;
    void setProxy(const sync::ProxySettings& proxy);
    static constexpr const char* proxyPasswordKey = "proxy-password";
    // The user's own exclude patterns (sync-exclude.lst syntax, on top of the built-in ones), in a
    // file next to this one, as the Nextcloud client keeps them.
    QString excludeFile() const;
    // The language of the app's texts ("de", "fr", ...: translations.h), "" for the system's.
    QString language() const;
    void setLanguage(const QString& language);

    // Why `localPath` cannot become a new sync connection, or "" when it can: not an absolute
    // path, not a writable folder (it is made when missing), or inside, above or equal to a folder
    // already synced. Reads the disk: call it off the UI thread for paths on slow mounts.
    QString checkNewLocalFolder(const QString& localPath) const;

private:
    QString m_file;
};

// The app password's store for an account: the keychain, or the private file the user chose.
std::unique_ptr<sync::CredentialStore> secretStoreFor(const AccountSettings& account, const AppSettings& settings);

} // namespace nubo::gui
