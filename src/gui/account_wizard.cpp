#include "account_wizard.h"
#include "ui_helpers.h"

#include "account.h"
#include "background.h"

#include <QCheckBox>
#include <QClipboard>
#include <QDesktopServices>
#include <QFormLayout>
#include <QGroupBox>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace nubo::gui {

namespace {

// The sync layer's message and what the user can do about it.
QString explain(const sync::SyncError& error)
{
    const QString said = QString::fromStdString(error.message);
    switch (error.code) {
    case sync::SyncErrorCode::Network:
        return said + QLatin1Char('\n') + QObject::tr("Check the address and that this computer is online.");
    case sync::SyncErrorCode::Config:
    case sync::SyncErrorCode::Protocol:
    case sync::SyncErrorCode::NotFound:
        return said + QLatin1Char('\n') +
               QObject::tr("Check that this is the address of a Nextcloud server (the one you open in the browser).");
    default:
        return said;
    }
}

// "AB:CD:…" (32 bytes) in two lines of 16, so that it fits and can be compared piece by piece.
QString twoLines(const QString& fingerprint)
{
    const qsizetype half = fingerprint.size() / 2;
    return fingerprint.size() > 60 ? fingerprint.left(half) + QLatin1Char('\n') + fingerprint.mid(half + 1)
                                   : fingerprint;
}

struct ProbeOutcome {
    sync::Result<sync::ServerProbe> probe;
    std::optional<sync::PeerCertificate> certificate; // when the certificate is what failed
    std::optional<sync::SyncError> certificateError;
};

} // namespace

// ---- the server's address ----

ServerPage::ServerPage(QWidget* parent) : QWizardPage(parent)
{
    setObjectName(QStringLiteral("serverPage"));
    setTitle(tr("Your Nextcloud server"));
    setSubTitle(tr("The address you open in the browser to use your Nextcloud, such as cloud.example.org."));
    auto* layout = new QVBoxLayout(this);
    auto* form = new QFormLayout;
    m_url = new QLineEdit(this);
    m_url->setObjectName(QStringLiteral("serverUrl"));
    m_url->setPlaceholderText(QStringLiteral("https://cloud.example.org"));
    m_url->setAccessibleName(tr("Server address"));
    form->addRow(tr("Server &address:"), m_url);
    layout->addLayout(form);
    m_error = errorLabel(this, QStringLiteral("serverError"));
    layout->addWidget(m_error);

    m_certificatePanel = new QGroupBox(tr("This server's certificate is not trusted by this computer"), this);
    m_certificatePanel->setObjectName(QStringLiteral("certificatePanel"));
    auto* panel = new QVBoxLayout(m_certificatePanel);
    m_certificate = new QLabel(m_certificatePanel);
    m_certificate->setObjectName(QStringLiteral("certificateDetails"));
    m_certificate->setWordWrap(true);
    m_certificate->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    m_certificate->setFocusPolicy(Qt::StrongFocus);
    m_certificate->setAccessibleDescription(tr("Certificate details"));
    panel->addWidget(m_certificate);
    m_trust = new QCheckBox(tr("I checked this fingerprint and trust this certificate"), m_certificatePanel);
    m_trust->setObjectName(QStringLiteral("trustCertificate"));
    panel->addWidget(m_trust);
    m_certificatePanel->hide();
    layout->addWidget(m_certificatePanel);
    layout->addStretch();

    connect(m_url, &QLineEdit::textChanged, this, [this](const QString& text) {
        if (m_offered && text.trimmed() != m_offeredFor) {
            m_certificatePanel->hide();
            m_offered.reset();
        }
        m_error->hide();
        emit completeChanged();
    });
    connect(m_trust, &QCheckBox::toggled, this, &ServerPage::completeChanged);
}

bool ServerPage::isComplete() const
{
    return !m_busy && !m_url->text().trimmed().isEmpty();
}

QString ServerPage::errorText() const
{
    return m_error->isVisible() ? m_error->text() : QString();
}

