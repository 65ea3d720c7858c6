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
    // A label's text reaches a screen reader (AT-SPI) only as its accessible name: the name stays the
    // message, and what kind of text it is goes into the description.
    label->setAccessibleDescription(QObject::tr("Error"));
    label->hide();
    return label;
}

} // namespace nubo::gui
