#include "mnemonic_widgets.h"
#include "ui_helpers.h"

#include <QClipboard>
#include <QCompleter>
#include <QFontDatabase>
#include <QGridLayout>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QStringListModel>
#include <QVBoxLayout>
#include <algorithm>
#include <tuple>

#include "mnemonic.h"

namespace nubo::gui {

namespace {

constexpr int kWords = static_cast<int>(e2ee::kMnemonicWords);
constexpr int kColumns = 3;

const QStringList& wordList()
{
    static const QStringList list = [] {
        QStringList out;
        out.reserve(2048);
        for (const std::string_view word : e2ee::bip39EnglishWords())
            out << QString::fromLatin1(word.data(), static_cast<qsizetype>(word.size()));
        return out;
    }();
    return list;
}

// Optimal string alignment distance: insertions, deletions, substitutions and swaps of
// neighbouring letters, the typos people make when copying words from paper.
int editDistance(const QString& a, const QString& b)
{
    const auto n = a.size(), m = b.size();
    std::vector<std::vector<int>> d(static_cast<std::size_t>(n + 1), std::vector<int>(static_cast<std::size_t>(m + 1)));
    const auto at = [&d](qsizetype i, qsizetype j) -> int& {
        return d[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)];
    };
    for (qsizetype i = 0; i <= n; ++i)
        at(i, 0) = static_cast<int>(i);
    for (qsizetype j = 0; j <= m; ++j)
        at(0, j) = static_cast<int>(j);
    for (qsizetype i = 1; i <= n; ++i) {
        for (qsizetype j = 1; j <= m; ++j) {
            const int cost = a[i - 1] == b[j - 1] ? 0 : 1;
            at(i, j) = std::min({at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                at(i, j) = std::min(at(i, j), at(i - 2, j - 2) + 1);
        }
    }
    return at(n, m);
}

int commonPrefix(const QString& a, const QString& b)
{
    const auto limit = std::min(a.size(), b.size());
    qsizetype i = 0;
    while (i < limit && a[i] == b[i])
        ++i;
    return static_cast<int>(i);
}

QString normalised(const QString& word)
{
    return word.trimmed().toLower();
}

const QRegularExpression& whitespace()
{
    static const QRegularExpression re(QStringLiteral("\\s+"));
    return re;
}

} // namespace

void wipe(QString& secret)
{
    secret.fill(QChar(0));
    secret.clear();
}

void wipe(QStringList& secrets)
{
    for (QString& secret : secrets)
        wipe(secret);
    secrets.clear();
}

bool isMnemonicWord(const QString& word)
{
    const QString w = normalised(word);
    const QStringList& list = wordList();
    return !w.isEmpty() && std::binary_search(list.begin(), list.end(), w);
}

QStringList mnemonicSuggestions(const QString& word, int count)
{
    const QString w = normalised(word);
    if (w.isEmpty() || count <= 0) return {};
    // Rank: a longer shared beginning first (counted from three letters), then fewer typos.
    std::vector<std::tuple<int, int, QString>> ranked;
    for (const QString& candidate : wordList()) {
        const int prefix = std::min(commonPrefix(w, candidate), 4);
        const int distance = editDistance(w, candidate);
        if (prefix >= std::min<int>(3, static_cast<int>(w.size())) || distance <= 2)
            ranked.emplace_back(prefix >= 3 ? -prefix : 0, distance, candidate);
    }
    std::stable_sort(ranked.begin(), ranked.end());
    QStringList out;
    for (std::size_t i = 0; i < ranked.size() && out.size() < count; ++i)
        out << std::get<2>(ranked[i]);
    return out;
}

// ---- the grid ----------------------------------------------------------------------------------

MnemonicGrid::MnemonicGrid(QWidget* parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("mnemonicGrid"));
    setAccessibleName(tr("Your 12 words"));
    auto* layout = new QVBoxLayout(this);
    auto* grid = new QGridLayout;
    QFont font = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    font.setPointSizeF(font.pointSizeF() * 1.25);
    for (int i = 0; i < kWords; ++i) {
        auto* label = new QLabel(this);
        label->setObjectName(QStringLiteral("mnemonicWord%1").arg(i + 1));
        label->setFont(font);
        label->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
        label->setFocusPolicy(Qt::StrongFocus); // a screen reader reaches each word with Tab
        label->setMinimumWidth(label->fontMetrics().horizontalAdvance(QStringLiteral("12. abandonxx")));
        grid->addWidget(label, i / kColumns, i % kColumns);
        m_labels.push_back(label);
    }
    layout->addLayout(grid);
    auto* row = new QHBoxLayout;
    m_copy = new QPushButton(tr("&Copy"), this);
    m_copy->setObjectName(QStringLiteral("copyMnemonic"));
    m_copy->setToolTip(tr("Copies the 12 words, for a password manager; they are taken off the clipboard again "
                          "after a minute"));
    row->addWidget(m_copy);
    m_copyNote = new QLabel(this);
    m_copyNote->setObjectName(QStringLiteral("copyNote"));
    m_copyNote->setWordWrap(true);
    row->addWidget(m_copyNote, 1);
    layout->addLayout(row);