void ServerPage::showError(const QString& message)
{
    m_error->setText(message);
    m_error->setVisible(!message.isEmpty());
}

bool ServerPage::validatePage()
{
    const QString typed = m_url->text().trimmed();
    if (!m_checkedUrl.isEmpty() && typed == m_checkedUrl)
        return true;
    if (!m_busy)
        check();
    return false; // the check moves on by itself when it succeeds
}

void ServerPage::check()
{
    const QString typed = m_url->text().trimmed();
    std::string pin;
    if (m_offered && m_offeredFor == typed && m_trust->isChecked())
        pin = m_offered->sha256;
    m_busy = true;
    m_checkedUrl.clear();
    showError({});
    setSubTitle(tr("Checking %1…").arg(typed));
    emit completeChanged();
    runInBackground(
        this,
        [typed = typed.toStdString(), pin] {
            ProbeOutcome outcome{sync::Account::probe(typed, false, pin), std::nullopt, std::nullopt};
            if (!outcome.probe && outcome.probe.error().code == sync::SyncErrorCode::Tls) {
                if (auto root = sync::Account::normaliseServerUrl(typed)) {
                    if (auto certificate = sync::HttpClient::peerCertificate(*root))
                        outcome.certificate = std::move(*certificate);
                    else
                        outcome.certificateError = certificate.error();
                }
            }
            sync::HttpClient::releaseThreadResources();
            return outcome;
        },
        [this, typed, pin](ProbeOutcome outcome) {
            m_busy = false;
            setSubTitle(tr("The address you open in the browser to use your Nextcloud, such as cloud.example.org."));
            emit completeChanged();
            if (outcome.probe) {
                m_checkedUrl = typed;
                m_serverUrl = outcome.probe->serverUrl.toString();
                m_pinned = QString::fromStdString(pin);
                emit checkFinished(true);
                if (wizard() && wizard()->currentPage() == this)
                    wizard()->next();
                return;
            }
            if (outcome.certificate) {
                const sync::PeerCertificate& c = *outcome.certificate;
                QStringList why;
                for (const auto& reason : c.errors)
                    why << QString::fromStdString(reason);
                m_certificate->setText(
                    tr("Issued to: %1\nIssued by: %2\nValid from %3 to %4\nWhy it is not trusted: %5\n\n"
                       "SHA-256 fingerprint:\n%6\n\n"
                       "Accept it only if its fingerprint is the one your server's administrator gave you. A "
                       "different certificate later will be refused.")
                        .arg(QString::fromStdString(c.subject), QString::fromStdString(c.issuer),
                             QString::fromStdString(c.notBefore), QString::fromStdString(c.notAfter),
                             why.join(QStringLiteral("; ")), twoLines(QString::fromStdString(c.sha256))));
                const bool same = m_offered && m_offered->sha256 == c.sha256 && m_offeredFor == typed;
                m_offered = c;
                m_offeredFor = typed;
                if (!same)
                    m_trust->setChecked(false);
                m_certificatePanel->show();
                showError(tr("Check the certificate below. To use this server, tick the box and press Next again."));
                emit checkFinished(false);
                return;
            }
            const sync::SyncError& error = outcome.certificateError ? *outcome.certificateError : outcome.probe.error();
            showError(explain(error));
            emit checkFinished(false);
        });
}

// ---- the login ----

