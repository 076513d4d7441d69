// Plain-text labels and layout clearing, shared by the views (see PlainWidgets.h).
#include "ui/PlainWidgets.h"

#include <QLabel>
#include <QLayout>
#include <QSplitter>

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

QSplitter *listAndDetail(QWidget *parent, const QString &objectName, QWidget *list, int listStretch,
                         QWidget *detail, int detailStretch)
{
    auto *splitter = new QSplitter(Qt::Horizontal, parent);
    splitter->setObjectName(objectName);
    splitter->setChildrenCollapsible(false);
    splitter->addWidget(list);
    splitter->addWidget(detail);
    splitter->setStretchFactor(0, listStretch);
    splitter->setStretchFactor(1, detailStretch);
    return splitter;
}

} // namespace countersign::ui
