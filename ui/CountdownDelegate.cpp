// The countdown cell of the pending queue.
#include "ui/CountdownDelegate.h"

#include "models/PendingQueueModel.h"
#include "models/SemanticColors.h"

#include <QApplication>
#include <QPainter>

namespace countersign::ui {

void CountdownDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    constexpr int kBarHeight = 3;
    constexpr int kInset = 6;
    constexpr int kGap = 4; // between the bottom of the cell and the bar

    QStyleOptionViewItem textOption = option;
    initStyleOption(&textOption, index);
    const bool expired = index.data(PendingQueueModel::ExpiredRole).toBool();
    const double fraction = index.data(PendingQueueModel::TimeFractionRole).toDouble();

    // Background and selection across the whole cell, then the text a little above centre so
    // the bar fits underneath.
    const QWidget *widget = option.widget;
    QStyle *style = widget ? widget->style() : QApplication::style();
    QStyleOptionViewItem background = textOption;
    background.text.clear();
    style->drawControl(QStyle::CE_ItemViewItem, &background, painter, widget);

    if (!expired && fraction < 0.1)
        textOption.font.setBold(true);
    const QString text = index.data(Qt::DisplayRole).toString();
    // The text sits where every other column's text sits; the bar runs under it.
    const QRect textRect = option.rect.adjusted(kInset, 0, -kInset, -2);
    painter->save();
    painter->setFont(textOption.font);
    const bool selected = option.state & QStyle::State_Selected;
    const QPalette::ColorGroup group = (option.state & QStyle::State_Active) ? QPalette::Active : QPalette::Inactive;
    QColor textColor = option.palette.color(group, selected ? QPalette::HighlightedText : QPalette::Text);
    if (expired && !selected)
        textColor = option.palette.color(QPalette::Disabled, QPalette::Text);
    painter->setPen(textColor);
    painter->drawText(textRect, Qt::AlignLeft | Qt::AlignVCenter | Qt::TextSingleLine, text);

    if (!expired) {
        const QRect cell = option.rect;
        const QRect track(cell.left() + kInset, cell.bottom() - kGap - kBarHeight + 1,
            qMax(0, cell.width() - 2 * kInset), kBarHeight);
        QColor trackColor = option.palette.color(QPalette::Text);
        trackColor.setAlphaF(selected ? 0.25 : 0.10);
        painter->setRenderHint(QPainter::Antialiasing);
        painter->setPen(Qt::NoPen);
        painter->setBrush(trackColor);
        painter->drawRoundedRect(track, 1.5, 1.5);
        QRect bar = track;
        bar.setWidth(qMax(2, static_cast<int>(track.width() * qBound(0.0, fraction, 1.0))));
        painter->setBrush(countdownColor(fraction, option.palette));
        painter->drawRoundedRect(bar, 1.5, 1.5);
    }
    painter->restore();
}

} // namespace countersign::ui
