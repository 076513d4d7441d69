// Plain-text labels and layout clearing, shared by the views (see PlainWidgets.h).
#include "ui/PlainWidgets.h"

#include <QLabel>
#include <QLayout>

namespace countersign::ui {

QLabel *plainLabel(QWidget *parent, const QString &objectName, Selectable selectable)
{
    auto *label = new QLabel(parent);
    label->setTextFormat(Qt::PlainText);
    if (selectable == Selectable::Yes)
        label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    if (!objectName.isEmpty())
        label->setObjectName(objectName);
    return label;
}

void clearLayout(QLayout *layout)
{
    while (QLayoutItem *item = layout->takeAt(0)) {
        if (QWidget *widget = item->widget())
            delete widget;
        else if (QLayout *child = item->layout())
            clearLayout(child);
        delete item;
    }
}

} // namespace countersign::ui
