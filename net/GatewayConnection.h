// The console's live link to a gateway, as an interface so models and windows can be driven
// in tests; WebSocketGatewayConnection is the real one.
#pragma once

#include "core/Result.h"
#include "core/protocol/Protocol.h"

#include <QObject>
#include <QString>

namespace countersign {

class GatewayConnection : public QObject
{
    Q_OBJECT

public:
    enum class State {
        Offline,      // not connected and not trying (stopped)
        Connecting,   // first attempt in progress
        Connected,    // hello received and subscribed: live
        Reconnecting, // lost; retrying with backoff
        Refused,      // the gateway cannot be trusted or refused us: no automatic retry
    };
    Q_ENUM(State)

    using QObject::QObject;

    [[nodiscard]] virtual State state() const = 0;
    // Why the state is what it is, for a person ("certificate fingerprint changed: ...").
    [[nodiscard]] virtual QString stateDetail() const = 0;
    [[nodiscard]] virtual QString gatewayUrl() const = 0;
    [[nodiscard]] virtual qint64 lastSeq() const = 0;
    // While Reconnecting: milliseconds until the next attempt; -1 when none is scheduled (an
    // attempt is under way, or the connection is not waiting to retry).
    [[nodiscard]] virtual qint64 msUntilRetry() const { return -1; }

    virtual void start() = 0;
    virtual void stop() = 0;
    // Sends a decision; the answer arrives as decisionResult with the same requestId. Fails at
    // once (error "connection.offline") when not connected.
    [[nodiscard]] virtual Status sendDecision(const protocol::Decision &decision) = 0;
    // Asks for the audit log's consistency proof between two tree sizes; the answer arrives as
    // consistencyProof, or consistencyProofRefused, with the same requestId. Fails at once
    // ("connection.offline") when not connected.
    [[nodiscard]] virtual Status requestConsistencyProof(const protocol::ProveConsistency &request) = 0;

Q_SIGNALS:
    void stateChanged(countersign::GatewayConnection::State state, const QString &detail);
    void helloReceived(const countersign::protocol::Hello &hello);
    // Everything the console held is stale (fresh subscription): drop it, a snapshot follows.
    void resyncStarted();
    void actionPending(const countersign::protocol::ActionPending &frame);
    void actionUpdated(const countersign::protocol::ActionUpdated &frame);
    void actionResolved(const countersign::protocol::ActionResolved &frame);
    // The gateway told the action's escalation group that it is nearing its deadline undecided.
    void actionEscalated(const countersign::protocol::ActionEscalated &frame);
    void subscribed(const countersign::protocol::Subscribed &frame);
    void decisionResult(const countersign::protocol::DecisionResult &result);
    // A signed tree head of the gateway's audit log, not yet verified (see AuditWitness).
    void auditCheckpoint(const countersign::protocol::AuditCheckpoint &frame);
    void consistencyProof(const countersign::protocol::ConsistencyProof &frame);
    void consistencyProofRefused(const QString &requestId, const countersign::Error &error);
    // The gateway sent something that breaks the protocol: shown as an alarm, never as an item.
    void protocolViolation(const countersign::Error &error);
};

} // namespace countersign