    m_clearClipboard.setSingleShot(true);
    m_clearClipboard.setInterval(std::chrono::seconds(60));
    connect(&m_clearClipboard, &QTimer::timeout, this, &MnemonicGrid::clearClipboard);
    connect(m_copy, &QPushButton::clicked, this, &MnemonicGrid::copy);
    hideWords();
}

MnemonicGrid::~MnemonicGrid()
{
    // Words still on the clipboard do not outlive the widget that put them there.
    if (!m_onClipboard.isEmpty() && QGuiApplication::clipboard()->text() == m_onClipboard)
        QGuiApplication::clipboard()->clear();
    wipe(m_onClipboard);
    wipe(m_words);
}

void MnemonicGrid::setWords(const QStringList& words)
{
    wipe(m_words);
    m_words = words;
    for (int i = 0; i < kWords; ++i) {
        QLabel* label = m_labels[static_cast<std::size_t>(i)];
        const QString word = i < words.size() ? words[i] : QString();
        label->setText(QStringLiteral("%1. %2").arg(i + 1, 2).arg(word));
        label->setAccessibleName(tr("Word %1: %2").arg(i + 1).arg(word));
    }
    m_copy->setEnabled(!words.isEmpty());
}

void MnemonicGrid::hideWords()
{
    wipe(m_words);
    for (int i = 0; i < kWords; ++i) {
        QLabel* label = m_labels[static_cast<std::size_t>(i)];
        label->setText(QStringLiteral("%1. ••••••").arg(i + 1, 2));
        label->setAccessibleName(tr("Word %1: hidden").arg(i + 1));
    }
    m_copy->setEnabled(false);
}

void MnemonicGrid::copy()
{
    if (m_words.isEmpty()) return;
    wipe(m_onClipboard);
    m_onClipboard = m_words.join(QLatin1Char(' '));
    QGuiApplication::clipboard()->setText(m_onClipboard);
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(clipboardClearInterval()).count();
    m_copyNote->setText(tr("The words are on the clipboard; Nubo takes them off again in %n second(s). Paste them "
                           "only into a password manager you trust.",
                           nullptr, static_cast<int>(seconds)));
    m_clearClipboard.start();
    emit copied();
}

void MnemonicGrid::clearClipboard()
{
    if (m_onClipboard.isEmpty()) return;
    QClipboard* clipboard = QGuiApplication::clipboard();
    const bool stillOurs = clipboard->text() == m_onClipboard;
    if (stillOurs) {
        clipboard->clear();
        m_copyNote->setText(tr("The words were taken off the clipboard."));
    } else {
        m_copyNote->clear(); // the user copied something else since: that is theirs to keep
    }
    wipe(m_onClipboard);
    emit clipboardChecked(stillOurs);
}

// ---- the confirmation --------------------------------------------------------------------------

MnemonicConfirmation::MnemonicConfirmation(QWidget* parent)
    : QWidget(parent), m_random([](int bound) { return static_cast<int>(QRandomGenerator::system()->bounded(bound)); })
{
    setObjectName(QStringLiteral("mnemonicConfirmation"));
    auto* layout = new QVBoxLayout(this);
    auto* intro = new QLabel(tr("To check that you wrote the words down, type two of them from your paper."), this);
    intro->setWordWrap(true);
    layout->addWidget(intro);
    auto* grid = new QGridLayout;
    m_firstLabel = new QLabel(this);
    m_first = new QLineEdit(this);
    m_first->setObjectName(QStringLiteral("confirmFirst"));
    m_firstLabel->setBuddy(m_first);
    m_secondLabel = new QLabel(this);
    m_second = new QLineEdit(this);
    m_second->setObjectName(QStringLiteral("confirmSecond"));
    m_secondLabel->setBuddy(m_second);
    for (QLineEdit* edit : {m_first, m_second}) {
        edit->setAutoFillBackground(true);
        edit->setInputMethodHints(Qt::ImhNoPredictiveText | Qt::ImhNoAutoUppercase | Qt::ImhSensitiveData);
    }
    grid->addWidget(m_firstLabel, 0, 0);
    grid->addWidget(m_first, 0, 1);
    grid->addWidget(m_secondLabel, 1, 0);
    grid->addWidget(m_second, 1, 1);
    layout->addLayout(grid);
    m_error = errorLabel(this, QStringLiteral("confirmError"));
    layout->addWidget(m_error);
    m_check = new QPushButton(tr("C&heck"), this);
    m_check->setObjectName(QStringLiteral("confirmCheck"));
    layout->addWidget(m_check, 0, Qt::AlignLeft);

    connect(m_check, &QPushButton::clicked, this, [this] { check(); });
    connect(m_first, &QLineEdit::returnPressed, m_second, qOverload<>(&QWidget::setFocus));
    connect(m_second, &QLineEdit::returnPressed, this, [this] { check(); });
    for (QLineEdit* edit : {m_first, m_second})
        connect(edit, &QLineEdit::textEdited, m_error, &QWidget::hide);
}

MnemonicConfirmation::~MnemonicConfirmation()
{
    wipe(m_words);
}

void MnemonicConfirmation::setRandomSource(RandomSource source)
{
    m_random = std::move(source);
    if (!m_words.isEmpty()) pick();
}

void MnemonicConfirmation::setWords(const QStringList& words)
{
    wipe(m_words);
    m_words = words;
    pick();
}

void MnemonicConfirmation::clear()
{
    wipe(m_words);
    m_first->clear();
    m_second->clear();
    m_error->hide();
    m_asked = {0, 0};
}

void MnemonicConfirmation::pick()
{
    m_first->clear();
    m_second->clear();
    m_error->hide();
    const int count = static_cast<int>(m_words.size());
    if (count < 2) {
        m_asked = {0, 0};
        return;
    }
    const int a = m_random(count);
    int b = m_random(count - 1); // one of the others
    if (b >= a) ++b;
    m_asked = {std::min(a, b) + 1, std::max(a, b) + 1};
    m_firstLabel->setText(tr("Word &%1:").arg(m_asked.first));
    m_secondLabel->setText(tr("Word %1:").arg(m_asked.second));
    m_first->setAccessibleName(tr("Word %1").arg(m_asked.first));
    m_second->setAccessibleName(tr("Word %1").arg(m_asked.second));
}

bool MnemonicConfirmation::check()
{
    if (m_asked.first == 0) return false;
    const bool firstRight = normalised(m_first->text()) == normalised(m_words[m_asked.first - 1]);
    const bool secondRight = normalised(m_second->text()) == normalised(m_words[m_asked.second - 1]);
    if (firstRight && secondRight) {
        m_error->hide();
        emit confirmed();
        return true;
    }
    QString message;
    if (!firstRight && !secondRight)
        message = tr("Words %1 and %2 are not the ones shown.").arg(m_asked.first).arg(m_asked.second);
    else
        message = tr("Word %1 is not the one shown.").arg(firstRight ? m_asked.second : m_asked.first);
    m_error->setText(message + QLatin1Char(' ') +
                     tr("Compare what you wrote down with the words, in their order; go back to the words if a word "
                        "is missing or hard to read."));
    m_error->show();
    (firstRight ? m_second : m_first)->setFocus();
    return false;
}

QString MnemonicConfirmation::errorText() const
{
    return m_error->isHidden() ? QString() : m_error->text();
}

// ---- the entry ---------------------------------------------------------------------------------

MnemonicEntry::MnemonicEntry(QWidget* parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("mnemonicEntry"));
    auto* grid = new QGridLayout(this);
    grid->setContentsMargins(0, 0, 0, 0);
    auto* model = new QStringListModel(wordList(), this);
    m_suggestions.resize(kWords);
    m_marked.resize(kWords, false);
    for (int i = 0; i < kWords; ++i) {
        auto* cell = new QVBoxLayout;
        auto* row = new QHBoxLayout;
        auto* number = new QLabel(QStringLiteral("%1.").arg(i + 1, 2), this);
        auto* edit = new QLineEdit(this);
        edit->setObjectName(QStringLiteral("entryWord%1").arg(i + 1));
        edit->setAccessibleName(tr("Word %1").arg(i + 1));
        edit->setInputMethodHints(Qt::ImhNoPredictiveText | Qt::ImhNoAutoUppercase | Qt::ImhSensitiveData |
                                  Qt::ImhLowercaseOnly);
        number->setBuddy(edit);
        auto* completer = new QCompleter(model, edit);
        completer->setCaseSensitivity(Qt::CaseInsensitive);
        completer->setModelSorting(QCompleter::CaseSensitivelySortedModel);
        completer->setCompletionMode(QCompleter::PopupCompletion);
        edit->setCompleter(completer);
        row->addWidget(number);
        row->addWidget(edit, 1);
        cell->addLayout(row);
        auto* hint = new QLabel(this);
        hint->setObjectName(QStringLiteral("entryHint%1").arg(i + 1));
        hint->setWordWrap(true);
        hint->setTextFormat(Qt::RichText);
        hint->setTextInteractionFlags(Qt::LinksAccessibleByMouse | Qt::LinksAccessibleByKeyboard);
        hint->setAccessibleDescription(tr("Suggestions for word %1").arg(i + 1));
        hint->setStyleSheet(QStringLiteral("color: #c0392b;"));
        hint->hide();
        cell->addWidget(hint);
        grid->addLayout(cell, i / kColumns, i % kColumns, Qt::AlignTop);
        m_fields.push_back(edit);
        m_hints.push_back(hint);

        connect(edit, &QLineEdit::textEdited, this, [this, i](const QString& text) { edited(i, text); });
        connect(edit, &QLineEdit::textChanged, this, [this, i](const QString& text) {
            if (m_marked[static_cast<std::size_t>(i)] && (text.trimmed().isEmpty() || isMnemonicWord(text))) unmark(i);
            emit completeChanged();
        });
        connect(edit, &QLineEdit::editingFinished, this, [this, i] { checkField(i); });
        connect(hint, &QLabel::linkActivated, this, [this, i](const QString& word) {
            QLineEdit* field = m_fields[static_cast<std::size_t>(i)];
            field->setText(word);
            checkField(i);
            if (i + 1 < kWords) m_fields[static_cast<std::size_t>(i + 1)]->setFocus();
        });
    }
}

