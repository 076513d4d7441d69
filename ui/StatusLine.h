// The always-visible line that says whether decisions can reach the gateway: connection state
// (and what it means for pending actions), which gateway, who is signed in with which role,
// and how many actions are waiting.
#pragma once

#include "core/protocol/Protocol.h"
#include "models/SemanticColors.h"
#include "net/GatewayConnection.h"

#include <QWidget>

class QLabel;

namespace countersign::ui {

class Badge;

class StatusLine final : public QWidget {
    Q_OBJECT

public:
    explicit StatusLine(QWidget *parent = nullptr);
    Q_DISABLE_COPY_MOVE(StatusLine)

    void setConnectionState(GatewayConnection::State state, const QString &detail);
    void setGatewayUrl(const QString &url);
    void setReviewer(const QString &reviewer, protocol::Role role);
    void setPendingCount(int count);

    // "Connected", "Reconnecting", …: the state badge's text.
    [[nodiscard]] QString stateText() const;
    // Everything the line says, as one sentence (also its accessible description).
    [[nodiscard]] QString text() const;

    [[nodiscard]] static QString stateTitle(GatewayConnection::State state);
    // What the state means for the reviewer, e.g. "pending actions will be denied at their
    // deadlines"; empty when there is nothing to add.
    [[nodiscard]] static QString stateConsequence(GatewayConnection::State state);

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    void updateAccessibility();

    Badge *m_state;
    QLabel *m_consequence;
    QLabel *m_gateway;
    QLabel *m_reviewer;
    QLabel *m_pending;
    Semantic m_semantic = Semantic::Neutral;
};

} // namespace countersign::ui
