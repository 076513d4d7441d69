// One pending action, top to bottom in the order a careful person reads it: what will happen,
// who is asking (user → application → agents), what the Judge said, why a human must decide,
// the exact parameters, and the countdown with the decision bar. Approve and Deny take two
// steps (arm, then confirm) so that no single key or click approves anything. Everything
// that came from the action is shown as plain text with hidden characters made visible.
#pragma once

#include "core/ServerTime.h"
#include "core/protocol/Protocol.h"
#include "net/GatewayConnection.h"

#include <optional>

#include <QTimer>
#include <QWidget>

class QGridLayout;
class QLabel;
class QLineEdit;
class QPushButton;
class QScrollArea;
class QStackedWidget;
class QVBoxLayout;

namespace countersign::ui {

class Badge;
class Band;
class CountdownBar;
class EffectPreviewView;
class ParameterTree;

class ActionDetailView final : public QWidget {
    Q_OBJECT

public:
    enum class Armed { None, Approve, Deny };
    // Where this reviewer's decision on the shown action stands.
    enum class DecisionState {
        Open, // nothing sent
        Sending, // sent, waiting for decision.result
        Recorded, // the gateway accepted it; waiting for the action to resolve
    };

    explicit ActionDetailView(const ServerTime &time, QWidget *parent = nullptr);
    ~ActionDetailView() override;
    Q_DISABLE_COPY_MOVE(ActionDetailView)

    // Shows the action (a copy is kept). Showing a different action disarms and clears the reason.
    void showAction(const protocol::ActionPending &frame, const QStringList &approvedBy);
    // Nothing selected; the placeholder says whether the queue lists nothing and, if so, whether
    // that is because a filter hides hiddenByFilter pending actions (never "nothing waiting"
    // while something is).
    void clearAction(bool queueEmpty, int hiddenByFilter = 0);
    [[nodiscard]] bool hasAction() const { return m_frame.has_value(); }
    [[nodiscard]] QString actionId() const;

    void setApprovals(int approvals, const QStringList &approvedBy);
    // The gateway escalated the shown action to group at (server time); an empty group: not
    // escalated. Showing another action clears it.
    void setEscalation(const QString &group, const QDateTime &at);
    // "Escalated to <group> at <time>" as shown, or empty.
    [[nodiscard]] QString escalationText() const;
    void setConnectionState(GatewayConnection::State state);
    void setReviewer(const QString &reviewer, protocol::Role role);
    // While the reviewer's key is locked nothing can be signed, so nothing can be decided.
    void setKeyLocked(bool locked);
    [[nodiscard]] bool keyLocked() const { return m_keyLocked; }
    void setDecisionState(DecisionState state, protocol::Verdict verdict = protocol::Verdict::Approve);
    [[nodiscard]] DecisionState decisionState() const { return m_decisionState; }

    // A: arm an approval (focuses Approve). D: arm a denial (focuses the reason).
    void armApprove();
    void armDeny();
    // Ctrl+Enter: sends the armed decision if it may be sent; false otherwise.
    bool confirmArmed();
    // Esc.
    void cancelArmed();
    [[nodiscard]] Armed armed() const { return m_armed; }
    [[nodiscard]] bool canApprove() const;
    [[nodiscard]] bool canDeny() const;
    [[nodiscard]] bool isExpired() const;

    // Enter: moves the keyboard focus into the item (its scrollable content).
    void focusContent();

    // Historical: an action from the audit log, shown as the reviewer saw it but with nothing to
    // decide — no decision bar, no countdown, no expiry.
    void setHistorical(bool historical);
    [[nodiscard]] bool isHistorical() const { return m_historical; }

    // R: shows or hides the raw parameter tree under an effect preview (without a preview the
    // tree is always shown). Showing it scrolls it into view.
    void toggleRawParameters();
    [[nodiscard]] bool rawParametersShown() const;

    // The sentence describing what Approve and Deny will do (or why neither can be done).
    [[nodiscard]] QString effectText() const;

Q_SIGNALS:
    void decisionRequested(const QString &actionId, const QByteArray &digest, countersign::protocol::Verdict verdict,
        const QString &reason);

private:
    QWidget *buildBody();
    QWidget *buildDecisionBar();
    void rebuildIdentity();
    void rebuildJudges();
    void updateWidgets();
    void updateRawParameters();
    void updateCountdown();
    void onApproveClicked();
    void onDenyClicked();
    [[nodiscard]] qint64 msLeft() const;
    [[nodiscard]] bool decisionsPossible() const;
    [[nodiscard]] bool reviewerIsParty() const;
    [[nodiscard]] QString blockedReason() const;
    [[nodiscard]] QString reasonText() const;

    const ServerTime &m_time;
    std::optional<protocol::ActionPending> m_frame;
    QStringList m_approvedBy;
    GatewayConnection::State m_connectionState = GatewayConnection::State::Offline;
    QString m_reviewer;
    protocol::Role m_role = protocol::Role::Reviewer;
    DecisionState m_decisionState = DecisionState::Open;
    bool m_keyLocked = false;
    protocol::Verdict m_recordedVerdict = protocol::Verdict::Approve;
    Armed m_armed = Armed::None;
    bool m_shownExpired = false;
    bool m_historical = false;
    bool m_hasPreview = false; // the shown action has an effect preview above its raw parameters
    QTimer m_tick;

    QStackedWidget *m_stack = nullptr;
    QLabel *m_placeholderTitle = nullptr;
    QLabel *m_placeholderText = nullptr;
    QScrollArea *m_scroll = nullptr;

    QLabel *m_headline = nullptr;
    QLabel *m_toolLabel = nullptr;
    Badge *m_tierBadge = nullptr;
    Badge *m_irreversibleBadge = nullptr;
    Badge *m_quorumBadge = nullptr;
    Badge *m_expiredBadge = nullptr;
    QWidget *m_categoryBadges = nullptr;
    QLabel *m_metaLabel = nullptr;
    QLabel *m_quorumLabel = nullptr;
    Band *m_escalationBand = nullptr;
    QLabel *m_escalationLabel = nullptr;
    QLabel *m_escalationDetail = nullptr;
    Band *m_hiddenBand = nullptr;
    Band *m_credentialBand = nullptr;
    Band *m_lookalikeBand = nullptr;
    QLabel *m_lookalikeText = nullptr;
    QLabel *m_credentialText = nullptr;
    QWidget *m_identity = nullptr;
    QGridLayout *m_identityLayout = nullptr;
    QWidget *m_judges = nullptr;
    QVBoxLayout *m_judgesLayout = nullptr;
    QLabel *m_whyTitle = nullptr;
    QLabel *m_ruleLabel = nullptr;
    QLabel *m_reasonWhyLabel = nullptr;
    QLabel *m_previewTitle = nullptr;
    EffectPreviewView *m_effectPreview = nullptr;
    QPushButton *m_rawToggle = nullptr;
    ParameterTree *m_parameters = nullptr;

    QWidget *m_decisionBar = nullptr;
    QLabel *m_countdownLabel = nullptr;
    QLabel *m_deadlineLabel = nullptr;
    CountdownBar *m_countdownBar = nullptr;
    Band *m_armedBand = nullptr;
    QLabel *m_armedLabel = nullptr;
    QLineEdit *m_reasonEdit = nullptr;
    QLabel *m_effectLabel = nullptr;
    QPushButton *m_denyButton = nullptr;
    QPushButton *m_approveButton = nullptr;
};

} // namespace countersign::ui
