// A GatewayConnection driven by the test itself: it emits the frames a gateway would send and
// records the decisions the console sends, so the real main window can be exercised without a
// gateway process. (The interface exists for exactly this seam.)
#pragma once

#include "net/GatewayConnection.h"

#include <QDateTime>
#include <QList>

namespace countersign::testing {

class ScriptedGatewayConnection : public GatewayConnection {
    Q_OBJECT

public:
    explicit ScriptedGatewayConnection(QObject *parent = nullptr) : GatewayConnection(parent) { }

    [[nodiscard]] State state() const override { return m_state; }
    [[nodiscard]] QString stateDetail() const override { return m_detail; }
    [[nodiscard]] QString gatewayUrl() const override { return m_url; }
    [[nodiscard]] qint64 lastSeq() const override { return m_seq; }
    [[nodiscard]] qint64 msUntilRetry() const override { return m_state == State::Reconnecting ? m_retryMs : -1; }

    void start() override { m_started = true; }
    void stop() override { m_started = false; }

    [[nodiscard]] Status sendDecision(const protocol::Decision &decision) override
    {
        if (m_state != State::Connected)
            return makeError(QStringLiteral("connection.offline"), QStringLiteral("not connected to the gateway"));
        m_sent.append(decision);
        return {};
    }

    [[nodiscard]] Status requestConsistencyProof(const protocol::ProveConsistency &request) override
    {
        if (m_state != State::Connected)
            return makeError(QStringLiteral("connection.offline"), QStringLiteral("not connected to the gateway"));
        m_proofRequests.append(request);
        return {};
    }

    // ---- scripting ---------------------------------------------------------------------------

    [[nodiscard]] const QList<protocol::ProveConsistency> &proofRequests() const { return m_proofRequests; }

    void setGatewayUrl(const QString &url) { m_url = url; }
    // While Reconnecting, what msUntilRetry() answers (-1: an attempt is under way).
    void setRetryInMs(qint64 ms) { m_retryMs = ms; }

    void setState(State state, const QString &detail = {})
    {
        m_state = state;
        m_detail = detail;
        Q_EMIT stateChanged(state, detail);
    }

    // Connected, with a hello for reviewer at serverNow.
    void connectAs(const QString &reviewer, const QDateTime &serverNow, protocol::Role role = protocol::Role::Reviewer)
    {
        protocol::Hello hello;
        hello.gatewayId = QStringLiteral("gw-test");
        hello.serverTime = serverNow;
        hello.reviewer = reviewer;
        hello.role = role;
        hello.head = m_seq;
        Q_EMIT helloReceived(hello);
        setState(State::Connected, {});
    }

    protocol::ActionPending emitPending(const Action &action, int approvals = 0)
    {
        protocol::ActionPending frame;
        frame.seq = nextSeq();
        frame.action = action;
        frame.actionJson = action.toJson();
        frame.digest = action.digest();
        frame.approvals = approvals;
        Q_EMIT actionPending(frame);
        return frame;
    }

    void emitUpdated(const QString &actionId, int approvals, const QStringList &approvedBy)
    {
        protocol::ActionUpdated frame;
        frame.seq = nextSeq();
        frame.actionId = actionId;
        frame.approvals = approvals;
        frame.approvedBy = approvedBy;
        Q_EMIT actionUpdated(frame);
    }

    void emitResolved(const QString &actionId, protocol::Outcome outcome, const QString &decidedBy, const QDateTime &at,
        const QString &reason = {})
    {
        protocol::ActionResolved frame;
        frame.seq = nextSeq();
        frame.actionId = actionId;
        frame.outcome = outcome;
        frame.decidedBy = decidedBy;
        frame.resolvedAt = at;
        frame.reason = reason;
        Q_EMIT actionResolved(frame);
    }

    void emitResult(const protocol::Decision &decision, bool accepted, const QDateTime &at, const QString &code = {},
        const QString &message = {})
    {
        protocol::DecisionResult result;
        result.requestId = decision.requestId;
        result.actionId = decision.actionId;
        result.accepted = accepted;
        result.code = code;
        result.message = message;
        result.at = at;
        Q_EMIT decisionResult(result);
    }

    // The end of a snapshot (snapshot = true, after resyncStarted) or of a replay.
    void emitSubscribed(bool snapshot)
    {
        protocol::Subscribed frame;
        frame.since = snapshot ? 0 : m_seq;
        frame.head = m_seq;
        frame.snapshot = snapshot;
        Q_EMIT subscribed(frame);
    }

    void emitEscalated(const QString &actionId, const QString &group, const QDateTime &at)
    {
        Q_EMIT actionEscalated(protocol::ActionEscalated {nextSeq(), actionId, group, at});
    }

    void emitResyncStarted() { Q_EMIT resyncStarted(); }
    void emitCheckpoint(const QByteArray &note) { Q_EMIT auditCheckpoint(protocol::AuditCheckpoint{note}); }
    // Answers the last consistency-proof request with proof.
    void answerLastProofRequest(const QList<QByteArray> &proof)
    {
        const protocol::ProveConsistency request = m_proofRequests.constLast();
        Q_EMIT consistencyProof(protocol::ConsistencyProof{request.requestId, request.first, request.second, proof});
    }

    void refuseLastProofRequest(const Error &error)
    {
        Q_EMIT consistencyProofRefused(m_proofRequests.constLast().requestId, error);
    }

    [[nodiscard]] const QList<protocol::Decision> &sentDecisions() const { return m_sent; }
    [[nodiscard]] bool started() const { return m_started; }

protected:
    // The next event number, as every frame emitted here takes one.
    qint64 nextSeq() { return ++m_seq; }

private:
    State m_state = State::Connecting;
    QString m_detail;
    QString m_url = QStringLiteral("wss://127.0.0.1:8443/v1/console");
    qint64 m_seq = 0;
    qint64 m_retryMs = -1;
    bool m_started = false;
    QList<protocol::Decision> m_sent;
    QList<protocol::ProveConsistency> m_proofRequests;
};

} // namespace countersign::testing
