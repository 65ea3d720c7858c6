// The settings window's activity list: what the folders did lately (uploaded, downloaded, moved,
// deleted, conflict, error) with the time, the folder and the item; errors first, a filter by
// folder, and a button that opens the item's containing folder. At most the last 1000 entries.
#pragma once

#include <QDateTime>
#include <QString>
#include <QWidget>

class QComboBox;
class QPushButton;
class QTreeWidget;

namespace nubo::gui {

struct ActivityEntry {
    QDateTime time;
    QString folder;      // the connection's name
    QString localFolder; // its local root
    QString path;        // relative to it
    QString what;        // "Uploaded", "Downloaded", ... or "Error"
    bool error = false;
    QString message; // for errors and conflicts: what happened and what to do
};

class ActivityPane : public QWidget {
    Q_OBJECT
public:
    explicit ActivityPane(QWidget* parent = nullptr);

    void addEntry(const ActivityEntry& entry) { addEntries({entry}); }
    // Many at once (a large sync reports thousands of items): sorted and trimmed once.
    void addEntries(const QList<ActivityEntry>& entries);
    // The rows shown now, top to bottom, as "what|folder|path" (tests).
    QStringList rows() const;
    void setFolderFilter(const QString& folder); // "" = all
    // Opens the containing folder of the selected row; false when none is selected.
    bool openSelected();

private:
    void apply();

    QComboBox* m_filter = nullptr;
    QTreeWidget* m_list = nullptr;
    QPushButton* m_open = nullptr;
};

} // namespace nubo::gui