LoginPage::LoginPage(AppSettings& settings, QWidget* parent)
    : QWizardPage(parent), m_settings(settings),
      m_openUrl([](const QUrl& url) { return QDesktopServices::openUrl(url); }),
      m_secretStore([&settings](const AccountSettings& account) { return secretStoreFor(account, settings); })
{
    setObjectName(QStringLiteral("loginPage"));
    setTitle(tr("Log in"));
    setSubTitle(tr("Log in in your browser and grant Nubo access. Nubo gets its own app password; your password "
                   "stays with the server."));
    auto* layout = new QVBoxLayout(this);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("loginStatus"));
    m_status->setWordWrap(true);
    m_status->setFocusPolicy(Qt::StrongFocus);
    m_status->setAccessibleDescription(tr("Login status"));
    layout->addWidget(m_status);
    auto* buttons = new QHBoxLayout;
    m_openBrowser = new QPushButton(tr("&Open the browser"), this);
    m_openBrowser->setObjectName(QStringLiteral("openBrowser"));
    m_copyLink = new QPushButton(tr("&Copy the link"), this);
    m_copyLink->setObjectName(QStringLiteral("copyLink"));
    buttons->addWidget(m_openBrowser);
    buttons->addWidget(m_copyLink);
    buttons->addStretch();
    layout->addLayout(buttons);
    m_error = errorLabel(this, QStringLiteral("loginError"));
    layout->addWidget(m_error);
    m_useFile = new QPushButton(tr("Keep the app password in a private &file"), this);
    m_useFile->setObjectName(QStringLiteral("useSecretFile"));
    m_useFile->hide();
    layout->addWidget(m_useFile, 0, Qt::AlignLeft);

    m_useAppPassword = new QPushButton(tr("Use an &app password instead"), this);
    m_useAppPassword->setObjectName(QStringLiteral("useAppPassword"));
    m_useAppPassword->setFlat(true);
    layout->addWidget(m_useAppPassword, 0, Qt::AlignLeft);
    m_appPasswordPanel = new QGroupBox(tr("App password (made in the web interface under Settings → Security)"), this);
    m_appPasswordPanel->setObjectName(QStringLiteral("appPasswordPanel"));
    auto* form = new QFormLayout(m_appPasswordPanel);
    m_user = new QLineEdit(m_appPasswordPanel);
    m_user->setObjectName(QStringLiteral("user"));
    m_user->setAccessibleName(tr("User name"));
    m_appPassword = new QLineEdit(m_appPasswordPanel);
    m_appPassword->setObjectName(QStringLiteral("appPassword"));
    m_appPassword->setEchoMode(QLineEdit::Password);
    m_appPassword->setAccessibleName(tr("App password"));
    m_logIn = new QPushButton(tr("&Log in"), m_appPasswordPanel);
    m_logIn->setObjectName(QStringLiteral("logIn"));
    form->addRow(tr("&User name:"), m_user);
    form->addRow(tr("App &password:"), m_appPassword);
    form->addRow(QString(), m_logIn);
    m_appPasswordPanel->hide();
    layout->addWidget(m_appPasswordPanel);
    layout->addStretch();

    m_poll.setInterval(std::chrono::seconds(2));
    connect(&m_poll, &QTimer::timeout, this, &LoginPage::pollOnce);
    connect(m_openBrowser, &QPushButton::clicked, this, [this] {
        if (!m_loginUrl.isEmpty() && !m_openUrl(QUrl(m_loginUrl)))
            showError(tr("No browser could be opened. Copy the link and open it in a browser yourself."));
    });
    connect(m_copyLink, &QPushButton::clicked, this, [this] {
        QGuiApplication::clipboard()->setText(m_loginUrl);
        m_status->setText(tr("The link is on the clipboard: open it in a browser, log in and grant access. "
                             "Nubo is waiting."));
    });
    connect(m_useAppPassword, &QPushButton::clicked, this, [this] {
        m_appPasswordPanel->show();
        m_user->setFocus();
    });
    connect(m_logIn, &QPushButton::clicked, this, [this] {
        if (m_user->text().trimmed().isEmpty() || m_appPassword->text().isEmpty()) {
            showError(tr("Type your user name and an app password."));
            return;
        }
        verifyAndStore(m_user->text().trimmed(), m_appPassword->text(), false);
    });
    connect(m_useFile, &QPushButton::clicked, this, [this] { storeSecret(true); });
}

bool LoginPage::isComplete() const
{
    return m_account.has_value();
}

QString LoginPage::statusText() const
{
    return m_status->text();
}

QString LoginPage::errorText() const
{
    return m_error->isVisible() ? m_error->text() : QString();
}

