// The widgets of the 12-word mnemonic (PROTOCOL.md §4.2): a grid that shows the words numbered for
// writing down (and copies them, taking them off the clipboard again after a while), the check
// that the user wrote them down (two words asked by number), and the entry of the words on a
// further device (a completer on the BIP-39 list, a mistyped word marked with suggestions).
#pragma once

#include <QString>
#include <QStringList>
#include <QTimer>
#include <QWidget>
#include <chrono>
#include <functional>
#include <utility>
#include <vector>

class QLabel;
class QLineEdit;
class QPushButton;

namespace nubo::gui {

// Overwrites the characters of a string that held a secret, then empties it.
void wipe(QString& secret);
void wipe(QStringList& secrets);

// Whether `word` (any case, trimmed) is one of the 2048 BIP-39 English words.
bool isMnemonicWord(const QString& word);
// Up to `count` list words close to a word that is not in the list: those that share its first
// letters (three or more; BIP-39 words differ in their first four) first, then those within two
// typos (edit distance), the closest first.
QStringList mnemonicSuggestions(const QString& word, int count = 3);

class MnemonicGrid : public QWidget {
    Q_OBJECT
public:
    explicit MnemonicGrid(QWidget* parent = nullptr);
    ~MnemonicGrid() override;

    // The 12 words in order; anything else than 12 is shown as given.
    void setWords(const QStringList& words);
    // Blanks the labels and forgets the words (the clipboard is left to its own timer).
    void hideWords();
    const QStringList& words() const { return m_words; }
    bool wordsShown() const { return !m_words.isEmpty(); }

    // How long copied words stay on the clipboard (60 s).
    void setClipboardClearInterval(std::chrono::milliseconds interval) { m_clearClipboard.setInterval(interval); }
    std::chrono::milliseconds clipboardClearInterval() const { return m_clearClipboard.intervalAsDuration(); }

signals:
    void copied();
    // The interval after a copy ended: `cleared` when the clipboard still held the words and was
    // emptied, false when the user had put something else there meanwhile.
    void clipboardChecked(bool cleared);

private:
    void copy();
    void clearClipboard();

    std::vector<QLabel*> m_labels;
    QPushButton* m_copy = nullptr;
    QLabel* m_copyNote = nullptr;
    QStringList m_words;
    QString m_onClipboard; // what copy() put there, until the timer checks it
    QTimer m_clearClipboard;
};

// "I have written them down": two words asked by their number.
class MnemonicConfirmation : public QWidget {
    Q_OBJECT
public:
    // A number in [0, bound): QRandomGenerator::system() unless replaced (tests).
    using RandomSource = std::function<int(int bound)>;

    explicit MnemonicConfirmation(QWidget* parent = nullptr);
    ~MnemonicConfirmation() override;

    void setRandomSource(RandomSource source);
    // Picks two different positions to ask for and empties the fields.
    void setWords(const QStringList& words);
    void clear();
    // The positions asked for, 1-based, the smaller first.
    std::pair<int, int> askedPositions() const { return m_asked; }

    // Checks the two answers (case and surrounding spaces do not matter); on a mistake the error
    // says which word is wrong. Emits confirmed() when both are right.
    bool check();
    QString errorText() const;

signals:
    void confirmed();

private:
    void pick();

    RandomSource m_random;
    QStringList m_words;
    std::pair<int, int> m_asked{0, 0};
    QLabel* m_firstLabel = nullptr;
    QLabel* m_secondLabel = nullptr;
    QLineEdit* m_first = nullptr;
    QLineEdit* m_second = nullptr;
    QPushButton* m_check = nullptr;
    QLabel* m_error = nullptr;
};

// The 12 words typed in on a further device.
class MnemonicEntry : public QWidget {
    Q_OBJECT
public:
    explicit MnemonicEntry(QWidget* parent = nullptr);
    ~MnemonicEntry() override;

    // Trimmed and lowercased, 12 entries (empty where nothing was typed).
    QStringList words() const;
    // Every field holds a word of the list.
    bool isComplete() const;
    void clear();

    QLineEdit* field(int index) const { return m_fields.at(static_cast<std::size_t>(index)); } // 0-based
    // The suggestions shown under field `index`, empty when its word is fine.
    QStringList suggestionsFor(int index) const;
    bool isMarked(int index) const;

signals:
    void completeChanged();

private:
    void edited(int index, const QString& text);
    void checkField(int index);
    void mark(int index, const QStringList& suggestions);
    void unmark(int index);

    std::vector<QLineEdit*> m_fields;
    std::vector<QLabel*> m_hints;
    std::vector<QStringList> m_suggestions;
    std::vector<bool> m_marked;
    bool m_spreading = false;
};

} // namespace nubo::gui
