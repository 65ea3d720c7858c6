#include "app_settings.h"

#include <QDir>
#include <QFileInfo>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryFile>

namespace nubo::gui {

std::string AccountSettings::secretKey() const
{
    return "app-password:" + user.toStdString() + "@" + serverUrl.toStdString();
}

QString FolderSettings::name() const
{
    const QString base = QFileInfo(localPath).fileName();
    return base.isEmpty() ? localPath : base;
}

AppSettings::AppSettings(QString file) : m_file(std::move(file)) {}

QString AppSettings::defaultFile()
{
    return QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation) + QStringLiteral("/Nubo/nubo.conf");
}

QString AppSettings::directory() const
{
    return QFileInfo(m_file).absolutePath();
}

std::optional<AccountSettings> AppSettings::account() const
{
    QSettings settings(m_file, QSettings::IniFormat);
    settings.beginGroup(QStringLiteral("account"));
    AccountSettings account;
    account.serverUrl = settings.value(QStringLiteral("server")).toString();
    account.user = settings.value(QStringLiteral("user")).toString();
    account.pinnedCertificate = settings.value(QStringLiteral("pinnedCertificate")).toString();
    account.secretsInFile = settings.value(QStringLiteral("secretsInFile"), false).toBool();
    if (account.serverUrl.isEmpty() || account.user.isEmpty())
        return std::nullopt;
    return account;
}

void AppSettings::setAccount(const AccountSettings& account)
{
    QSettings settings(m_file, QSettings::IniFormat);
    settings.beginGroup(QStringLiteral("account"));
    settings.setValue(QStringLiteral("server"), account.serverUrl);
    settings.setValue(QStringLiteral("user"), account.user);
    settings.setValue(QStringLiteral("pinnedCertificate"), account.pinnedCertificate);
    settings.setValue(QStringLiteral("secretsInFile"), account.secretsInFile);
}

void AppSettings::removeAccount()
{
    QSettings settings(m_file, QSettings::IniFormat);
    settings.remove(QStringLiteral("account"));
    settings.remove(QStringLiteral("folders"));
}

std::vector<FolderSettings> AppSettings::folders() const
{
    QSettings settings(m_file, QSettings::IniFormat);
    std::vector<FolderSettings> folders;
    const int count = settings.beginReadArray(QStringLiteral("folders"));
    for (int i = 0; i < count; ++i) {
        settings.setArrayIndex(i);
        FolderSettings folder;
        folder.localPath = settings.value(QStringLiteral("local")).toString();
        folder.remotePath = settings.value(QStringLiteral("remote"), QStringLiteral("/")).toString();
        folder.paused = settings.value(QStringLiteral("paused"), false).toBool();
        folder.unsyncedFolders = settings.value(QStringLiteral("unsynced")).toStringList();
        if (!folder.localPath.isEmpty())
            folders.push_back(std::move(folder));
    }
    settings.endArray();
    return folders;
}

void AppSettings::setFolders(const std::vector<FolderSettings>& folders)
{
    QSettings settings(m_file, QSettings::IniFormat);
    settings.remove(QStringLiteral("folders"));
    settings.beginWriteArray(QStringLiteral("folders"), static_cast<int>(folders.size()));
    for (int i = 0; i < static_cast<int>(folders.size()); ++i) {
        settings.setArrayIndex(i);
        const FolderSettings& folder = folders[static_cast<std::size_t>(i)];
        settings.setValue(QStringLiteral("local"), folder.localPath);
        settings.setValue(QStringLiteral("remote"), folder.remotePath);
        settings.setValue(QStringLiteral("paused"), folder.paused);
        settings.setValue(QStringLiteral("unsynced"), folder.unsyncedFolders);
    }
    settings.endArray();
}

std::int64_t AppSettings::uploadLimitKiB() const
{
    return QSettings(m_file, QSettings::IniFormat).value(QStringLiteral("network/uploadLimitKiB"), 0).toLongLong();
}

std::int64_t AppSettings::downloadLimitKiB() const
{
    return QSettings(m_file, QSettings::IniFormat).value(QStringLiteral("network/downloadLimitKiB"), 0).toLongLong();
}

void AppSettings::setBandwidthLimits(std::int64_t uploadKiB, std::int64_t downloadKiB)
{
    QSettings settings(m_file, QSettings::IniFormat);
    settings.setValue(QStringLiteral("network/uploadLimitKiB"), qint64(std::max<std::int64_t>(uploadKiB, 0)));
    settings.setValue(QStringLiteral("network/downloadLimitKiB"), qint64(std::max<std::int64_t>(downloadKiB, 0)));
}

namespace {
// How the proxy's mode and type are written in the settings file.
constexpr std::pair<sync::ProxySettings::Mode, const char*> proxyModes[] = {
    {sync::ProxySettings::Mode::System, "system"},
    {sync::ProxySettings::Mode::None, "none"},
    {sync::ProxySettings::Mode::Manual, "manual"}};
constexpr std::pair<sync::ProxySettings::Type, const char*> proxyTypes[] = {
    {sync::ProxySettings::Type::Http, "http"},
    {sync::ProxySettings::Type::Socks5, "socks5"},
    {sync::ProxySettings::Type::Socks5h, "socks5h"}};
} // namespace

