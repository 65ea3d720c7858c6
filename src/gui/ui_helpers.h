// Small pieces every pane builds the same way.
#pragma once

#include <QString>

class QLabel;
class QWidget;

namespace nubo::gui {

// A hidden, red, selectable, word-wrapped label for one error message, named for tests and screen
// readers.
QLabel* errorLabel(QWidget* parent, const QString& objectName);

} // namespace nubo::gui
