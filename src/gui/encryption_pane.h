// The settings pane of end-to-end encryption for one account (PROTOCOL.md §4.1–4.3): set it up on
// a first device (a new key and its 12 words, shown once and checked), add a further device with
// the 12 words, see the key's and the pinned server key's fingerprints and where the key is kept,
// show the 12 words again after the password was checked against the server, remove the key from
// this device, and a banner when the server's keys no longer match what this device pinned.
// Everything that reaches the server, the keychain or the disk runs off the UI thread.
#pragma once

#include <QPointer>
#include <QString>
#include <QStringList>
#include <QTimer>
#include <QWidget>
#include <chrono>
#include <memory>

#include "app_settings.h"
#include "e2ee_identity.h"

class QDialog;
class QFrame;
class QLabel;
class QLineEdit;
class QPushButton;
class QStackedWidget;

namespace nubo::gui {

class MnemonicConfirmation;
class MnemonicEntry;
class MnemonicGrid;
struct EncryptionSession;

class EncryptionPane : public QWidget {
    Q_OBJECT
public:
    enum class State {
        Loading,      // asking the server and the key store
        Failed,       // that failed (the error says why; "Try again")
        Unavailable,  // the server does not offer end-to-end encryption
        NotSetUp,     // no key on the server: this is the first device
        NewWords,     // the key was just made: its 12 words are shown
        ConfirmWords, // two of them are asked back
        AddDevice,    // the server has a key, this device not: the 12 words are asked for
        SetUp,        // this device has the key
    };
    Q_ENUM(State)

    // What the set-up page shows of this device's key.
    struct KeyFacts {
        QString fingerprint; // the certificate's SHA-256 (E2eeIdentity::fingerprint())
        QString location;    // "the OS keychain", or the key file
        QString serverKey;   // the pinned server key's SHA-256 (pemFingerprint())
    };

    // `appPassword`: the account's app password (from its CredentialStore); kept while the pane
    // lives, to reach the server. `keyStore`: where this device keeps the key and the 12 words.
    // Starts reading the state right away.
    EncryptionPane(AccountSettings account, QString appPassword, sync::KeyStoreKind keyStore,
                   QWidget* parent = nullptr);
    ~EncryptionPane() override;

    State state() const { return m_state; }
    // Asks the server and the key store again (after a failure, or when the app learns of a change).
    void refresh();

    // The red banner: the server's end-to-end encryption key or a certificate changed since this
    // device pinned it. `details` is the sync layer's message. Shown by itself when loading the
    // key finds such a change.
    void showTrustProblem(const QString& details);
    bool trustProblemShown() const;

    // How long "Show the 12 words" shows them (60 s), and how long copied words stay on the
    // clipboard (60 s).
    void setRevealDuration(std::chrono::milliseconds duration) { m_hideWords.setInterval(duration); }
    void setClipboardClearInterval(std::chrono::milliseconds interval);

    // What the set-up page shows.
    QString keyFingerprint() const;
    QString keyLocation() const;
    QString serverKeyFingerprint() const;
    // The error under the current page, "" when there is none.
    QString errorText() const;
    bool wordsRevealed() const;

    // SHA-256 of a PEM's DER body as lowercase colon-separated hex ("ab:cd:..."); "" when the PEM
    // cannot be read.
    static QString pemFingerprint(const std::string& pem);

signals:
    void stateChanged(nubo::gui::EncryptionPane::State state);
    // This device's key was made, added or removed: the app refreshes its encrypted folders.
    void identityChanged();
    // An error was shown (errorText()).
    void failed(const QString& message);
    // "Show the 12 words": the password was refused (the dialog stays open and says so).
    void reauthenticationRefused(const QString& message);
    void wordsShown();
    void wordsHidden();

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;
    void hideEvent(QHideEvent* event) override;

private:
    void setState(State state);
    void setBusy(const QString& status);
    void showError(const QString& message);
    void showFacts(const KeyFacts& facts);
    void setUp();
    void addDevice();
    void confirmRemoval();
    void removeKey();
    void askPassword();
    void checkPassword(QDialog* dialog, QLineEdit* password, QLabel* error, QPushButton* confirm);
    void revealWords();
    void hideRevealedWords();

    AccountSettings m_account;
    QString m_appPassword;
    sync::KeyStoreKind m_keyStoreKind;
    std::shared_ptr<EncryptionSession> m_session; // connected, the key store open; reused by every action
    State m_state = State::Loading;
    bool m_busy = false;
    QStringList m_newWords; // between setup and the confirmation
    KeyFacts m_facts;

    QFrame* m_trustBanner = nullptr;
    QLabel* m_trustDetails = nullptr;
    QLabel* m_status = nullptr;
    QStackedWidget* m_pages = nullptr;
    QLabel* m_error = nullptr;
    // pages
    QWidget* m_loadingPage = nullptr;
    QWidget* m_failedPage = nullptr;
    QWidget* m_unavailablePage = nullptr;
    QLabel* m_unavailableText = nullptr;
    QWidget* m_notSetUpPage = nullptr;
    QPushButton* m_setUp = nullptr;
    QWidget* m_newWordsPage = nullptr;
    MnemonicGrid* m_newWordsGrid = nullptr;
    QLabel* m_storeWarning = nullptr;
    QPushButton* m_writtenDown = nullptr;
    QWidget* m_confirmPage = nullptr;
    MnemonicConfirmation* m_confirmation = nullptr;
    QWidget* m_addPage = nullptr;
    MnemonicEntry* m_entry = nullptr;
    QPushButton* m_add = nullptr;
    QWidget* m_setUpPage = nullptr;
    QLabel* m_fingerprint = nullptr;
    QLabel* m_location = nullptr;
    QLabel* m_serverKey = nullptr;
    QPushButton* m_showWords = nullptr;
    QPushButton* m_removeKey = nullptr;
    MnemonicGrid* m_revealGrid = nullptr;
    QLabel* m_revealNote = nullptr;
    QPushButton* m_hideRevealed = nullptr;

    QTimer m_hideWords;
    QPointer<QWidget> m_watchedWindow; // whose deactivation hides the revealed words
};

} // namespace nubo::gui