MnemonicEntry::~MnemonicEntry() = default;

QStringList MnemonicEntry::words() const
{
    QStringList out;
    for (const QLineEdit* field : m_fields)
        out << normalised(field->text());
    return out;
}

bool MnemonicEntry::isComplete() const
{
    return std::all_of(m_fields.begin(), m_fields.end(),
                       [](const QLineEdit* field) { return isMnemonicWord(field->text()); });
}

void MnemonicEntry::clear()
{
    for (int i = 0; i < kWords; ++i) {
        m_fields[static_cast<std::size_t>(i)]->clear();
        unmark(i);
    }
}

QStringList MnemonicEntry::suggestionsFor(int index) const
{
    return m_suggestions.at(static_cast<std::size_t>(index));
}

bool MnemonicEntry::isMarked(int index) const
{
    return m_marked.at(static_cast<std::size_t>(index));
}

void MnemonicEntry::edited(int index, const QString& text)
{
    if (m_spreading || !text.contains(whitespace())) return;
    // Several words at once (pasted, or a space typed after a word): one per field from here on.
    const QStringList parts = text.split(whitespace(), Qt::SkipEmptyParts);
    m_spreading = true;
    int at = index;
    if (parts.isEmpty()) m_fields[static_cast<std::size_t>(index)]->clear();
    for (const QString& part : parts) {
        if (at >= kWords) break;
        m_fields[static_cast<std::size_t>(at)]->setText(part.toLower());
        ++at;
    }
    m_spreading = false;
    for (int i = index; i < at; ++i)
        checkField(i);
    if (at < kWords && !parts.isEmpty()) m_fields[static_cast<std::size_t>(at)]->setFocus();
    emit completeChanged();
}

