#include "mass_delete_dialog.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

#include <algorithm>
#include <limits>

namespace nubo::gui {

namespace {

int clampedCount(qint64 count)
{
    return static_cast<int>(std::clamp<qint64>(count, 0, std::numeric_limits<int>::max()));
}

} // namespace

MassDeleteDialog::MassDeleteDialog(const QString& folderName, bool deletedOnServer, const QStringList& paths,
                                   qint64 total, QWidget* parent)
    : QDialog(parent)
{
    setObjectName(QStringLiteral("massDeleteDialog"));
    setWindowTitle(tr("Deleted items in “%1”").arg(folderName));
    setAccessibleName(windowTitle());

    const int count = clampedCount(std::max<qint64>(total, paths.size()));
    const QString what = deletedOnServer
                             ? tr("%n item(s) in “%1” were deleted on the server.", nullptr, count).arg(folderName)
                             : tr("%n item(s) in “%1” were deleted on this computer.", nullptr, count).arg(folderName);
    const QString ask = deletedOnServer
                            ? tr("Delete them on this computer too, or restore them on the server from the copies "
                                 "here?")
                            : tr("Delete them on the server too, or restore them here from the server?");
    m_question = new QLabel(what + QLatin1Char('\n') + ask + QLatin1Char('\n') +
                                tr("Nothing changes in this folder until you answer."),
                            this);
    m_question->setObjectName(QStringLiteral("question"));
    m_question->setTextFormat(Qt::PlainText); // a folder name is not markup
    m_question->setWordWrap(true);
    m_question->setAccessibleDescription(tr("Question"));

    auto* listLabel = new QLabel(tr("&Items:"), this);
    m_list = new QListWidget(this);
    m_list->setObjectName(QStringLiteral("paths"));
    m_list->setAccessibleName(tr("Deleted items"));
    m_list->setAccessibleDescription(what);
    m_list->setUniformItemSizes(true);
    m_list->setSelectionMode(QAbstractItemView::SingleSelection);
    listLabel->setBuddy(m_list);
    const qsizetype shown = std::min<qsizetype>(paths.size(), kListed);
    for (qsizetype i = 0; i < shown; ++i)
        m_list->addItem(paths.at(i));
    if (count > shown)
        m_list->addItem(tr("… and %n more", nullptr, clampedCount(count - shown)));

    m_delete = new QPushButton(deletedOnServer ? tr("&Delete them here too") : tr("&Delete them on the server too"),
                               this);
    m_delete->setObjectName(QStringLiteral("delete"));
    m_delete->setAccessibleName(deletedOnServer ? tr("Delete them on this computer too")
                                                : tr("Delete them on the server too"));
    m_delete->setAutoDefault(false);
    m_restore = new QPushButton(tr("&Restore them"), this);
    m_restore->setObjectName(QStringLiteral("restore"));
    m_restore->setAccessibleName(deletedOnServer ? tr("Restore them on the server") : tr("Restore them here"));
    m_later = new QPushButton(tr("Decide &later"), this);
    m_later->setObjectName(QStringLiteral("later"));
    m_later->setAccessibleName(tr("Decide later"));
    m_later->setAccessibleDescription(tr("Nothing changes until you answer"));
    m_later->setAutoDefault(false);
    // Enter restores: of the two answers, the one that cannot lose anything.
    m_restore->setDefault(true);

    connect(m_delete, &QPushButton::clicked, this, [this] { answer(sync::MassDeleteDecision::Delete); });
    connect(m_restore, &QPushButton::clicked, this, [this] { answer(sync::MassDeleteDecision::Restore); });
    connect(m_later, &QPushButton::clicked, this, &QDialog::reject);

    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_delete);
    buttons->addStretch(1);
    buttons->addWidget(m_later);
    buttons->addWidget(m_restore);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_question);
    layout->addWidget(listLabel);
    layout->addWidget(m_list, 1);
    layout->addLayout(buttons);

    setTabOrder(m_list, m_restore);
    setTabOrder(m_restore, m_later);
    setTabOrder(m_later, m_delete);
    m_restore->setFocus();
    resize(560, 420);
}

void MassDeleteDialog::answer(sync::MassDeleteDecision decision)
{
    m_decision = decision;
    emit decided(decision);
    accept();
}

} // namespace nubo::gui
