// Painted badges.
#include "ui/Badge.h"

#include <QPainter>
#include <QPainterPath>

namespace countersign::ui {

namespace {
constexpr int kPadX = 7;
constexpr int kPadY = 2;
} // namespace

Badge::Badge(QWidget *parent) : QWidget(parent)
{
    setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Fixed);
}

Badge::Badge(const QString &text, Semantic semantic, QWidget *parent) : Badge(parent)
{
    m_semantic = semantic;
    setText(text);
}

void Badge::setText(const QString &text)
{
    if (text == m_text)
        return;
    m_text = text;
    setAccessibleName(text);
    updateGeometry();
    update();
}

void Badge::setSemantic(Semantic semantic)
{
    m_semantic = semantic;
    update();
}

void Badge::setFill(Fill fill)
{
    m_fill = fill;
    update();
}

QFont Badge::badgeFont() const
{
    QFont f = font();
    f.setPointSizeF(f.pointSizeF() * 0.86);
    f.setWeight(QFont::DemiBold);
    return f;
}

QSize Badge::sizeHint() const
{
    const QFontMetrics metrics(badgeFont());
    return {metrics.horizontalAdvance(m_text) + 2 * kPadX, metrics.height() + 2 * kPadY};
}

void Badge::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    const QColor strong = semanticColor(m_semantic, palette());
    const QRectF box = QRectF(rect()).adjusted(0.5, 0.5, -0.5, -0.5);
    const qreal radius = box.height() / 2.0;

    QColor textColor = strong;
    switch (m_fill) {
    case Fill::Solid:
        painter.setPen(Qt::NoPen);
        painter.setBrush(strong);
        textColor = isDarkPalette(palette()) ? QColor(0x14, 0x16, 0x1a) : QColor(Qt::white);
        break;
    case Fill::Tinted: {
        QColor border = strong;
        border.setAlphaF(0.45);
        painter.setPen(QPen(border, 1.0));
        painter.setBrush(semanticTint(m_semantic, palette()));
        break;
    }
    case Fill::Outline: {
        QColor border = strong;
        border.setAlphaF(0.7);
        painter.setPen(QPen(border, 1.0));
        painter.setBrush(Qt::NoBrush);
        break;
    }
    }
    painter.drawRoundedRect(box, radius, radius);
    painter.setPen(textColor);
    painter.setFont(badgeFont());
    painter.drawText(rect(), Qt::AlignCenter | Qt::TextSingleLine, m_text);
}

} // namespace countersign::ui
