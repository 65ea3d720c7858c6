#include "ui_helpers.h"

#include <QLabel>

namespace nubo::gui {

QLabel* errorLabel(QWidget* parent, const QString& objectName)
{
    auto* label = new QLabel(parent);
    label->setObjectName(objectName);
    label->setWordWrap(true);
    label->setStyleSheet(QStringLiteral("color: #c0392b;"));
    label->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    label->setAccessibleName(QObject::tr("Error"));
    label->hide();
    return label;
}

} // namespace nubo::gui
