// A folder's server side as a tree that lists each level when it is opened (PROPFIND off the UI
// thread): encrypted folders carry a lock, and, for a sync connection, subfolders can be unticked
// (selective sync) and an empty folder encrypted from its context menu. The Encrypt rules are a
// pure function (encryptRule) so that each reason is tested on its own.
#pragma once

#include "e2ee_identity.h"

#include <QStringList>
#include <QTreeWidget>

#include <memory>
#include <optional>

namespace nubo::sync {
class Account;
}

namespace nubo::gui {

struct EncryptFacts {
    bool serverOffersE2ee = false; // the capability
    bool setUpHere = false;        // this device holds the account's key
    bool encrypted = false;        // the folder itself
    bool insideEncrypted = false;  // an ancestor is
    std::optional<bool> empty;     // unknown until its level is listed
    bool isRoot = false;           // the connection's top folder or the user's root
};

struct EncryptRule {
    bool enabled = false;
    QString reason; // why not, for the disabled menu entry's tooltip; "" when enabled
};

EncryptRule encryptRule(const EncryptFacts& facts);

class RemoteFolderTree : public QTreeWidget {
    Q_OBJECT
public:
    struct Options {
        QString rootPath = QStringLiteral("/"); // the server folder at the top
        QString rootLabel;                      // what the top item says
        bool checkable = false;                 // selective sync: ticks on subfolders
        bool encryptMenu = false;               // right-click → Encrypt
        bool serverOffersE2ee = false;
        std::optional<sync::KeyStoreKind> keyStore; // where this device's key would be
    };

    RemoteFolderTree(std::shared_ptr<const sync::Account> account, Options options, QWidget* parent = nullptr);

    // The server path of an item ("/", "/Documents/Photos").
    static QString pathOf(const QTreeWidgetItem* item);
    QTreeWidgetItem* itemFor(const QString& serverPath) const;
    void list(QTreeWidgetItem* item);
    // Its level arrived (listed() was emitted for it).
    static bool isListed(const QTreeWidgetItem* item);
    // Shown with a padlock: end-to-end encrypted itself or inside such a folder.
    static bool isEncrypted(const QTreeWidgetItem* item);

    // Selective sync: the unticked folders, relative to the top folder ("Photos/2019").
    QStringList uncheckedFolders() const;
    void setUncheckedFolders(const QStringList& relative);

    // What the Encrypt entry of `item`'s menu would be (tests; the menu shows the same).
    EncryptRule encryptRuleFor(const QTreeWidgetItem* item) const;
    void setSetUpHere(bool setUp) { m_setUpHere = setUp; }
    // Encrypts the folder of `item` (after the caller asked the user). Emits encrypted().
    void encrypt(QTreeWidgetItem* item);

signals:
    void listed(const QString& serverPath, bool ok);
    void encrypted(const QString& serverPath, bool ok, const QString& message);

private:
    void showMenu(const QPoint& at);
    QString relativeToRoot(const QString& serverPath) const;

    std::shared_ptr<const sync::Account> m_account;
    Options m_options;
    bool m_setUpHere = false;
    QStringList m_unchecked; // applied to items as their levels arrive
};

} // namespace nubo::gui
