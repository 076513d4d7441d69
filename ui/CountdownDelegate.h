// Paints the queue's time-left cell: the text and, under it, a thin bar for the share of the
// decision window that is left, shifting from calm to amber to red as the deadline nears.
// Reads PendingQueueModel's TimeFractionRole and ExpiredRole; paints only.
#pragma once

#include <QStyledItemDelegate>

namespace countersign::ui {

class CountdownDelegate final : public QStyledItemDelegate {
    Q_OBJECT

public:
    using QStyledItemDelegate::QStyledItemDelegate;
    Q_DISABLE_COPY_MOVE(CountdownDelegate)

    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;
};

} // namespace countersign::ui
