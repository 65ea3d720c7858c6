#include "folders_pane.h"

#include <QDesktopServices>
#include <QDir>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QUrl>
#include <QVBoxLayout>

namespace nubo::gui {

QString formatBytes(qint64 bytes)
{
    return QLocale().formattedDataSize(bytes, 1, QLocale::DataSizeTraditionalFormat);
}

namespace {
QString shownLocal(const QString& path)
{
    const QString home = QDir::homePath();
    return path.startsWith(home + QLatin1Char('/')) ? QStringLiteral("~") + path.mid(home.size()) : path;
}
} // namespace

FolderRow::FolderRow(FolderRunner* runner, const FolderSettings& folder, QWidget* parent)
    : QFrame(parent), m_runner(runner), m_localPath(folder.localPath)
{
    setObjectName(QStringLiteral("folderRow"));
    setFrameShape(QFrame::StyledPanel);
    setAccessibleName(tr("Folder %1").arg(folder.name()));
    auto* layout = new QVBoxLayout(this);
    auto* title = new QLabel(QStringLiteral("<b>%1</b>").arg(folder.name().toHtmlEscaped()), this);
    auto* ends = new QLabel(tr("%1 ⇄ %2 on the server").arg(shownLocal(folder.localPath), folder.remotePath), this);
    ends->setObjectName(QStringLiteral("folderEnds"));
    ends->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_status = new QLabel(tr("Waiting for the first sync"), this);
    m_status->setObjectName(QStringLiteral("folderStatus"));
    m_status->setWordWrap(true);
    m_status->setFocusPolicy(Qt::StrongFocus);
    m_status->setAccessibleDescription(tr("Status of %1").arg(folder.name()));
    m_current = new QLabel(this);
    m_current->setObjectName(QStringLiteral("currentFile"));
    m_current->setAccessibleDescription(tr("File in transfer"));
    m_current->hide();
    m_progress = new QProgressBar(this);
    m_progress->setObjectName(QStringLiteral("folderProgress"));
    m_progress->setAccessibleName(tr("Progress of %1").arg(folder.name()));
    m_progress->hide();

    auto* buttons = new QHBoxLayout;
    auto* syncNow = new QPushButton(tr("Sync &now"), this);
    syncNow->setObjectName(QStringLiteral("syncNow"));
    m_pause = new QPushButton(this);
    m_pause->setObjectName(QStringLiteral("pause"));
    auto* open = new QPushButton(tr("&Open"), this);
    open->setObjectName(QStringLiteral("open"));
    auto* choose = new QPushButton(tr("Choose &what to sync…"), this);
    choose->setObjectName(QStringLiteral("chooseWhatToSync"));
    auto* remove = new QPushButton(tr("&Remove…"), this);
    remove->setObjectName(QStringLiteral("remove"));
    for (QPushButton* button : {syncNow, m_pause, open, choose, remove})
        buttons->addWidget(button);
    buttons->addStretch();

    layout->addWidget(title);
    layout->addWidget(ends);
    layout->addWidget(m_status);
    layout->addWidget(m_current);
    layout->addWidget(m_progress);
    layout->addLayout(buttons);

    connect(syncNow, &QPushButton::clicked, runner, &FolderRunner::syncNow);
    connect(m_pause, &QPushButton::clicked, this, [this] { emit pauseToggled(m_localPath, !m_paused); });
    connect(open, &QPushButton::clicked, this,
            [this] { QDesktopServices::openUrl(QUrl::fromLocalFile(m_localPath)); });
    connect(remove, &QPushButton::clicked, this, [this] { emit removeRequested(m_localPath); });
    connect(choose, &QPushButton::clicked, this, [this] { emit chooseRequested(m_localPath); });

    connect(runner, &FolderRunner::runStarted, this, [this] {
        m_items = m_itemsDone = m_bytes = m_bytesDone = 0;
        m_status->setText(tr("Looking for changes…"));
        m_status->setStyleSheet({});
        m_progress->setRange(0, 0); // busy until the plan is known
        m_progress->show();
    });
    connect(runner, &FolderRunner::planReady, this, [this](qint64 items, qint64 bytes) {
        m_items = items;
        m_bytes = bytes;
        showProgress();
    });
    connect(runner, &FolderRunner::itemStarted, this, [this](const QString& path) {
        m_current->setText(path);
        m_current->show();
    });
    connect(runner, &FolderRunner::transferProgress, this, [this](qint64 done, qint64 total) {
        m_bytesDone = done;
        if (total > 0)
            m_bytes = total;
        showProgress();
    });
    connect(runner, &FolderRunner::itemFinished, this, [this](const QString&, bool, const QString&) {
        ++m_itemsDone;
        showProgress();
    });
    connect(runner, &FolderRunner::runFinished, this, [this](bool ok, const QString& summary) {
        m_progress->hide();
        m_current->hide();
        m_status->setText(ok ? tr("%1 (%2)").arg(summary, QLocale().toString(QTime::currentTime(), QLocale::ShortFormat))
                             : summary);
        m_status->setStyleSheet(ok ? QString() : QStringLiteral("color: #c0392b;"));
    });
    setPaused(folder.paused);
}

void FolderRow::showProgress()
{
    if (m_items == 0 && m_bytes == 0)
        return;
    const bool last = m_itemsDone >= m_items && m_bytesDone >= m_bytes;
    if (m_shown.isValid() && m_shown.elapsed() < 100 && !last)
        return;
    m_shown.start();
    m_status->setText(m_bytes > 0 ? tr("Syncing: %1 of %2 items, %3 of %4")
                                        .arg(m_itemsDone)
                                        .arg(m_items)
                                        .arg(formatBytes(m_bytesDone), formatBytes(m_bytes))
                                  : tr("Syncing: %1 of %2 items").arg(m_itemsDone).arg(m_items));
    // The bar follows bytes when there are any (uploads and downloads), items otherwise.
    constexpr int kSteps = 1000;
    m_progress->setRange(0, kSteps);
    const double share = m_bytes > 0 ? double(m_bytesDone) / double(m_bytes)
                                     : double(m_itemsDone) / double(std::max<qint64>(m_items, 1));
    m_progress->setValue(static_cast<int>(std::clamp(share, 0.0, 1.0) * kSteps));
}

void FolderRow::setPaused(bool paused)
{
    m_paused = paused;
    m_pause->setText(paused ? tr("&Resume") : tr("&Pause"));
    if (paused) {
        m_status->setText(tr("Paused"));
        m_status->setStyleSheet({});
        m_progress->hide();
        m_current->hide();
    }
}

QString FolderRow::statusText() const
{
    return m_status->text();
}

QString FolderRow::currentFileText() const
{
    return m_current->isHidden() ? QString() : m_current->text();
}

FoldersPane::FoldersPane(QWidget* parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("foldersPane"));
    setAccessibleName(tr("Synced folders"));
    auto* layout = new QVBoxLayout(this);
    auto* scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    auto* inner = new QWidget(scroll);
    m_list = new QVBoxLayout(inner);
    m_empty = new QLabel(tr("No folder is synced yet. Add one to start."), inner);
    m_empty->setObjectName(QStringLiteral("noFolders"));
    m_list->addWidget(m_empty);
    m_list->addStretch();
    scroll->setWidget(inner);
    layout->addWidget(scroll);
    auto* add = new QPushButton(tr("&Add a folder…"), this);
    add->setObjectName(QStringLiteral("addFolder"));
    layout->addWidget(add, 0, Qt::AlignLeft);
    connect(add, &QPushButton::clicked, this, &FoldersPane::addRequested);
}

void FoldersPane::addFolder(FolderRunner* runner, const FolderSettings& folder)
{
    auto* row = new FolderRow(runner, folder, this);
    m_list->insertWidget(m_list->count() - 1, row);
    m_rows[folder.localPath] = row;
    connect(row, &FolderRow::pauseToggled, this, &FoldersPane::pauseToggled);
    connect(row, &FolderRow::removeRequested, this, &FoldersPane::removeRequested);
    connect(row, &FolderRow::chooseRequested, this, &FoldersPane::chooseRequested);
    updateEmpty();
}

void FoldersPane::removeFolder(const QString& localPath)
{
    if (auto it = m_rows.find(localPath); it != m_rows.end()) {
        delete it->second;
        m_rows.erase(it);
    }
    updateEmpty();
}

FolderRow* FoldersPane::row(const QString& localPath) const
{
    const auto it = m_rows.find(localPath);
    return it == m_rows.end() ? nullptr : it->second;
}

void FoldersPane::updateEmpty()
{
    m_empty->setVisible(m_rows.empty());
}

} // namespace nubo::gui
