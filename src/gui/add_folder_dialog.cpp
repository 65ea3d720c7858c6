#include "add_folder_dialog.h"

#include "account.h"
#include "background.h"
#include "ui_helpers.h"

#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace nubo::gui {

AddFolderDialog::AddFolderDialog(std::shared_ptr<const sync::Account> account, const AppSettings& settings,
                                 QWidget* parent)
    : QDialog(parent), m_account(std::move(account)), m_settings(settings)
{
    setObjectName(QStringLiteral("addFolderDialog"));
    setWindowTitle(tr("Add a folder to sync"));
    setAccessibleName(tr("Add a folder to sync"));
    auto* layout = new QVBoxLayout(this);
    auto* form = new QFormLayout;
    auto* localRow = new QHBoxLayout;
    m_local = new QLineEdit(QDir::homePath() + QStringLiteral("/Nubo"), this);
    m_local->setObjectName(QStringLiteral("localPath"));
    m_local->setAccessibleName(tr("Local folder"));
    auto* choose = new QPushButton(tr("&Choose…"), this);
    choose->setObjectName(QStringLiteral("chooseLocal"));
    localRow->addWidget(m_local);
    localRow->addWidget(choose);
    auto* localLabel = new QLabel(tr("&Local folder:"), this);
    localLabel->setBuddy(m_local); // a label given to addRow with a layout would show its "&"
    form->addRow(localLabel, localRow);
    layout->addLayout(form);

    auto* remoteLabel = new QLabel(tr("&Server folder:"), this);
    layout->addWidget(remoteLabel);
    RemoteFolderTree::Options treeOptions;
    treeOptions.rootLabel = tr("Your files (all of them)");
    m_tree = new RemoteFolderTree(m_account, treeOptions, this);
    remoteLabel->setBuddy(m_tree);
    connect(m_tree, &RemoteFolderTree::listed, this, &AddFolderDialog::listed);
    layout->addWidget(m_tree, 1);

    m_error = errorLabel(this, QStringLiteral("addFolderError"));
    layout->addWidget(m_error);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("&Sync this folder"));
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &AddFolderDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &AddFolderDialog::reject);
    connect(choose, &QPushButton::clicked, this, [this] {
        const QString chosen = QFileDialog::getExistingDirectory(this, tr("Local folder to sync"), m_local->text());
        if (!chosen.isEmpty())
            m_local->setText(chosen);
    });
    resize(520, 480);
}

bool AddFolderDialog::selectRemote(const QString& remotePath)
{
    QTreeWidgetItem* item = m_tree->itemFor(remotePath);
    if (item)
        m_tree->setCurrentItem(item);
    return item != nullptr;
}

QString AddFolderDialog::remotePath() const
{
    return RemoteFolderTree::pathOf(m_tree->currentItem());
}

void AddFolderDialog::setLocalPath(const QString& path)
{
    m_local->setText(path);
}

QString AddFolderDialog::errorText() const
{
    return m_error->isVisible() ? m_error->text() : QString();
}

void AddFolderDialog::showError(const QString& message)
{
    m_error->setText(message);
    m_error->setVisible(!message.isEmpty());
}

void AddFolderDialog::accept()
{
    if (m_checking)
        return;
    const QString remote = remotePath();
    if (remote.isEmpty()) {
        showError(tr("Choose the server folder to sync."));
        emit checked(false);
        return;
    }
    const QString local = QDir::cleanPath(m_local->text().trimmed());
    m_checking = true;
    showError({});
    runInBackground(
        this, [settings = AppSettings(m_settings.file()), local] { return settings.checkNewLocalFolder(local); },
        [this, local, remote](QString problem) {
            m_checking = false;
            if (!problem.isEmpty()) {
                showError(problem);
                emit checked(false);
                return;
            }
            m_result = FolderSettings{local, remote, false, {}};
            emit checked(true);
            QDialog::accept();
        });
}

} // namespace nubo::gui
