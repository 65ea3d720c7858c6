// The settings window's account pane: which server and user this app syncs with, the certificate
// accepted for it, and, when the server refuses the app password (revoked), a banner that asks
// for a new login; "Log out" forgets the account on this computer.
#pragma once

#include "app_settings.h"

#include <QWidget>

class QLabel;
class QPushButton;

namespace nubo::gui {

class AccountPane : public QWidget {
    Q_OBJECT
public:
    explicit AccountPane(QWidget* parent = nullptr);

    void setAccount(const std::optional<AccountSettings>& account);
    // A problem the user must act on (a refused app password); "" hides it.
    void setProblem(const QString& message);
    QString problemText() const;

signals:
    void logInAgainRequested();
    void logOutRequested();

private:
    QLabel* m_details = nullptr;
    QLabel* m_problem = nullptr;
    QPushButton* m_logInAgain = nullptr;
    QPushButton* m_logOut = nullptr;
};

} // namespace nubo::gui
