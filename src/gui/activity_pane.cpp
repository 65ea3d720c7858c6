#include "activity_pane.h"

#include <QComboBox>
#include <QDesktopServices>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QTreeWidget>
#include <QUrl>
#include <QVBoxLayout>

namespace nubo::gui {

namespace {
constexpr int kMaxEntries = 1000;
constexpr int kErrorRole = Qt::UserRole;
constexpr int kTimeRole = Qt::UserRole + 1;
constexpr int kLocalRole = Qt::UserRole + 2;

// Errors first, then the newest first.
class ActivityItem : public QTreeWidgetItem {
public:
    using QTreeWidgetItem::QTreeWidgetItem;
    bool operator<(const QTreeWidgetItem& other) const override
    {
        const bool error = data(0, kErrorRole).toBool(), otherError = other.data(0, kErrorRole).toBool();
        if (error != otherError)
            return error; // ascending order: what is "less" comes first
        return data(0, kTimeRole).toDateTime() > other.data(0, kTimeRole).toDateTime();
    }
};
} // namespace

ActivityPane::ActivityPane(QWidget* parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("activityPane"));
    setAccessibleName(tr("Activity"));
    auto* layout = new QVBoxLayout(this);
    auto* top = new QHBoxLayout;
    auto* label = new QLabel(tr("&Show:"), this);
    m_filter = new QComboBox(this);
    m_filter->setObjectName(QStringLiteral("activityFilter"));
    m_filter->setAccessibleName(tr("Show the activity of"));
    m_filter->addItem(tr("All folders"), QString());
    label->setBuddy(m_filter);
    top->addWidget(label);
    top->addWidget(m_filter, 1);
    layout->addLayout(top);
    m_list = new QTreeWidget(this);
    m_list->setObjectName(QStringLiteral("activityList"));
    m_list->setAccessibleName(tr("Recent activity"));
    m_list->setHeaderLabels({tr("Time"), tr("Folder"), tr("Item"), tr("What")});
    m_list->setRootIsDecorated(false);
    m_list->setAlternatingRowColors(true);
    m_list->header()->setStretchLastSection(true);
    layout->addWidget(m_list, 1);
    m_open = new QPushButton(tr("&Open the containing folder"), this);
    m_open->setObjectName(QStringLiteral("openContaining"));
    m_open->setEnabled(false);
    layout->addWidget(m_open, 0, Qt::AlignLeft);
    connect(m_filter, &QComboBox::currentIndexChanged, this, &ActivityPane::apply);
    connect(m_list, &QTreeWidget::itemSelectionChanged, this,
            [this] { m_open->setEnabled(!m_list->selectedItems().isEmpty()); });
    connect(m_open, &QPushButton::clicked, this, &ActivityPane::openSelected);
    connect(m_list, &QTreeWidget::itemActivated, this, [this] { openSelected(); });
}

void ActivityPane::addEntries(const QList<ActivityEntry>& entries)
{
    // Of a batch larger than the list, only its newest entries and all its errors can stay.
    for (const ActivityEntry& entry : entries) {
        if (m_filter->findData(entry.folder) < 0)
            m_filter->addItem(entry.folder, entry.folder);
        auto* item = new ActivityItem({QLocale().toString(entry.time.time(), QLocale::ShortFormat), entry.folder,
                                       entry.path,
                                       //: What happened to a file, then the details
                                       entry.message.isEmpty() ? entry.what : tr("%1: %2").arg(entry.what, entry.message)});
        item->setData(0, kErrorRole, entry.error);
        item->setData(0, kTimeRole, entry.time);
        item->setData(0, kLocalRole, entry.localFolder + QLatin1Char('/') + entry.path);
        item->setToolTip(3, entry.message);
        if (entry.error)
            for (int column = 0; column < 4; ++column)
                item->setForeground(column, QColor(0xc0, 0x39, 0x2b));
        m_list->addTopLevelItem(item);
    }
    m_list->sortItems(0, Qt::AscendingOrder); // errors first, then the newest
    // Full: the oldest plain entries go (they are at the bottom); errors go only when nothing else is left.
    for (int i = m_list->topLevelItemCount() - 1; i >= 0 && m_list->topLevelItemCount() > kMaxEntries; --i)
        if (!m_list->topLevelItem(i)->data(0, kErrorRole).toBool())
            delete m_list->takeTopLevelItem(i);
    while (m_list->topLevelItemCount() > kMaxEntries)
        delete m_list->takeTopLevelItem(m_list->topLevelItemCount() - 1);
    apply();
}

void ActivityPane::apply()
{
    const QString folder = m_filter->currentData().toString();
    for (int i = 0; i < m_list->topLevelItemCount(); ++i) {
        QTreeWidgetItem* item = m_list->topLevelItem(i);
        item->setHidden(!folder.isEmpty() && item->text(1) != folder);
    }
}

void ActivityPane::setFolderFilter(const QString& folder)
{
    const int index = m_filter->findData(folder);
    m_filter->setCurrentIndex(index < 0 ? 0 : index);
}

QStringList ActivityPane::rows() const
{
    QStringList result;
    for (int i = 0; i < m_list->topLevelItemCount(); ++i) {
        const QTreeWidgetItem* item = m_list->topLevelItem(i);
        if (!item->isHidden())
            result << item->text(3) + QLatin1Char('|') + item->text(1) + QLatin1Char('|') + item->text(2);
    }
    return result;
}

bool ActivityPane::openSelected()
{
    const auto selected = m_list->selectedItems();
    if (selected.isEmpty())
        return false;
    const QString path = selected.first()->data(0, kLocalRole).toString();
    return QDesktopServices::openUrl(QUrl::fromLocalFile(QFileInfo(path).absolutePath()));
}

} // namespace nubo::gui