void MnemonicEntry::checkField(int index)
{
    const QString text = m_fields[static_cast<std::size_t>(index)]->text();
    if (text.trimmed().isEmpty() || isMnemonicWord(text))
        unmark(index);
    else
        mark(index, mnemonicSuggestions(text));
}

void MnemonicEntry::mark(int index, const QStringList& suggestions)
{
    const auto i = static_cast<std::size_t>(index);
    QLineEdit* field = m_fields[i];
    QLabel* hint = m_hints[i];
    m_marked[i] = true;
    m_suggestions[i] = suggestions;
    field->setStyleSheet(QStringLiteral("QLineEdit { border: 2px solid #c0392b; border-radius: 3px; }"));
    QString tip = tr("This is not one of the words Nubo uses.");
    QString html = tr("Not in the word list.");
    if (!suggestions.isEmpty()) {
        tip += QLatin1Char(' ') + tr("Did you mean %1?").arg(suggestions.join(tr(", ")));
        QStringList links;
        for (const QString& word : suggestions)
            links << QStringLiteral("<a href=\"%1\">%1</a>").arg(word.toHtmlEscaped());
        html += QLatin1Char(' ') + tr("Did you mean %1?").arg(links.join(tr(", ")));
    } else {
        tip += QLatin1Char(' ') + tr("Check its spelling on your paper.");
    }
    field->setToolTip(tip);
    field->setAccessibleDescription(tip);
    hint->setText(html);
    hint->show();
}

void MnemonicEntry::unmark(int index)
{
    const auto i = static_cast<std::size_t>(index);
    m_marked[i] = false;
    m_suggestions[i].clear();
    m_fields[i]->setStyleSheet(QString());
    m_fields[i]->setToolTip(QString());
    m_fields[i]->setAccessibleDescription(QString());
    m_hints[i]->clear();
    m_hints[i]->hide();
}

} // namespace nubo::gui