sync::ProxySettings AppSettings::proxy() const
{
    QSettings settings(m_file, QSettings::IniFormat);
    settings.beginGroup(QStringLiteral("proxy"));
    sync::ProxySettings proxy;
    const QString mode = settings.value(QStringLiteral("mode"), QStringLiteral("system")).toString();
    for (const auto& [value, name] : proxyModes)
        if (mode == QLatin1String(name))
            proxy.mode = value;
    const QString type = settings.value(QStringLiteral("type"), QStringLiteral("http")).toString();
    for (const auto& [value, name] : proxyTypes)
        if (type == QLatin1String(name))
            proxy.type = value;
    proxy.host = settings.value(QStringLiteral("host")).toString().toStdString();
    proxy.port = static_cast<std::uint16_t>(std::clamp(settings.value(QStringLiteral("port"), 0).toInt(), 0, 65535));
    proxy.user = settings.value(QStringLiteral("user")).toString().toStdString();
    proxy.source = "Nubo's settings";
    if (proxy.mode == sync::ProxySettings::Mode::Manual && (proxy.host.empty() || proxy.port == 0))
        proxy.mode = sync::ProxySettings::Mode::System; // half written by hand: not a proxy to use
    return proxy;
}

void AppSettings::setProxy(const sync::ProxySettings& proxy)
{
    QSettings settings(m_file, QSettings::IniFormat);
    settings.remove(QStringLiteral("proxy"));
    settings.beginGroup(QStringLiteral("proxy"));
    for (const auto& [value, name] : proxyModes)
        if (proxy.mode == value)
            settings.setValue(QStringLiteral("mode"), QLatin1String(name));
    for (const auto& [value, name] : proxyTypes)
        if (proxy.type == value)
            settings.setValue(QStringLiteral("type"), QLatin1String(name));
    settings.setValue(QStringLiteral("host"), QString::fromStdString(proxy.host));
    settings.setValue(QStringLiteral("port"), int(proxy.port));
    settings.setValue(QStringLiteral("user"), QString::fromStdString(proxy.user));
}

QString AppSettings::excludeFile() const
{
    return directory() + QStringLiteral("/sync-exclude.lst");
}

QString AppSettings::language() const
{
    return QSettings(m_file, QSettings::IniFormat).value(QStringLiteral("general/language")).toString();
}

void AppSettings::setLanguage(const QString& language)
{
    QSettings settings(m_file, QSettings::IniFormat);
    if (language.isEmpty())
        settings.remove(QStringLiteral("general/language"));
    else
        settings.setValue(QStringLiteral("general/language"), language);
}

namespace {
bool sameOrInside(const QString& inner, const QString& outer)
{
    return inner == outer || inner.startsWith(outer + QLatin1Char('/'));
}
} // namespace

QString AppSettings::checkNewLocalFolder(const QString& localPath) const
{
    if (localPath.isEmpty() || !QDir::isAbsolutePath(localPath))
        return QObject::tr("Choose a local folder (a full path such as %1).").arg(QDir::homePath() + "/Nubo");
    const QString path = QDir::cleanPath(QFileInfo(localPath).absoluteFilePath());
    const QFileInfo info(path);
    if (info.exists() && !info.isDir())
        return QObject::tr("%1 is a file, not a folder: choose a folder.").arg(path);
    const QString canonical = info.exists() ? info.canonicalFilePath() : path;
    for (const FolderSettings& folder : folders()) {
        const QFileInfo other(folder.localPath);
        const QString existing = other.exists() ? other.canonicalFilePath() : QDir::cleanPath(folder.localPath);
        if (sameOrInside(canonical, existing))
            return QObject::tr("%1 is already synced (as part of %2): choose another folder.").arg(path, existing);
        if (sameOrInside(existing, canonical))
            return QObject::tr("%1 contains %2, which is already synced: choose another folder.").arg(path, existing);
    }
    if (!info.exists()) {
        if (!QDir().mkpath(path))
            return QObject::tr("%1 does not exist and cannot be made here: choose a folder you can write to.").arg(path);
        return {};
    }
    // Writable in fact, not only by its mode bits (a read-only mount, an ACL).
    QTemporaryFile probe(path + QStringLiteral("/.nubo-write-check-XXXXXX"));
    if (!probe.open())
        return QObject::tr("Nubo cannot write to %1 (%2): choose a folder you can write to, or change its "
                           "permissions.").arg(path, probe.errorString());
    return {};
}

std::unique_ptr<sync::CredentialStore> secretStoreFor(const AccountSettings& account, const AppSettings& settings)
{
    if (account.secretsInFile)
        return std::make_unique<sync::FileCredentialStore>(
            (settings.directory() + QStringLiteral("/secrets.json")).toStdString());
    return std::make_unique<sync::KeychainCredentialStore>();
}

} // namespace nubo::gui
