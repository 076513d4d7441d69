// The inline message bar.
#include "ui/MessageBar.h"

#include "core/text/DisplayText.h"
#include "ui/Band.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QStyle>
#include <QToolButton>
#include <QVBoxLayout>

namespace countersign::ui {

namespace {
constexpr int kMaxDetailChars = 600;
} // namespace

MessageBar::MessageBar(QWidget *parent)
    : QWidget(parent), m_band(new Band(Semantic::Info, this)), m_title(new QLabel(m_band)),
      m_detail(new QLabel(m_band)), m_close(new QToolButton(m_band))
{
    setObjectName(QStringLiteral("messageBar"));
    setAccessibleName(QStringLiteral("Message"));

    for (QLabel *label : {m_title, m_detail}) {
        label->setTextFormat(Qt::PlainText);
        label->setWordWrap(true);
        label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    }
    m_title->setObjectName(QStringLiteral("messageTitle"));
    m_detail->setObjectName(QStringLiteral("messageDetail"));
    QFont titleFont = m_title->font();
    titleFont.setBold(true);
    m_title->setFont(titleFont);

    m_close->setObjectName(QStringLiteral("messageCloseButton"));
    m_close->setAutoRaise(true);
    m_close->setIcon(style()->standardIcon(QStyle::SP_TitleBarCloseButton));
    m_close->setToolTip(QStringLiteral("Dismiss"));
    m_close->setAccessibleName(QStringLiteral("Dismiss message"));
    m_close->setFocusPolicy(Qt::TabFocus);
    connect(m_close, &QToolButton::clicked, this, &MessageBar::dismiss);

    auto *texts = new QVBoxLayout;
    texts->setSpacing(2);
    texts->addWidget(m_title);
    texts->addWidget(m_detail);

    auto *bandLayout = new QHBoxLayout(m_band);
    bandLayout->setContentsMargins(16, 8, 6, 8);
    bandLayout->addLayout(texts, 1);
    bandLayout->addWidget(m_close, 0, Qt::AlignTop);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(10, 8, 10, 2);
    layout->addWidget(m_band);

    m_autoHide.setSingleShot(true);
    connect(&m_autoHide, &QTimer::timeout, this, &MessageBar::dismiss);
    hide();
}

void MessageBar::showMessage(Semantic semantic, const QString &title, const QString &detail, int autoHideMs)
{
    m_band->setSemantic(semantic);
    m_title->setText(title);
    m_detail->setText(displayText(detail, kMaxDetailChars, TextLines::Multiple));
    m_detail->setVisible(!detail.isEmpty());
    setAccessibleDescription(text());
    m_autoHide.stop();
    if (autoHideMs > 0)
        m_autoHide.start(autoHideMs);
    show();
}

void MessageBar::dismiss()
{
    m_autoHide.stop();
    if (isHidden())
        return;
    hide();
    Q_EMIT dismissed();
}

Semantic MessageBar::semantic() const
{
    return m_band->semantic();
}

QString MessageBar::title() const
{
    return m_title->text();
}

QString MessageBar::detail() const
{
    return m_detail->text();
}

QString MessageBar::text() const
{
    if (m_detail->text().isEmpty())
        return m_title->text();
    return m_title->text() + QStringLiteral(" — ") + m_detail->text();
}

} // namespace countersign::ui
