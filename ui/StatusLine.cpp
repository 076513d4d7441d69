// The connection status line.
#include "ui/StatusLine.h"
#include "ui/PlainWidgets.h"

#include "core/text/DisplayText.h"
#include "ui/Badge.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPainter>

namespace countersign::ui {

StatusLine::StatusLine(QWidget *parent)
    : QWidget(parent),
      m_state(new Badge(this)),
      m_consequence(plainLabel(this, QStringLiteral("statusConsequence"), Selectable::No)),
      m_gateway(plainLabel(this, QStringLiteral("statusGateway"), Selectable::No)),
      m_reviewer(plainLabel(this, QStringLiteral("statusReviewer"), Selectable::No)),
      m_pending(plainLabel(this, QStringLiteral("statusPending"), Selectable::No))
{
    setObjectName(QStringLiteral("statusLine"));
    setAccessibleName(QStringLiteral("Connection status"));
    m_state->setObjectName(QStringLiteral("statusState"));
    m_state->setFill(Badge::Fill::Solid);
    m_gateway->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_consequence->setWordWrap(false);

    QFont strong = m_pending->font();
    strong.setBold(true);
    m_pending->setFont(strong);

    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(12, 7, 12, 7);
    layout->setSpacing(10);
    layout->addWidget(m_state);
    layout->addWidget(m_consequence);
    layout->addSpacing(6);
    QLabel *gatewayCaption = plainLabel(this, QStringLiteral("statusGatewayCaption"), Selectable::No);
    gatewayCaption->setText(QStringLiteral("Gateway"));
    gatewayCaption->setForegroundRole(QPalette::PlaceholderText);
    layout->addWidget(gatewayCaption);
    layout->addWidget(m_gateway, 1);
    QLabel *reviewerCaption = plainLabel(this, QStringLiteral("statusReviewerCaption"), Selectable::No);
    reviewerCaption->setText(QStringLiteral("Signed in as"));
    reviewerCaption->setForegroundRole(QPalette::PlaceholderText);
    layout->addWidget(reviewerCaption);
    layout->addWidget(m_reviewer);
    layout->addSpacing(10);
    layout->addWidget(m_pending);

    setConnectionState(GatewayConnection::State::Offline, {});
    setReviewer({}, protocol::Role::Reviewer);
    setPendingCount(0);
}

QString StatusLine::stateTitle(GatewayConnection::State state)
{
    switch (state) {
    case GatewayConnection::State::Offline:
        return QStringLiteral("Offline");
    case GatewayConnection::State::Connecting:
        return QStringLiteral("Connecting");
    case GatewayConnection::State::Connected:
        return QStringLiteral("Connected");
    case GatewayConnection::State::Reconnecting:
        return QStringLiteral("Reconnecting");
    case GatewayConnection::State::Refused:
        return QStringLiteral("Refused");
    }
    return {};
}

QString StatusLine::stateConsequence(GatewayConnection::State state)
{
    switch (state) {
    case GatewayConnection::State::Offline:
    case GatewayConnection::State::Reconnecting:
    case GatewayConnection::State::Refused:
        return QStringLiteral("Decisions cannot be sent: pending actions will be denied at their deadlines");
    case GatewayConnection::State::Connecting:
        return QStringLiteral("Waiting for the gateway");
    case GatewayConnection::State::Connected:
        return {};
    }
    return {};
}

void StatusLine::setConnectionState(GatewayConnection::State state, const QString &detail)
{
    Semantic semantic = Semantic::Neutral;
    switch (state) {
    case GatewayConnection::State::Connected:
        semantic = Semantic::Positive;
        break;
    case GatewayConnection::State::Connecting:
        semantic = Semantic::Info;
        break;
    case GatewayConnection::State::Reconnecting:
        semantic = Semantic::Warning;
        break;
    case GatewayConnection::State::Offline:
    case GatewayConnection::State::Refused:
        semantic = Semantic::Danger;
        break;
    }
    m_state->setSemantic(semantic);
    m_semantic = semantic;
    update();
    m_state->setText(stateTitle(state));
    m_consequence->setText(stateConsequence(state));
    m_consequence->setVisible(!m_consequence->text().isEmpty());
    QPalette consequencePalette = palette();
    if (semantic == Semantic::Danger || semantic == Semantic::Warning)
        consequencePalette.setColor(QPalette::WindowText, semanticColor(semantic, palette()));
    m_consequence->setPalette(consequencePalette);
    m_state->setToolTip(
        detail.isEmpty() ? stateTitle(state) : plainToolTip(stateTitle(state) + QLatin1Char(':'), detail));
    updateAccessibility();
}

void StatusLine::setGatewayUrl(const QString &url)
{
    m_gateway->setText(displayText(url, 90));
    m_gateway->setToolTip(plainToolTip(QStringLiteral("Gateway"), url));
    updateAccessibility();
}

void StatusLine::setReviewer(const QString &reviewer, protocol::Role role)
{
    if (reviewer.isEmpty())
        m_reviewer->setText(QStringLiteral("Not signed in"));
    else
        m_reviewer->setText(displayText(reviewer, 64) + QStringLiteral(" · ") + protocol::roleName(role));
    updateAccessibility();
}

void StatusLine::setPendingCount(int count)
{
    m_pending->setText(count == 1 ? QStringLiteral("1 pending") : QStringLiteral("%1 pending").arg(count));
    updateAccessibility();
}

QString StatusLine::stateText() const
{
    return m_state->text();
}

QString StatusLine::text() const
{
    QStringList parts {m_state->text()};
    if (!m_consequence->text().isEmpty())
        parts.append(m_consequence->text());
    if (!m_gateway->text().isEmpty())
        parts.append(m_gateway->text());
    parts.append(m_reviewer->text());
    parts.append(m_pending->text());
    return parts.join(QStringLiteral(" — "));
}

void StatusLine::updateAccessibility()
{
    setAccessibleDescription(text());
}

void StatusLine::paintEvent(QPaintEvent *)
{
    // A hairline under the line separates it from the content, in the palette's own colours.
    // Tinted while decisions cannot reach the gateway, so the state is hard to overlook.
    QPainter painter(this);
    const bool alarming = m_semantic == Semantic::Warning || m_semantic == Semantic::Danger;
    painter.fillRect(rect(), alarming ? semanticTint(m_semantic, palette()) : palette().color(QPalette::Window));
    QColor line = palette().color(QPalette::WindowText);
    line.setAlphaF(0.14);
    painter.setPen(line);
    painter.drawLine(rect().bottomLeft(), rect().bottomRight());
}

} // namespace countersign::ui
