#include "encryption_pane.h"

#include <QAbstractButton>
#include <QCryptographicHash>
#include <QDialog>
#include <QDialogButtonBox>
#include <QEvent>
#include <QFormLayout>
#include <QFrame>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QStackedWidget>
#include <QVBoxLayout>
#include <optional>

#include <openssl/crypto.h>

#include "account.h"
#include "background.h"
#include "e2ee_api_client.h"
#include "mnemonic_widgets.h"

namespace nubo::gui {

// The account connected and its key store open, shared by the background jobs of one pane (one
// at a time: the pane is busy while a job runs).
struct EncryptionSession {
    std::shared_ptr<sync::Account> account;
    std::optional<sync::E2eeApiClient> api;
    std::optional<sync::E2eeKeyStore> store;

    const std::string& userId() const { return account->davUser(); }
};

namespace {

QLabel* textLabel(const QString& text, QWidget* parent, const QString& name = {})
{
    auto* label = new QLabel(text, parent);
    label->setWordWrap(true);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    if (!name.isEmpty()) label->setObjectName(name);
    return label;
}

QLabel* errorLabel(QWidget* parent, const QString& name)
{
    auto* label = textLabel({}, parent, name);
    label->setStyleSheet(QStringLiteral("color: #c0392b;"));
    label->setAccessibleDescription(QObject::tr("Error"));
    label->hide();
    return label;
}

QString said(const sync::SyncError& error)
{
    return QString::fromStdString(error.message);
}

// The sync layer's message and what the user can do about it.
QString explain(const sync::SyncError& error)
{
    switch (error.code) {
    case sync::SyncErrorCode::Network:
        return said(error) + QLatin1Char('\n') + QObject::tr("Check that this computer is online, then try again.");
    case sync::SyncErrorCode::Auth:
        return said(error) + QLatin1Char('\n') +
               QObject::tr("The server no longer accepts Nubo's app password: log in to this account again.");
    case sync::SyncErrorCode::Tls:
        return said(error) + QLatin1Char('\n') +
               QObject::tr("The server's certificate is not the one Nubo trusts for this account.");
    default: return said(error);
    }
}

QStringList wordsOf(const e2ee::SecureString& mnemonic)
{
    QString text = QString::fromUtf8(mnemonic.data(), static_cast<qsizetype>(mnemonic.size()));
    QStringList words = text.split(QLatin1Char(' '), Qt::SkipEmptyParts);
    wipe(text);
    return words;
}

std::string joined(const QStringList& words)
{
    QString text = words.join(QLatin1Char(' '));
    QByteArray bytes = text.toUtf8();
    std::string out(bytes.constData(), static_cast<std::size_t>(bytes.size()));
    bytes.fill('\0');
    wipe(text);
    return out;
}

void cleanse(std::string& secret)
{
    OPENSSL_cleanse(secret.data(), secret.size());
    secret.clear();
}

EncryptionPane::KeyFacts factsOf(const sync::E2eeIdentity& identity, const sync::E2eeKeyStore& store)
{
    return {QString::fromStdString(identity.fingerprint()), QString::fromStdString(store.location()),
            EncryptionPane::pemFingerprint(identity.serverKey.toPem())};
}

// What refresh() learns.
struct Loaded {
    std::shared_ptr<EncryptionSession> session;
    std::optional<sync::SyncError> error;
    bool available = true;
    bool keyOnServer = false;
    std::optional<EncryptionPane::KeyFacts> facts; // this device has the key
    QString untrusted;                             // the server's keys contradict the pins
};

// A job's end: what went wrong, or the key's facts (and, for a new key, its words).
struct Outcome {
    std::optional<sync::SyncError> error;
    EncryptionPane::KeyFacts facts;
    QStringList words;
    std::optional<sync::SyncError> storeError; // the words could not be kept
};

constexpr auto kRevealDuration = std::chrono::seconds(60);

} // namespace

QString EncryptionPane::pemFingerprint(const std::string& pem)
{
    QByteArray body;
    for (const QByteArray& line : QByteArray::fromStdString(pem).split('\n')) {
        const QByteArray trimmed = line.trimmed();
        if (!trimmed.isEmpty() && !trimmed.startsWith("-----")) body += trimmed;
    }
    const auto der = QByteArray::fromBase64Encoding(body, QByteArray::AbortOnBase64DecodingErrors);
    if (!der || der.decoded.isEmpty()) return {};
    return QString::fromLatin1(QCryptographicHash::hash(der.decoded, QCryptographicHash::Sha256).toHex(':'));
}

EncryptionPane::EncryptionPane(AccountSettings account, QString appPassword, sync::KeyStoreKind keyStore,
                               QWidget* parent)
    : QWidget(parent), m_account(std::move(account)), m_appPassword(std::move(appPassword)), m_keyStoreKind(keyStore)
{
    setObjectName(QStringLiteral("encryptionPane"));
    setAccessibleName(tr("End-to-end encryption"));
    auto* layout = new QVBoxLayout(this);

    // ---- the trust banner
    m_trustBanner = new QFrame(this);
    m_trustBanner->setObjectName(QStringLiteral("trustBanner"));
    m_trustBanner->setAccessibleName(tr("Warning: the server's encryption keys changed"));
    m_trustBanner->setStyleSheet(QStringLiteral("#trustBanner { background: #c0392b; border-radius: 4px; } "
                                                "#trustBanner QLabel { color: white; }"));
    auto* banner = new QVBoxLayout(m_trustBanner);
    auto* bannerTitle =
        textLabel(tr("Nubo stopped syncing your encrypted folders"), m_trustBanner, QStringLiteral("trustTitle"));
    QFont bold = bannerTitle->font();
    bold.setBold(true);
    bannerTitle->setFont(bold);
    banner->addWidget(bannerTitle);
    banner->addWidget(textLabel(
        tr("The server now shows a different encryption key or certificate for this account than the one this "
           "device saw first. Someone may be trying to read your encrypted files: whoever controls the server, or "
           "broke into it, can swap keys to have your files encrypted to a key of theirs. So Nubo stopped syncing "
           "the encrypted folders of this account; nothing is encrypted to the new key, and your files on this "
           "computer stay as they are. Your other folders keep syncing.\n\n"
           "What to do: ask your server's administrator whether the end-to-end encryption keys were reset or the "
           "server was moved, and do not trust the change until they confirm it. Nubo cannot accept a changed key "
           "here: once you are sure the change is legitimate, remove the key from this device and add it again "
           "with your 12 words."),
        m_trustBanner, QStringLiteral("trustExplanation")));
    m_trustDetails = textLabel({}, m_trustBanner, QStringLiteral("trustDetails"));
    m_trustDetails->setAccessibleDescription(tr("Details"));
    banner->addWidget(m_trustDetails);
    m_trustBanner->hide();
    layout->addWidget(m_trustBanner);

    m_status = textLabel({}, this, QStringLiteral("encryptionStatus"));
    m_status->setAccessibleDescription(tr("Status"));
    layout->addWidget(m_status);
    m_pages = new QStackedWidget(this);
    layout->addWidget(m_pages);
    m_error = errorLabel(this, QStringLiteral("encryptionError"));
    layout->addWidget(m_error);
    layout->addStretch();

    // ---- loading, failed, unavailable
    m_loadingPage = new QWidget(m_pages);
    m_pages->addWidget(m_loadingPage);
    m_failedPage = new QWidget(m_pages);
    {
        auto* page = new QVBoxLayout(m_failedPage);
        auto* retry = new QPushButton(tr("&Try again"), m_failedPage);
        retry->setObjectName(QStringLiteral("retry"));
        page->addWidget(retry, 0, Qt::AlignLeft);
        page->addStretch();
        connect(retry, &QPushButton::clicked, this, &EncryptionPane::refresh);
    }
    m_pages->addWidget(m_failedPage);
    m_unavailablePage = new QWidget(m_pages);
    {
        auto* page = new QVBoxLayout(m_unavailablePage);
        m_unavailableText = textLabel({}, m_unavailablePage, QStringLiteral("unavailableText"));
        page->addWidget(m_unavailableText);
        page->addStretch();
    }
    m_pages->addWidget(m_unavailablePage);

    // ---- first device
    m_notSetUpPage = new QWidget(m_pages);
    {
        auto* page = new QVBoxLayout(m_notSetUpPage);
        page->addWidget(textLabel(
            tr("End-to-end encryption keeps the folders you choose readable on your devices only: the server "
               "stores them encrypted and cannot read them. Setting it up makes your personal key and 12 words "
               "that unlock it on your other devices."),
            m_notSetUpPage));
        m_setUp = new QPushButton(tr("&Set up end-to-end encryption"), m_notSetUpPage);
        m_setUp->setObjectName(QStringLiteral("setUp"));
        page->addWidget(m_setUp, 0, Qt::AlignLeft);
        page->addStretch();
        connect(m_setUp, &QPushButton::clicked, this, &EncryptionPane::setUp);
    }
    m_pages->addWidget(m_notSetUpPage);

    m_newWordsPage = new QWidget(m_pages);
    {
        auto* page = new QVBoxLayout(m_newWordsPage);
        auto* warning = textLabel(
            tr("These are your 12 words. With them you add your other devices, and they are the only way back to "
               "your encrypted files if this computer is lost: nobody else has them, not even the server's "
               "administrator. Anyone who has them and can log in to your account can read your encrypted files.\n\n"
               "Write them down on paper now, in this order, and keep the paper somewhere safe. Nubo shows them "
               "again only after you log in again (\"Show the 12 words\")."),
            m_newWordsPage, QStringLiteral("wordsWarning"));
        warning->setAccessibleDescription(tr("About your 12 words"));
        page->addWidget(warning);
        m_newWordsGrid = new MnemonicGrid(m_newWordsPage);
        m_newWordsGrid->setObjectName(QStringLiteral("newWordsGrid"));
        page->addWidget(m_newWordsGrid);
        m_storeWarning = errorLabel(m_newWordsPage, QStringLiteral("storeWarning"));
        page->addWidget(m_storeWarning);
        m_writtenDown = new QPushButton(tr("I have &written them down"), m_newWordsPage);
        m_writtenDown->setObjectName(QStringLiteral("writtenDown"));
        page->addWidget(m_writtenDown, 0, Qt::AlignLeft);
        page->addStretch();
        connect(m_writtenDown, &QPushButton::clicked, this, [this] {
            m_newWordsGrid->hideWords();
            m_confirmation->setWords(m_newWords);
            setState(State::ConfirmWords);
        });
    }
    m_pages->addWidget(m_newWordsPage);

    m_confirmPage = new QWidget(m_pages);
    {
        auto* page = new QVBoxLayout(m_confirmPage);
        m_confirmation = new MnemonicConfirmation(m_confirmPage);
        page->addWidget(m_confirmation);
        auto* back = new QPushButton(tr("Show the words &again"), m_confirmPage);
        back->setObjectName(QStringLiteral("backToWords"));
        back->setFlat(true);
        page->addWidget(back, 0, Qt::AlignLeft);
        page->addStretch();
        connect(back, &QPushButton::clicked, this, [this] {
            m_confirmation->clear();
            m_newWordsGrid->setWords(m_newWords);
            setState(State::NewWords);
        });
        connect(m_confirmation, &MnemonicConfirmation::confirmed, this, [this] {
            m_confirmation->clear();
            wipe(m_newWords);
            showFacts(m_facts);
            setState(State::SetUp);
        });
    }
    m_pages->addWidget(m_confirmPage);

    // ---- a further device
    m_addPage = new QWidget(m_pages);
    {
        auto* page = new QVBoxLayout(m_addPage);
        page->addWidget(textLabel(tr("Your account already has an end-to-end encryption key, made on another "
                                     "device. Type the 12 words that were shown then, in their order, to use it on "
                                     "this device too."),
                                  m_addPage));
        m_entry = new MnemonicEntry(m_addPage);
        page->addWidget(m_entry);
        m_add = new QPushButton(tr("&Add this device"), m_addPage);
        m_add->setObjectName(QStringLiteral("addDevice"));
        m_add->setEnabled(false);
        page->addWidget(m_add, 0, Qt::AlignLeft);
        page->addStretch();
        connect(m_entry, &MnemonicEntry::completeChanged, this, [this] {
            m_add->setEnabled(!m_busy && m_entry->isComplete());
            if (m_state == State::AddDevice) m_error->hide();
        });
        connect(m_add, &QPushButton::clicked, this, &EncryptionPane::addDevice);
    }
    m_pages->addWidget(m_addPage);

    // ---- set up
    m_setUpPage = new QWidget(m_pages);
    {
        auto* page = new QVBoxLayout(m_setUpPage);
        page->addWidget(textLabel(tr("End-to-end encryption is set up on this device. Your other devices show the "
                                     "same fingerprints; compare them if in doubt."),
                                  m_setUpPage, QStringLiteral("setUpText")));
        auto* form = new QFormLayout;
        m_fingerprint = textLabel({}, m_setUpPage, QStringLiteral("keyFingerprint"));
        m_fingerprint->setAccessibleDescription(tr("Your key's fingerprint"));
        m_location = textLabel({}, m_setUpPage, QStringLiteral("keyLocation"));
        m_location->setAccessibleDescription(tr("Where the key is kept"));
        m_serverKey = textLabel({}, m_setUpPage, QStringLiteral("serverKeyFingerprint"));
        m_serverKey->setAccessibleDescription(tr("The server key's fingerprint"));
        for (QLabel* label : {m_fingerprint, m_serverKey}) {
            label->setFont(QFont(QStringLiteral("monospace")));
            label->setFocusPolicy(Qt::StrongFocus);
        }
        form->addRow(tr("Your key (SHA-256):"), m_fingerprint);
        form->addRow(tr("Kept in:"), m_location);
        form->addRow(tr("Server key (SHA-256):"), m_serverKey);
        page->addLayout(form);
        auto* buttons = new QHBoxLayout;
        m_showWords = new QPushButton(tr("Show the &12 words"), m_setUpPage);
        m_showWords->setObjectName(QStringLiteral("showWords"));
        m_removeKey = new QPushButton(tr("&Remove the key from this device"), m_setUpPage);
        m_removeKey->setObjectName(QStringLiteral("removeKey"));
        buttons->addWidget(m_showWords);
        buttons->addWidget(m_removeKey);
        buttons->addStretch();
        page->addLayout(buttons);
        m_revealNote = textLabel({}, m_setUpPage, QStringLiteral("revealNote"));
        m_revealNote->hide();
        page->addWidget(m_revealNote);
        m_revealGrid = new MnemonicGrid(m_setUpPage);
        m_revealGrid->setObjectName(QStringLiteral("revealedWordsGrid"));
        m_revealGrid->hide();
        page->addWidget(m_revealGrid);
        m_hideRevealed = new QPushButton(tr("&Hide the words"), m_setUpPage);
        m_hideRevealed->setObjectName(QStringLiteral("hideWords"));
        m_hideRevealed->hide();
        page->addWidget(m_hideRevealed, 0, Qt::AlignLeft);
        page->addStretch();
        connect(m_showWords, &QPushButton::clicked, this, &EncryptionPane::askPassword);
        connect(m_removeKey, &QPushButton::clicked, this, &EncryptionPane::confirmRemoval);
        connect(m_hideRevealed, &QPushButton::clicked, this, &EncryptionPane::hideRevealedWords);
    }
    m_pages->addWidget(m_setUpPage);

    m_hideWords.setSingleShot(true);
    m_hideWords.setInterval(kRevealDuration);
    connect(&m_hideWords, &QTimer::timeout, this, &EncryptionPane::hideRevealedWords);

    refresh();
}

EncryptionPane::~EncryptionPane()
{
    wipe(m_appPassword);
    wipe(m_newWords);
}

void EncryptionPane::setClipboardClearInterval(std::chrono::milliseconds interval)
{
    m_newWordsGrid->setClipboardClearInterval(interval);
    m_revealGrid->setClipboardClearInterval(interval);
}

bool EncryptionPane::trustProblemShown() const
{
    return !m_trustBanner->isHidden();
}

QString EncryptionPane::keyFingerprint() const
{
    return m_fingerprint->text();
}

QString EncryptionPane::keyLocation() const
{
    return m_location->text();
}

QString EncryptionPane::serverKeyFingerprint() const
{
    return m_serverKey->text();
}

QString EncryptionPane::errorText() const
{
    return m_error->isHidden() ? QString() : m_error->text();
}

bool EncryptionPane::wordsRevealed() const
{
    return m_revealGrid->wordsShown();
}

void EncryptionPane::setState(State state)
{
    hideRevealedWords();
    m_state = state;
    QWidget* page = m_loadingPage;
    switch (state) {
    case State::Loading: page = m_loadingPage; break;
    case State::Failed: page = m_failedPage; break;
    case State::Unavailable: page = m_unavailablePage; break;
    case State::NotSetUp: page = m_notSetUpPage; break;
    case State::NewWords: page = m_newWordsPage; break;
    case State::ConfirmWords: page = m_confirmPage; break;
    case State::AddDevice: page = m_addPage; break;
    case State::SetUp: page = m_setUpPage; break;
    }
    m_pages->setCurrentWidget(page);
    emit stateChanged(state);
}

void EncryptionPane::setBusy(const QString& status)
{
    m_busy = !status.isEmpty();
    m_status->setText(status);
    m_status->setVisible(m_busy);
    for (QPushButton* button : {m_setUp, m_showWords, m_removeKey})
        button->setEnabled(!m_busy);
    m_add->setEnabled(!m_busy && m_entry->isComplete());
}

void EncryptionPane::showError(const QString& message)
{
    m_error->setText(message);
    m_error->setVisible(!message.isEmpty());
    if (!message.isEmpty()) emit failed(message);
}

void EncryptionPane::showFacts(const KeyFacts& facts)
{
    m_facts = facts;
    m_fingerprint->setText(facts.fingerprint);
    m_location->setText(facts.location);
    m_serverKey->setText(facts.serverKey);
}

void EncryptionPane::showTrustProblem(const QString& details)
{
    m_trustDetails->setText(details.isEmpty() ? QString() : tr("What Nubo found: %1").arg(details));
    m_trustDetails->setVisible(!details.isEmpty());
    m_trustBanner->show();
}

void EncryptionPane::refresh()
{
    if (m_busy) return;
    showError({});
    setState(State::Loading);
    setBusy(tr("Checking end-to-end encryption on %1…").arg(m_account.serverUrl));
    std::optional<sync::AccountConfig> config;
    if (!m_session) {
        config.emplace();
        config->serverUrl = m_account.serverUrl.toStdString();
        config->user = m_account.user.toStdString();
        config->password = m_appPassword.toStdString();
        config->pinnedCertificate = m_account.pinnedCertificate.toStdString();
    }
    runInBackground(
        this,
        [session = m_session, config = std::move(config), kind = m_keyStoreKind]() mutable {
            Loaded out;
            const auto done = [&out] {
                sync::HttpClient::releaseThreadResources();
                return std::move(out);
            };
            if (!session) {
                auto account = sync::Account::connect(std::move(*config));
                if (!account) {
                    out.error = account.error();
                    return done();
                }
                if (!(*account)->capabilities().e2eeEnabled) {
                    out.available = false;
                    return done();
                }
                auto fresh = std::make_shared<EncryptionSession>();
                fresh->account = *account;
                auto api = sync::E2eeApiClient::forAccount(*fresh->account);
                if (!api) {
                    out.error = api.error();
                    return done();
                }
                fresh->api.emplace(std::move(*api));
                auto store = sync::openE2eeKeyStore(*fresh->account, kind);
                if (!store) {
                    out.error = store.error();
                    return done();
                }
                fresh->store.emplace(std::move(*store));
                session = std::move(fresh);
            }
            out.session = session;
            auto identity = sync::loadE2eeIdentity(&*session->api, session->userId(), *session->store);
            if (!identity && identity.error().code == sync::SyncErrorCode::UntrustedKey) {
                out.untrusted = said(identity.error());
                // What this device pinned still shows what it has; the server is not asked.
                if (auto local = sync::loadE2eeIdentity(nullptr, session->userId(), *session->store); local && *local)
                    out.facts = factsOf(**local, *session->store);
                out.keyOnServer = true;
                return done();
            }
            if (!identity) {
                out.error = identity.error();
                return done();
            }
            if (*identity) {
                out.facts = factsOf(**identity, *session->store);
                out.keyOnServer = true;
                return done();
            }
            auto envelope = session->api->privateKeyEnvelope();
            if (!envelope) {
                out.error = envelope.error();
                return done();
            }
            out.keyOnServer = envelope->has_value();
            return done();
        },
        [this](Loaded loaded) {
            setBusy({});
            if (loaded.session) m_session = loaded.session;
            if (loaded.error) {
                showError(explain(*loaded.error));
                setState(State::Failed);
                return;
            }
            if (!loaded.available) {
                m_unavailableText->setText(
                    tr("End-to-end encryption is not available on %1: the server does not offer it (its "
                       "administrator has not enabled the End-to-end encryption app). Your files are synced over "
                       "an encrypted connection, but the server can read them.")
                        .arg(m_account.serverUrl));
                setState(State::Unavailable);
                return;
            }
            if (!loaded.untrusted.isEmpty()) showTrustProblem(loaded.untrusted);
            if (loaded.facts) {
                showFacts(*loaded.facts);
                setState(State::SetUp);
            } else if (!loaded.untrusted.isEmpty() || loaded.keyOnServer) {
                m_entry->clear();
                setState(State::AddDevice);
            } else {
                setState(State::NotSetUp);
            }
        });
}

void EncryptionPane::setUp()
{
    if (m_busy || !m_session) return;
    showError({});
    setBusy(tr("Making your key and having the server certify it…"));
    runInBackground(
        this,
        [session = m_session] {
            Outcome out;
            auto created = sync::createE2eeIdentity(*session->api, session->userId(), *session->store);
            if (!created) {
                out.error = created.error();
            } else {
                out.facts = factsOf(created->identity, *session->store);
                out.words = wordsOf(created->mnemonic);
                if (auto kept = session->store->saveMnemonic(
                        std::string_view(created->mnemonic.data(), created->mnemonic.size()));
                    !kept)
                    out.storeError = kept.error();
            }
            sync::HttpClient::releaseThreadResources();
            return out;
        },
        [this](Outcome out) {
            setBusy({});
            if (out.error) {
                if (out.error->code == sync::SyncErrorCode::UntrustedKey) showTrustProblem(said(*out.error));
                showError(explain(*out.error));
                return;
            }
            m_facts = out.facts;
            wipe(m_newWords);
            m_newWords = out.words;
            wipe(out.words);
            m_newWordsGrid->setWords(m_newWords);
            if (out.storeError)
                m_storeWarning->setText(
                    tr("Nubo could not keep the words in %1 (%2), so it cannot show them again later: write them "
                       "down now.")
                        .arg(out.facts.location, said(*out.storeError)));
            m_storeWarning->setVisible(out.storeError.has_value());
            setState(State::NewWords);
            emit identityChanged();
        });
}

void EncryptionPane::addDevice()
{
    if (m_busy || !m_session || !m_entry->isComplete()) return;
    showError({});
    setBusy(tr("Opening your key with the 12 words…"));
    runInBackground(
        this,
        [session = m_session, words = joined(m_entry->words())]() mutable {
            Outcome out;
            auto added = sync::addE2eeDevice(*session->api, session->userId(), words, *session->store);
            if (!added) {
                out.error = added.error();
            } else {
                out.facts = factsOf(*added, *session->store);
                if (auto kept = session->store->saveMnemonic(words); !kept) out.storeError = kept.error();
            }
            cleanse(words);
            sync::HttpClient::releaseThreadResources();
            return out;
        },
        [this](Outcome out) {
            setBusy({});
            if (out.error) {
                switch (out.error->code) {
                case sync::SyncErrorCode::WrongMnemonic:
                    showError(tr("These 12 words do not open your key: check each word and its order; the words are "
                                 "the ones shown when encryption was set up on your first device."));
                    break;
                case sync::SyncErrorCode::UntrustedKey:
                    showTrustProblem(said(*out.error));
                    showError(explain(*out.error));
                    break;
                default: showError(explain(*out.error));
                }
                return;
            }
            m_entry->clear();
            showFacts(out.facts);
            m_trustBanner->hide(); // the pins were made afresh, with the user's consent
            setState(State::SetUp);
            if (out.storeError)
                showError(tr("This device is set up, but Nubo could not keep the 12 words in %1 (%2), so \"Show "
                             "the 12 words\" cannot show them.")
                              .arg(out.facts.location, said(*out.storeError)));
            emit identityChanged();
        });
}

void EncryptionPane::confirmRemoval()
{
    if (m_busy) return;
    auto* box = new QMessageBox(QMessageBox::Warning, tr("Remove the key from this device?"),
                                tr("Remove the end-to-end encryption key of %1 from this device?").arg(m_account.user),
                                QMessageBox::NoButton, this);
    box->setObjectName(QStringLiteral("removeKeyConfirmation"));
    box->setInformativeText(tr("The encrypted folders stop syncing on this device until you add it again with your "
                               "12 words. The key stays on the server, and your other devices keep working. Make "
                               "sure you have the 12 words before you remove it."));
    QPushButton* remove = box->addButton(tr("&Remove the key"), QMessageBox::DestructiveRole);
    remove->setObjectName(QStringLiteral("confirmRemoveKey"));
    box->addButton(QMessageBox::Cancel);
    box->setDefaultButton(QMessageBox::Cancel);
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::buttonClicked, this, [this, remove](QAbstractButton* clicked) {
        if (clicked == remove) removeKey();
    });
    box->open();
}

