#include "account_pane.h"

#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace nubo::gui {

AccountPane::AccountPane(QWidget* parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("accountPane"));
    setAccessibleName(tr("Account"));
    auto* layout = new QVBoxLayout(this);
    m_problem = new QLabel(this);
    m_problem->setObjectName(QStringLiteral("accountProblem"));
    m_problem->setWordWrap(true);
    m_problem->setStyleSheet(QStringLiteral("background: #c0392b; color: white; padding: 8px;"));
    m_problem->setFocusPolicy(Qt::StrongFocus);
    m_problem->setAccessibleDescription(tr("Account problem"));
    m_problem->hide();
    layout->addWidget(m_problem);
    m_logInAgain = new QPushButton(tr("Log &in again…"), this);
    m_logInAgain->setObjectName(QStringLiteral("logInAgain"));
    m_logInAgain->hide();
    layout->addWidget(m_logInAgain, 0, Qt::AlignLeft);
    m_details = new QLabel(this);
    m_details->setObjectName(QStringLiteral("accountDetails"));
    m_details->setWordWrap(true);
    m_details->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    m_details->setFocusPolicy(Qt::StrongFocus);
    m_details->setAccessibleDescription(tr("Account details"));
    layout->addWidget(m_details);
    m_logOut = new QPushButton(tr("Log &out…"), this);
    m_logOut->setObjectName(QStringLiteral("logOut"));
    layout->addWidget(m_logOut, 0, Qt::AlignLeft);
    layout->addStretch();
    connect(m_logInAgain, &QPushButton::clicked, this, &AccountPane::logInAgainRequested);
    connect(m_logOut, &QPushButton::clicked, this, &AccountPane::logOutRequested);
    setAccount(std::nullopt);
}

void AccountPane::setAccount(const std::optional<AccountSettings>& account)
{
    if (!account) {
        m_details->setText(tr("No account is set up."));
        m_logOut->hide();
        return;
    }
    QString text = tr("Server: %1\nUser: %2\nApp password kept %3")
                       .arg(account->serverUrl, account->user,
                            account->secretsInFile ? tr("in a private file") : tr("in the system keychain"));
    if (!account->pinnedCertificate.isEmpty())
        text += QLatin1Char('\n') + tr("Certificate accepted by you, SHA-256 %1").arg(account->pinnedCertificate);
    m_details->setText(text);
    m_logOut->show();
}

void AccountPane::setProblem(const QString& message)
{
    m_problem->setText(message);
    m_problem->setVisible(!message.isEmpty());
    m_logInAgain->setVisible(!message.isEmpty());
}

QString AccountPane::problemText() const
{
    return m_problem->isHidden() ? QString() : m_problem->text();
}

} // namespace nubo::gui
