// "Add a folder": the local folder (typed or chosen) and the server folder, picked in a tree of the
// account's folders that lists each level when it is opened (PROPFIND, off the UI thread). Encrypted
// server folders carry a lock. OK checks the local folder (writable, not synced already, made when
// missing) before the dialog closes; the result is a FolderSettings for the app to start.
#pragma once

#include "app_settings.h"
#include "remote_folder_tree.h"

#include <QDialog>

#include <memory>

class QLabel;
class QLineEdit;

namespace nubo::sync {
class Account;
}

namespace nubo::gui {

class AddFolderDialog : public QDialog {
    Q_OBJECT
public:
    AddFolderDialog(std::shared_ptr<const sync::Account> account, const AppSettings& settings,
                    QWidget* parent = nullptr);

    void setLocalPath(const QString& path);
    // Selects the server folder (its level must be listed already).
    bool selectRemote(const QString& remotePath);
    QString remotePath() const;
    const FolderSettings& result() const { return m_result; }
    QString errorText() const;
    RemoteFolderTree* tree() const { return m_tree; }

    void accept() override; // checks first; closes when the check passes

signals:
    void listed(const QString& remotePath, bool ok); // one level arrived (tests wait for it)
    void checked(bool ok);

private:
    void showError(const QString& message);

    std::shared_ptr<const sync::Account> m_account;
    const AppSettings& m_settings;
    QLineEdit* m_local = nullptr;
    RemoteFolderTree* m_tree = nullptr;
    QLabel* m_error = nullptr;
    bool m_checking = false;
    FolderSettings m_result;
};

} // namespace nubo::gui