void LoginPage::showError(const QString& message)
{
    m_error->setText(message);
    m_error->setVisible(!message.isEmpty());
    if (!message.isEmpty())
        emit failed(message);
}

void LoginPage::initializePage()
{
    ++m_generation;
    m_account.reset();
    m_pending.reset();
    m_flow.reset();
    m_loginUrl.clear();
    m_useFile->hide();
    showError({});
    m_openBrowser->setEnabled(false);
    m_copyLink->setEnabled(false);
    startFlow();
}

void LoginPage::cleanupPage()
{
    ++m_generation;
    m_poll.stop();
    m_flow.reset();
}

void LoginPage::startFlow()
{
    auto* page = qobject_cast<AccountWizard*>(wizard());
    const QString server = page ? page->serverPage()->serverUrl() : QString();
    const QString pin = page ? page->serverPage()->pinnedCertificate() : QString();
    m_status->setText(tr("Starting the login at %1…").arg(server));
    const int generation = m_generation;
    runInBackground(
        this,
        [server = server.toStdString(), pin = pin.toStdString()] {
            auto flow = sync::LoginFlow::start(server, false, pin);
            sync::HttpClient::releaseThreadResources();
            return flow.has_value() ? sync::Result<std::shared_ptr<sync::LoginFlow>>(
                                          std::make_shared<sync::LoginFlow>(std::move(*flow)))
                                    : sync::Result<std::shared_ptr<sync::LoginFlow>>(std::unexpected(flow.error()));
        },
        [this, generation](sync::Result<std::shared_ptr<sync::LoginFlow>> flow) {
            if (generation != m_generation)
                return;
            if (!flow) {
                m_status->setText(tr("The browser login cannot be used with this server."));
                showError(explain(flow.error()) + QLatin1Char('\n') + tr("You can use an app password instead."));
                m_appPasswordPanel->show();
                return;
            }
            m_flow = *flow;
            m_loginUrl = QString::fromStdString(m_flow->loginUrl());
            m_openBrowser->setEnabled(true);
            m_copyLink->setEnabled(true);
            emit loginUrlReady(m_loginUrl);
            if (m_openUrl(QUrl(m_loginUrl)))
                m_status->setText(tr("Your browser shows the login page: log in there and grant access. Nubo is "
                                     "waiting and goes on by itself."));
            else
                m_status->setText(tr("No browser could be opened. Copy the link, open it in a browser, log in "
                                     "and grant access; Nubo is waiting."));
            m_poll.start();
        });
}

void LoginPage::pollOnce()
{
    if (m_polling || !m_flow)
        return;
    m_polling = true;
    const int generation = m_generation;
    runInBackground(
        this,
        [flow = m_flow] {
            auto answer = flow->poll();
            sync::HttpClient::releaseThreadResources();
            return answer;
        },
        [this, generation](sync::Result<std::optional<sync::LoginCredentials>> answer) {
            m_polling = false;
            if (generation != m_generation || m_pending || m_account)
                return;
            if (!answer) {
                if (answer.error().retryable()) {
                    m_status->setText(tr("Still waiting for the login (the server did not answer the last check: "
                                         "%1).").arg(QString::fromStdString(answer.error().message)));
                    return;
                }
                m_poll.stop();
                showError(explain(answer.error()));
                return;
            }
            if (!answer->has_value())
                return;
            m_poll.stop();
            verifyAndStore(QString::fromStdString((*answer)->loginName),
                           QString::fromStdString((*answer)->appPassword), true);
        });
}

