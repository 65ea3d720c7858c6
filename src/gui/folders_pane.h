// The settings window's folder list: one row per sync connection with its two ends, a status line,
// a progress bar (items and bytes) with the file in transfer, and its actions (sync now, pause or
// resume, open, remove); "Add a folder…" below. Rows follow their FolderRunner's signals; the pane
// itself reaches neither the network nor the disk.
#pragma once

#include "app_settings.h"
#include "folder_runner.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QFrame>
#include <QWidget>

#include <map>

class QLabel;
class QProgressBar;
class QPushButton;
class QVBoxLayout;

namespace nubo::gui {

class FolderRow : public QFrame {
    Q_OBJECT
public:
    FolderRow(FolderRunner* runner, const FolderSettings& folder, QWidget* parent = nullptr);

    QString statusText() const;
    QString currentFileText() const;
    const QProgressBar* progress() const { return m_progress; }
    void setPaused(bool paused);

signals:
    void pauseToggled(const QString& localPath, bool paused);
    void removeRequested(const QString& localPath);
    void chooseRequested(const QString& localPath);

private:
    void showProgress();

    FolderRunner* m_runner;
    QString m_localPath;
    QLabel* m_status = nullptr;
    QLabel* m_current = nullptr;
    QProgressBar* m_progress = nullptr;
    QPushButton* m_pause = nullptr;
    bool m_paused = false;
    qint64 m_items = 0, m_itemsDone = 0, m_bytes = 0, m_bytesDone = 0;
    QElapsedTimer m_shown; // the status line is redrawn at most every 100 ms (100 000 items in a run)
};

class FoldersPane : public QWidget {
    Q_OBJECT
public:
    explicit FoldersPane(QWidget* parent = nullptr);

    void addFolder(FolderRunner* runner, const FolderSettings& folder);
    void removeFolder(const QString& localPath);
    FolderRow* row(const QString& localPath) const;
    int count() const { return static_cast<int>(m_rows.size()); }

signals:
    void addRequested();
    void pauseToggled(const QString& localPath, bool paused);
    void removeRequested(const QString& localPath);
    void chooseRequested(const QString& localPath); // "Choose what to sync…" (and Encrypt)

private:
    void updateEmpty();

    QVBoxLayout* m_list = nullptr;
    QLabel* m_empty = nullptr;
    std::map<QString, FolderRow*> m_rows;
};

// "1.5 MiB"
QString formatBytes(qint64 bytes);

} // namespace nubo::gui