void EncryptionPane::removeKey()
{
    if (m_busy || !m_session) return;
    hideRevealedWords();
    showError({});
    setBusy(tr("Removing the key from %1…").arg(m_facts.location));
    runInBackground(
        this, [session = m_session] { return session->store->forget(); },
        [this](sync::Result<void> removed) {
            setBusy({});
            if (!removed) {
                showError(tr("The key could not be removed from %1: %2").arg(m_facts.location, said(removed.error())));
                return;
            }
            m_facts = {};
            showFacts(m_facts);
            m_trustBanner->hide();
            emit identityChanged();
            refresh();
        });
}

// ---- "Show the 12 words" -----------------------------------------------------------------------

void EncryptionPane::askPassword()
{
    if (m_busy) return;
    auto* dialog = new QDialog(this);
    dialog->setObjectName(QStringLiteral("reauthDialog"));
    dialog->setWindowTitle(tr("Show the 12 words"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    auto* layout = new QVBoxLayout(dialog);
    layout->addWidget(textLabel(tr("To see your 12 words, type the password of %1 on %2 (your Nextcloud password, "
                                   "or an app password). Nubo checks it with the server.")
                                    .arg(m_account.user, m_account.serverUrl),
                                dialog));
    auto* form = new QFormLayout;
    auto* password = new QLineEdit(dialog);
    password->setObjectName(QStringLiteral("reauthPassword"));
    password->setEchoMode(QLineEdit::Password);
    password->setAccessibleName(tr("Password"));
    form->addRow(tr("&Password:"), password);
    layout->addLayout(form);
    auto* error = errorLabel(dialog, QStringLiteral("reauthError"));
    layout->addWidget(error);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, dialog);
    QPushButton* confirm = buttons->addButton(tr("&Show the words"), QDialogButtonBox::AcceptRole);
    confirm->setObjectName(QStringLiteral("reauthConfirm"));
    confirm->setDefault(true);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    connect(buttons, &QDialogButtonBox::accepted, this,
            [this, dialog, password, error, confirm] { checkPassword(dialog, password, error, confirm); });
    dialog->open();
    password->setFocus();
}

void EncryptionPane::checkPassword(QDialog* dialog, QLineEdit* password, QLabel* error, QPushButton* confirm)
{
    if (password->text().isEmpty()) {
        error->setText(tr("Type your password."));
        error->show();
        return;
    }
    sync::AccountConfig config;
    config.serverUrl = m_account.serverUrl.toStdString();
    config.user = m_account.user.toStdString();
    config.password = password->text().toStdString();
    config.pinnedCertificate = m_account.pinnedCertificate.toStdString();
    confirm->setEnabled(false);
    error->hide();
    QPointer<QDialog> guard(dialog);
    runInBackground(
        this,
        [config = std::move(config)]() mutable {
            auto connected = sync::Account::connect(std::move(config));
            sync::HttpClient::releaseThreadResources();
            return connected.has_value() ? sync::Result<void>()
                                         : sync::Result<void>(std::unexpected(connected.error()));
        },
        [this, guard, password, error, confirm](sync::Result<void> connected) {
            if (!guard) return; // cancelled meanwhile
            confirm->setEnabled(true);
            if (!connected) {
                const QString message =
                    connected.error().code == sync::SyncErrorCode::Auth
                        ? tr("The server refused this password. Type the password you log in to Nextcloud with, "
                             "or an app password of this account.")
                        : said(connected.error());
                error->setText(message);
                error->show();
                password->selectAll();
                password->setFocus();
                emit reauthenticationRefused(message);
                return;
            }
            password->clear();
            guard->accept();
            revealWords();
        });
}

void EncryptionPane::revealWords()
{
    if (m_busy || !m_session) return;
    setBusy(tr("Reading the 12 words from %1…").arg(m_facts.location));
    runInBackground(
        this,
        [session = m_session]() -> sync::Result<QStringList> {
            auto mnemonic = session->store->mnemonic();
            if (!mnemonic) return std::unexpected(mnemonic.error());
            return *mnemonic ? wordsOf(**mnemonic) : QStringList();
        },
        [this](sync::Result<QStringList> words) {
            setBusy({});
            if (m_state != State::SetUp) return;
            if (!words) {
                showError(tr("The 12 words could not be read from %1: %2").arg(m_facts.location, said(words.error())));
                return;
            }
            if (words->isEmpty()) {
                m_revealNote->setText(tr("This device does not keep the 12 words: it was set up before Nubo kept "
                                         "them, or with nubocmd. Use the paper you wrote them on."));
                m_revealNote->show();
                return;
            }
            m_revealGrid->setWords(*words);
            wipe(*words);
            const auto seconds =
                std::chrono::duration_cast<std::chrono::seconds>(m_hideWords.intervalAsDuration()).count();
            m_revealNote->setText(tr("The words hide again after %n second(s), or when this window is left.", nullptr,
                                     static_cast<int>(seconds)));
            m_revealNote->show();
            m_revealGrid->show();
            m_hideRevealed->show();
            m_showWords->setEnabled(false);
            if (QWidget* top = window(); top && top != m_watchedWindow) {
                m_watchedWindow = top;
                top->installEventFilter(this);
            }
            m_hideWords.start();
            emit wordsShown();
        });
}

void EncryptionPane::hideRevealedWords()
{
    m_hideWords.stop();
    if (m_watchedWindow) {
        m_watchedWindow->removeEventFilter(this);
        m_watchedWindow.clear();
    }
    const bool wasShown = m_revealGrid->wordsShown();
    m_revealGrid->hideWords();
    m_revealGrid->hide();
    m_hideRevealed->hide();
    m_revealNote->hide();
    m_showWords->setEnabled(!m_busy);
    if (wasShown) emit wordsHidden();
}

bool EncryptionPane::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == m_watchedWindow && event->type() == QEvent::WindowDeactivate) hideRevealedWords();
    return QWidget::eventFilter(watched, event);
}

void EncryptionPane::hideEvent(QHideEvent* event)
{
    hideRevealedWords();
    QWidget::hideEvent(event);
}

} // namespace nubo::gui