void LoginPage::verifyAndStore(const QString& user, const QString& appPassword, bool fromBrowser)
{
    auto* page = qobject_cast<AccountWizard*>(wizard());
    AccountSettings account;
    account.serverUrl = page ? page->serverPage()->serverUrl() : QString();
    account.pinnedCertificate = page ? page->serverPage()->pinnedCertificate() : QString();
    account.user = user;
    showError({});
    m_logIn->setEnabled(false);
    m_status->setText(tr("Checking the app password…"));
    const int generation = m_generation;
    sync::AccountConfig config;
    config.serverUrl = account.serverUrl.toStdString();
    config.user = user.toStdString();
    config.password = appPassword.toStdString();
    config.pinnedCertificate = account.pinnedCertificate.toStdString();
    runInBackground(
        this,
        [config = std::move(config)]() mutable {
            auto connected = sync::Account::connect(std::move(config));
            sync::HttpClient::releaseThreadResources();
            return connected.has_value() ? sync::Result<void>() : sync::Result<void>(std::unexpected(connected.error()));
        },
        [this, generation, account, appPassword, fromBrowser](sync::Result<void> connected) {
            m_logIn->setEnabled(true);
            if (generation != m_generation)
                return;
            if (!connected) {
                m_status->clear();
                if (connected.error().code == sync::SyncErrorCode::Auth)
                    showError(fromBrowser ? tr("The server did not accept the app password it just gave out. Go "
                                               "back and log in again.")
                                          : tr("The server refused this user name and app password. Check them, "
                                               "or make a new app password in the web interface."));
                else
                    showError(explain(connected.error()));
                return;
            }
            m_poll.stop();
            m_pending = account;
            m_pendingSecret = appPassword;
            storeSecret(false);
        });
}

void LoginPage::storeSecret(bool inFile)
{
    if (!m_pending)
        return;
    AccountSettings account = *m_pending;
    account.secretsInFile = inFile;
    std::shared_ptr<sync::CredentialStore> store = m_secretStore(account);
    m_useFile->setEnabled(false);
    m_status->setText(inFile ? tr("Storing the app password in a private file…")
                             : tr("Storing the app password in the system keychain…"));
    const int generation = m_generation;
    runInBackground(
        this,
        [store, key = account.secretKey(), secret = m_pendingSecret.toStdString()]() mutable {
            auto written = store->write(key, secret);
            std::fill(secret.begin(), secret.end(), '\0');
            return written;
        },
        [this, generation, account, inFile](sync::Result<void> written) {
            m_useFile->setEnabled(true);
            if (generation != m_generation)
                return;
            if (!written) {
                m_status->clear();
                if (inFile) {
                    showError(tr("The app password could not be stored: %1")
                                  .arg(QString::fromStdString(written.error().message)));
                } else {
                    showError(tr("The system keychain could not store the app password: %1\nUnlock or install a "
                                 "keychain (such as GNOME Keyring or KWallet) and go back and forth to try again, "
                                 "or let Nubo keep it in a private file that only you can read (%2).")
                                  .arg(QString::fromStdString(written.error().message),
                                       m_settings.directory() + QStringLiteral("/secrets.json")));
                    m_useFile->show();
                }
                return;
            }
            m_pendingSecret.fill(QChar(0));
            m_pendingSecret.clear();
            m_pending.reset();
            m_useFile->hide();
            showError({});
            m_account = account;
            m_status->setText(tr("Logged in as %1 on %2. The app password is kept %3.")
                                  .arg(account.user, account.serverUrl,
                                       inFile ? tr("in a private file") : tr("in the system keychain")));
            emit completeChanged();
            emit loggedIn();
        });
}

// ---- the wizard ----

AccountWizard::AccountWizard(AppSettings& settings, QWidget* parent) : QWizard(parent)
{
    setObjectName(QStringLiteral("accountWizard"));
    setWindowTitle(tr("Connect Nubo to your Nextcloud"));
    setAccessibleName(tr("Account wizard"));
    resize(640, 540);
    setOption(QWizard::NoBackButtonOnLastPage, false);
    m_server = new ServerPage(this);
    m_login = new LoginPage(settings, this);
    addPage(m_server);
    addPage(m_login);
    connect(this, &QWizard::accepted, this, [this] {
        if (m_login->account())
            emit accountReady(*m_login->account());
    });
}

AccountWizard::~AccountWizard() = default;

} // namespace nubo::gui
