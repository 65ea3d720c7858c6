// The question a folder asks when a run stopped at the mass-delete guard (FolderRunner::
// massDeleteQuestion): many items were deleted on one side; delete them on the other side too,
// restore them, or decide later. Nothing happens in the folder until the user answers; closing
// the dialog (Escape, the window's close button) is "decide later".
#pragma once

#include "sync_engine.h"

#include <QDialog>
#include <QStringList>

class QLabel;
class QListWidget;
class QPushButton;

namespace nubo::gui {

class MassDeleteDialog : public QDialog {
    Q_OBJECT
public:
    // How many paths the list shows; the rest is one "… and N more" line.
    static constexpr int kListed = 1000;

    // deletedOnServer, paths and total as FolderRunner::massDeleteQuestion gives them.
    MassDeleteDialog(const QString& folderName, bool deletedOnServer, const QStringList& paths, qint64 total,
                     QWidget* parent = nullptr);

    // The answer: Delete or Restore (the dialog is then accepted), or Refuse for "decide later"
    // and for a dialog closed without an answer (rejected).
    sync::MassDeleteDecision decision() const { return m_decision; }

    QLabel* question() const { return m_question; }
    QListWidget* list() const { return m_list; }
    QPushButton* deleteButton() const { return m_delete; }
    QPushButton* restoreButton() const { return m_restore; }
    QPushButton* laterButton() const { return m_later; }

signals:
    // Delete or Restore, once the user chose one; not emitted for "decide later".
    void decided(nubo::sync::MassDeleteDecision decision);

private:
    void answer(sync::MassDeleteDecision decision);

    sync::MassDeleteDecision m_decision = sync::MassDeleteDecision::Refuse;
    QLabel* m_question = nullptr;
    QListWidget* m_list = nullptr;
    QPushButton* m_delete = nullptr;
    QPushButton* m_restore = nullptr;
    QPushButton* m_later = nullptr;
};

} // namespace nubo::gui
