#include "remote_folder_tree.h"

#include "account.h"
#include "background.h"
#include "e2ee_api_client.h"
#include "webdav_client.h"

#include <QIcon>
#include <QMenu>
#include <QMessageBox>
#include <QStyle>

namespace nubo::gui {

namespace {
// Only folders given a tick take part in selective sync (items are checkable by default in Qt).
bool ticked(const QTreeWidgetItem* item)
{
    return item->data(0, Qt::CheckStateRole).isValid();
}

constexpr int kPathRole = Qt::UserRole;
constexpr int kListedRole = Qt::UserRole + 1;
constexpr int kEncryptedRole = Qt::UserRole + 2;
constexpr int kEmptyRole = Qt::UserRole + 3; // set once listed
constexpr int kFileIdRole = Qt::UserRole + 4;

struct Level {
    sync::Result<sync::RemoteListing> listing;
};

// An encrypted folder: a folder with a padlock, and words for screen readers.
void markEncrypted(QTreeWidgetItem* item)
{
    item->setData(0, kEncryptedRole, true);
    item->setIcon(0, QIcon(QStringLiteral(":/icons/folder-encrypted.svg")));
    item->setToolTip(0, RemoteFolderTree::tr("End-to-end encrypted"));
    item->setData(0, Qt::AccessibleDescriptionRole, RemoteFolderTree::tr("end-to-end encrypted"));
}
} // namespace

EncryptRule encryptRule(const EncryptFacts& facts)
{
    if (!facts.serverOffersE2ee)
        return {false, QObject::tr("This server does not offer end-to-end encryption.")};
    if (facts.encrypted)
        return {false, QObject::tr("This folder is end-to-end encrypted already.")};
    if (facts.insideEncrypted)
        return {false, QObject::tr("This folder is inside an encrypted folder, so it is encrypted already.")};
    if (facts.isRoot)
        return {false, QObject::tr("Only a folder inside this one can be encrypted.")};
    if (!facts.setUpHere)
        return {false, QObject::tr("Set up end-to-end encryption on this computer first (the Encryption tab).")};
    if (!facts.empty.has_value())
        return {false, QObject::tr("Checking whether the folder is empty…")};
    if (!*facts.empty)
        return {false, QObject::tr("Only an empty folder can be encrypted: the files in it would stay readable by the "
                                   "server. Move them out, encrypt the folder, and move them back in.")};
    return {true, {}};
}

RemoteFolderTree::RemoteFolderTree(std::shared_ptr<const sync::Account> account, Options options, QWidget* parent)
    : QTreeWidget(parent), m_account(std::move(account)), m_options(std::move(options))
{
    setObjectName(QStringLiteral("remoteTree"));
    setAccessibleName(tr("Server folders"));
    setHeaderHidden(true);
    auto* root = new QTreeWidgetItem(this, {m_options.rootLabel.isEmpty() ? m_options.rootPath : m_options.rootLabel});
    root->setData(0, kPathRole, m_options.rootPath);
    root->setIcon(0, style()->standardIcon(QStyle::SP_DirHomeIcon));
    root->setChildIndicatorPolicy(QTreeWidgetItem::ShowIndicator);
    root->setFlags(root->flags() & ~Qt::ItemIsUserCheckable); // the connection itself is not left out
    setCurrentItem(root);
    connect(this, &QTreeWidget::itemExpanded, this, [this](QTreeWidgetItem* item) { list(item); });
    if (m_options.encryptMenu) {
        setContextMenuPolicy(Qt::CustomContextMenu);
        connect(this, &QWidget::customContextMenuRequested, this, &RemoteFolderTree::showMenu);
    }
    if (m_options.checkable) {
        connect(this, &QTreeWidget::itemChanged, this, [this](QTreeWidgetItem* item, int) {
            // A ticked or unticked folder takes its listed subfolders along.
            const Qt::CheckState state = item->checkState(0);
            for (int i = 0; i < item->childCount(); ++i)
                if (ticked(item->child(i)))
                    item->child(i)->setCheckState(0, state);
        });
    }
    root->setExpanded(true); // lists the first level
}

QString RemoteFolderTree::pathOf(const QTreeWidgetItem* item)
{
    return item ? item->data(0, kPathRole).toString() : QString();
}

bool RemoteFolderTree::isEncrypted(const QTreeWidgetItem* item)
{
    return item->data(0, kEncryptedRole).toBool();
}

bool RemoteFolderTree::isListed(const QTreeWidgetItem* item)
{
    return item->data(0, kEmptyRole).isValid();
}

QTreeWidgetItem* RemoteFolderTree::itemFor(const QString& serverPath) const
{
    for (QTreeWidgetItemIterator it(const_cast<RemoteFolderTree*>(this)); *it; ++it)
        if (pathOf(*it) == serverPath)
            return *it;
    return nullptr;
}

QString RemoteFolderTree::relativeToRoot(const QString& serverPath) const
{
    const QString root = m_options.rootPath == QStringLiteral("/") ? QString() : m_options.rootPath;
    return serverPath.mid(root.size() + 1);
}

void RemoteFolderTree::list(QTreeWidgetItem* item)
{
    if (item->data(0, kListedRole).toBool())
        return;
    item->setData(0, kListedRole, true);
    const QString path = pathOf(item);
    auto* loading = new QTreeWidgetItem(item, {tr("Loading…")});
    loading->setFlags(Qt::NoItemFlags);
    runInBackground(
        this,
        [account = m_account, path] {
            sync::WebDavClient dav(account, std::string());
            const std::string relative = path == QStringLiteral("/") ? std::string() : path.mid(1).toStdString();
            Level level{dav.list(relative)};
            sync::HttpClient::releaseThreadResources();
            return level;
        },
        [this, item, path, loading](Level level) {
            delete loading;
            if (!level.listing) {
                item->setData(0, kListedRole, false); // opened again, it tries again
                auto* failed = new QTreeWidgetItem(
                    item, {tr("Could not be listed: %1").arg(QString::fromStdString(level.listing.error().message))});
                failed->setFlags(Qt::NoItemFlags);
                emit listed(path, false);
                return;
            }
            item->setData(0, kEmptyRole, level.listing->children.empty() && level.listing->refused.empty());
            if (item->data(0, kFileIdRole).toString().isEmpty())
                item->setData(0, kFileIdRole, QString::fromStdString(level.listing->self.fileId));
            const bool parentEncrypted = item->data(0, kEncryptedRole).toBool() || level.listing->self.encrypted;
            std::vector<std::pair<QString, sync::RemoteEntry>> folders;
            for (const auto& [name, entry] : level.listing->children)
                if (entry.type == sync::ItemType::Directory)
                    folders.emplace_back(QString::fromStdString(name), entry);
            std::sort(folders.begin(), folders.end(),
                      [](const auto& a, const auto& b) { return a.first.localeAwareCompare(b.first) < 0; });
            const QSignalBlocker quiet(this); // ticks set here are not the user's
            for (const auto& [name, entry] : folders) {
                auto* child = new QTreeWidgetItem(item, {name});
                const QString childPath = (path == QStringLiteral("/") ? QString() : path) + QLatin1Char('/') + name;
                child->setData(0, kPathRole, childPath);
                child->setData(0, kFileIdRole, QString::fromStdString(entry.fileId));
                child->setIcon(0, style()->standardIcon(QStyle::SP_DirIcon));
                const bool encrypted = entry.encrypted || parentEncrypted;
                child->setData(0, kEncryptedRole, encrypted);
                if (encrypted) {
                    // Its names are encrypted on the server; what they are shows once synced.
                    markEncrypted(child);
                    child->setChildIndicatorPolicy(QTreeWidgetItem::DontShowIndicator);
                } else {
                    child->setChildIndicatorPolicy(QTreeWidgetItem::ShowIndicator);
                }
                if (m_options.checkable) {
                    const QString relative = relativeToRoot(childPath);
                    bool unchecked = ticked(item) && item->checkState(0) == Qt::Unchecked;
                    for (const QString& left : m_unchecked)
                        unchecked = unchecked || relative == left || relative.startsWith(left + QLatin1Char('/'));
                    child->setFlags(child->flags() | Qt::ItemIsUserCheckable);
                    child->setCheckState(0, unchecked ? Qt::Unchecked : Qt::Checked);
                }
            }
            if (folders.empty())
                item->setChildIndicatorPolicy(QTreeWidgetItem::DontShowIndicatorWhenChildless);
            emit listed(path, true);
        });
}

QStringList RemoteFolderTree::uncheckedFolders() const
{
    // The highest unticked folders; what was never listed keeps the setting it had.
    QStringList result;
    for (QTreeWidgetItemIterator it(const_cast<RemoteFolderTree*>(this)); *it; ++it) {
        const QTreeWidgetItem* item = *it;
        if (!ticked(item) || item->checkState(0) != Qt::Unchecked)
            continue;
        const QTreeWidgetItem* parent = item->parent();
        if (parent && ticked(parent) && parent->checkState(0) == Qt::Unchecked)
            continue;
        result << relativeToRoot(pathOf(item));
    }
    for (const QString& left : m_unchecked) {
        bool seen = false;
        for (QTreeWidgetItemIterator it(const_cast<RemoteFolderTree*>(this)); *it && !seen; ++it)
            seen = ticked(*it) && relativeToRoot(pathOf(*it)) == left;
        if (!seen && !result.contains(left))
            result << left;
    }
    result.sort();
    return result;
}

void RemoteFolderTree::setUncheckedFolders(const QStringList& relative)
{
    m_unchecked = relative;
}

EncryptRule RemoteFolderTree::encryptRuleFor(const QTreeWidgetItem* item) const
{
    EncryptFacts facts;
    facts.serverOffersE2ee = m_options.serverOffersE2ee;
    facts.setUpHere = m_setUpHere;
    facts.encrypted = item->data(0, kEncryptedRole).toBool() && !(item->parent() && item->parent()->data(0, kEncryptedRole).toBool());
    facts.insideEncrypted = item->parent() && item->parent()->data(0, kEncryptedRole).toBool();
    if (item->data(0, kListedRole).toBool() && item->data(0, kEmptyRole).isValid())
        facts.empty = item->data(0, kEmptyRole).toBool();
    facts.isRoot = item->parent() == nullptr;
    return encryptRule(facts);
}

void RemoteFolderTree::showMenu(const QPoint& at)
{
    QTreeWidgetItem* item = itemAt(at);
    if (!item || pathOf(item).isEmpty())
        return;
    if (!item->data(0, kListedRole).toBool())
        list(item); // whether it is empty: the entry says "checking" until then
    QMenu menu(this);
    menu.setObjectName(QStringLiteral("folderMenu"));
    const EncryptRule rule = encryptRuleFor(item);
    QAction* encryptAction = menu.addAction(tr("&Encrypt"));
    encryptAction->setObjectName(QStringLiteral("encrypt"));
    encryptAction->setEnabled(rule.enabled);
    encryptAction->setToolTip(rule.reason);
    encryptAction->setStatusTip(rule.reason);
    menu.setToolTipsVisible(true);
    // Chosen when the action is triggered, not by what exec() returns: a screen reader's "press"
    // (AT-SPI) triggers the action without making it exec()'s answer.
    bool chosen = false;
    connect(encryptAction, &QAction::triggered, &menu, [&chosen, &menu] {
        chosen = true;
        menu.close();
    });
    menu.exec(viewport()->mapToGlobal(at));
    if (!chosen)
        return;
    const auto answer = QMessageBox::question(
        this, tr("Encrypt this folder?"),
        tr("Everything you put in %1 will be encrypted on this computer before it is uploaded, with names the server "
           "cannot read.\n\nThe web interface will not be able to show these files, and the folder cannot be "
           "shared yet. Other devices need your 12 words to read them. This cannot be undone.")
            .arg(pathOf(item)),
        QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel);
    if (answer == QMessageBox::Yes)
        encrypt(item);
}

void RemoteFolderTree::encrypt(QTreeWidgetItem* item)
{
    const QString path = pathOf(item);
    const std::string fileId = item->data(0, kFileIdRole).toString().toStdString();
    const auto kind = m_options.keyStore.value_or(sync::KeyStoreKind::Keychain);
    runInBackground(
        this,
        [account = m_account, fileId, kind]() -> sync::Result<void> {
            auto api = sync::E2eeApiClient::forAccount(*account);
            if (!api)
                return std::unexpected(api.error());
            auto store = sync::openE2eeKeyStore(*account, kind);
            if (!store)
                return std::unexpected(store.error());
            auto identity = sync::loadE2eeIdentity(&*api, account->davUser(), *store);
            if (!identity)
                return std::unexpected(identity.error());
            if (!*identity)
                return sync::fail(sync::SyncErrorCode::Config,
                                  RemoteFolderTree::tr("end-to-end encryption is not set up on this computer")
                                      .toStdString());
            auto done = sync::encryptEmptyFolder(*api, **identity, fileId);
            sync::HttpClient::releaseThreadResources();
            return done;
        },
        [this, path](sync::Result<void> done) {
            if (QTreeWidgetItem* target = itemFor(path); target && done)
                markEncrypted(target);
            emit encrypted(path, done.has_value(),
                           done ? tr("%1 is now end-to-end encrypted.").arg(path)
                                : tr("%1 could not be encrypted: %2").arg(path, QString::fromStdString(done.error().message)));
        });
}

} // namespace nubo::gui
