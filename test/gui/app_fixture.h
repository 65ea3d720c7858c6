// What the tests of the app as a whole share: a real nubo-server with alice on it, a settings file
// in a temporary folder, the controller's options for a test (a trash folder, quick watching, the
// browser replaced by a list of the URLs it was asked to open), and an account as the wizard
// leaves it.
#pragma once

#include "app_controller.h"
#include "server_process.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <gtest/gtest.h>

#include <filesystem>

namespace nubo::gui::test {

class AppFixture : public ::testing::Test {
protected:
    static constexpr int kWait = 30000;

    void SetUp() override
    {
        m_server.addUser("alice", "secret");
        m_server.start();
        m_settingsFile = m_work.filePath(QStringLiteral("config/nubo.conf"));
    }

    AppController::Options options()
    {
        AppController::Options o;
        o.settingsFile = m_settingsFile;
        o.tray = true;
        o.trashFolder = std::filesystem::path(m_work.path().toStdString()) / "trash";
        o.watch.debounce = std::chrono::milliseconds(200);
        o.watch.pollInterval = std::chrono::milliseconds(500);
        o.urlOpener = [this](const QUrl& url) {
            m_opened << url;
            return true;
        };
        return o;
    }

    // An account as the wizard leaves it, with its password (or app password) in the private file.
    void configureAccount(const std::string& password = "secret")
    {
        AppSettings settings(m_settingsFile);
        AccountSettings account{QString::fromStdString(m_server.baseUrl()), QStringLiteral("alice"), {}, true};
        settings.setAccount(account);
        sync::FileCredentialStore store(secretsFile());
        ASSERT_TRUE(store.write(account.secretKey(), password));
    }

    // The sync connections the app finds at its start.
    void setFolders(const std::vector<FolderSettings>& folders) { AppSettings(m_settingsFile).setFolders(folders); }

    // Starts the app (with an account configured) and waits until the account is connected.
    static bool startConnected(AppController& app)
    {
        QSignalSpy connected(&app, &AppController::accountConnected);
        app.start();
        return connected.wait(kWait);
    }

    std::filesystem::path secretsFile() const
    {
        return (AppSettings(m_settingsFile).directory() + QStringLiteral("/secrets.json")).toStdString();
    }

    // A folder under the test's temporary folder, made when missing.
    QString localFolder(const std::string& name)
    {
        const std::filesystem::path path = std::filesystem::path(m_work.path().toStdString()) / name;
        std::filesystem::create_directories(path);
        return QString::fromStdString(path.string());
    }

    itest::ServerProcess m_server{NUBO_SERVER_BINARY};
    QTemporaryDir m_work;
    QString m_settingsFile;
    QList<QUrl> m_opened;
};

} // namespace nubo::gui::test
