// Tinted panels with an accent stripe.
#include "ui/Band.h"

#include <QPainter>

namespace countersign::ui {

Band::Band(Semantic semantic, QWidget *parent) : QFrame(parent), m_semantic(semantic)
{
    setFrameShape(QFrame::NoFrame);
    setAutoFillBackground(false);
}

void Band::setSemantic(Semantic semantic)
{
    m_semantic = semantic;
    update();
}

void Band::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    const QRectF box = QRectF(rect()).adjusted(0.5, 0.5, -0.5, -0.5);
    QColor border = semanticColor(m_semantic, palette());
    border.setAlphaF(0.35);
    painter.setPen(QPen(border, 1.0));
    painter.setBrush(semanticTint(m_semantic, palette()));
    painter.drawRoundedRect(box, 4.0, 4.0);

    // The accent stripe on the leading edge (right in right-to-left layouts).
    const qreal stripe = 4.0;
    const QRectF accent = layoutDirection() == Qt::RightToLeft
        ? QRectF(box.right() - stripe, box.top(), stripe, box.height())
        : QRectF(box.left(), box.top(), stripe, box.height());
    painter.setPen(Qt::NoPen);
    painter.setBrush(semanticColor(m_semantic, palette()));
    painter.save();
    painter.setClipRect(accent);
    painter.drawRoundedRect(box, 4.0, 4.0);
    painter.restore();
}

} // namespace countersign::ui
