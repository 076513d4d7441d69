// The reference gateway: enforces the policy on what agents submit, keeps pending actions and
// their deadlines, verifies reviewers' decisions, and publishes every change as an event that
// consoles receive live or replay.
#pragma once

#include "core/Clock.h"
#include "core/Result.h"
#include "core/DeadlineQueue.h"
#include "core/audit/AuditIndexer.h"
#include "core/audit/AuditLog.h"
#include "core/crypto/Ed25519.h"
#include "core/policy/Policy.h"
#include "core/protocol/Protocol.h"
#include "gateway/GatewayConfig.h"
#include "gateway/GatewayStore.h"
#include "gateway/Submission.h"

#include <memory>
#include <optional>

#include <QHash>
#include <QObject>
#include <QTimer>
#include <QUrl>

namespace countersign::gateway {

class AgentApi;
class ConsoleServer;
class ControlApi;
class HttpServer;
class SigningKey;
class TlsIdentity;

class Gateway final : public QObject
{
    Q_OBJECT

public:
    Gateway(GatewayConfig config, const Clock &clock, QObject *parent = nullptr);
    ~Gateway() override;
    Q_DISABLE_COPY_MOVE(Gateway)

    // Opens the store, puts in force the policy recorded there (on first start: the policy file,
    // recorded as change 1), opens the action-signing key and the TLS identity, and expires whatever passed its
    // deadline while the gateway was down. No sockets yet.
    [[nodiscard]] Status open();
    // Starts the agent, console and control-plane listeners. Call after open().
    [[nodiscard]] Status listen();

    [[nodiscard]] const Policy &policy() const { return m_policy; }
    [[nodiscard]] const GatewayConfig &config() const { return m_config; }
    [[nodiscard]] const Clock &clock() const { return m_clock; }
    [[nodiscard]] QString gatewayId() const;
    [[nodiscard]] qint64 head() const;
    // Lowercase hex SHA-256 of the TLS certificate; empty in plaintext mode.
    [[nodiscard]] QByteArray fingerprint() const;
    // RFC 7638 thumbprint of the key that signs every published action (empty before open()).
    [[nodiscard]] QByteArray signingKeyThumbprint() const;
    // The public half of that key, for consoles to pin. Call only after a successful open().
    [[nodiscard]] const crypto::Ed25519PublicKey &signingPublicKey() const;
    [[nodiscard]] QUrl agentUrl() const;
    [[nodiscard]] QUrl consoleUrl() const;
    // The control plane (administration of reviewers, agents and rules): https://ADDR:PORT.
    [[nodiscard]] QUrl controlUrl() const;

    // IAM-08: records the change (who, what, before and after, why, the whole resulting
    // document) and only then puts next in force and emits policyChanged(). change.at and
    // change.document are filled in here. If the record cannot be written, nothing changes
    // ("store.unavailable"). Returns the change as recorded, with its seq.
    [[nodiscard]] Result<PolicyChange> applyPolicyChange(Policy next, PolicyChange change);
    // Recorded changes with seq > after, ascending, at most limit (without documents).
    [[nodiscard]] Result<QList<PolicyChange>> policyChanges(qint64 after, int limit) const;

    // Policy, action building and storage for one authenticated submission. Error codes:
    // "policy.tool_not_declared", "submission.invalid", "submission.too_large",
    // "store.unavailable".
    [[nodiscard]] Result<StoredAction> submit(const PolicyAgent &agent, const Submission &submission);
    [[nodiscard]] Result<std::optional<StoredAction>> findAction(const QString &id) const;

    // What checks identity tokens here: the policy's applications and this gateway's key.
    [[nodiscard]] identity::IdentityTrust identityTrust() const;
    // RFC 8693 token exchange for an authenticated agent handing its work to the agent
    // audience: subjectToken (a user assertion or a delegation token naming agent in may_act)
    // becomes a delegation token naming audience, recorded on the audit log
    // ("identity.delegated"). Error codes: "identity.invalid_token", "identity.invalid_target",
    // "identity.too_deep", "audit.unavailable".
    [[nodiscard]] Result<identity::IssuedToken> exchangeToken(const PolicyAgent &agent, QByteArrayView subjectToken,
                                                              const QString &audience, const QString &actorInstance);
    // Every decision received for an action, accepted or refused, oldest first.
    [[nodiscard]] Result<QList<DecisionRecord>> decisionRecords(const QString &actionId) const;

    // Verifies and records a signed decision sent on the session of a signed-in reviewer.
    // Every refusal has its own code (docs/protocol.md lists them) and is recorded with the
    // token as received; an accepted decision is recorded with its token in the same
    // transaction as its effect, or not at all.
    [[nodiscard]] protocol::DecisionResult decide(const PolicyReviewer &signedIn, const QString &sessionId,
                                                  const protocol::Decision &decision);

    // What a console that holds nothing needs: action.pending for every pending action, with
    // the seq that published it and the approvals so far.
    [[nodiscard]] Result<QList<QByteArray>> snapshotFrames() const;
    [[nodiscard]] Result<QList<StoredEvent>> eventsAfter(qint64 since, int limit) const;

    // Durably appends one entry to the audit log (audit.db in the data directory) before the
    // gateway acts on what it records: a caller that gets an error must not act ("fail
    // closed"). Never pass text an agent chose unless it was validated as an identifier.
    // Error codes: "audit.unavailable", "audit.invalid_entry".
    [[nodiscard]] Status recordAudit(const QString &kind, const QString &actor, const QString &subject,
                                     const QJsonObject &payload);
    // The audit log's file, for analysts' tools and tests.
    [[nodiscard]] QString auditLogPath() const;
    // Signs the audit log's current tree head with the action-signing key as a C2SP checkpoint
    // with origin auditOrigin() and stores it (done on open and every minute the log grew).
    // Error "audit.empty" for an empty log, "audit.unavailable" if it cannot be stored.
    [[nodiscard]] Result<audit::StoredCheckpoint> signAuditCheckpoint();
    // "countersign/<gateway id>": the checkpoints' origin line and signature key name.
    [[nodiscard]] QString auditOrigin() const;
    // The RFC 9162 consistency proof between two sizes of the audit log, for witnesses. Error
    // "audit.invalid_range" unless 1 <= first <= second <= the log's size; "audit.unavailable".
    [[nodiscard]] Result<QList<QByteArray>> auditConsistencyProof(qint64 first, qint64 second) const;

    // Resolves as expired every pending action whose deadline has passed. Runs on its own
    // timer; public so that tests with a manual clock can drive it.
    void expireOverdue();
    // Tells the escalation group of every pending action that reached its rule's escalation
    // point undecided (action.escalated, on record first). Runs on its own timer; public for the
    // same reason.
    void escalateDue();

Q_SIGNALS:
    // A committed event, with the exact frame text stored.
    void eventPublished(qint64 seq, const QByteArray &frame);
    // A pending action reached its final status.
    void actionResolved(const QString &actionId);
    // A new policy is in force (after applyPolicyChange). Nothing may keep pointers into the
    // previous one: look reviewers and agents up again.
    void policyChanged();
    // A checkpoint of a larger tree than any before was signed and stored: its signed note.
    void auditCheckpointSigned(const QByteArray &note);

private:
    // Logs and audits a refused submission ("submission.refused", by code); returns why, or the
    // audit's own error if it could not be recorded.
    [[nodiscard]] Error refuseSubmission(const PolicyAgent &agent, const Submission &submission, const Error &why);
    [[nodiscard]] Result<StoredEvent> resolve(const StoredAction &action, protocol::Outcome outcome,
                                              const QStringList &approvedBy, const QString &reason,
                                              const QString &decidedBy, const DecisionRecord *decision = nullptr);
    void publish(const StoredEvent &event);
    void scheduleExpiry();
    void scheduleEscalation();
    // When the action should be escalated under the current policy; invalid if its rule has no
    // escalation group (or no longer exists).
    [[nodiscard]] QDateTime escalationTime(const StoredAction &action, QString *group = nullptr) const;
    [[nodiscard]] Status loadPolicy();
    [[nodiscard]] Status listenControlPlane();

    GatewayConfig m_config;
    const Clock &m_clock;
    Policy m_policy;
    std::unique_ptr<GatewayStore> m_store;
    std::unique_ptr<audit::AuditLog> m_audit;
    // Keeps the audit log's browse index up to date behind the appends (declared after m_audit,
    // so destroyed before it).
    std::unique_ptr<audit::AuditIndexer> m_auditIndexer;
    qint64 m_lastCheckpointSize = 0;
    std::unique_ptr<SigningKey> m_signingKey;
    std::unique_ptr<TlsIdentity> m_tls;
    DeadlineQueue m_deadlines; // pending actions only
    DeadlineQueue m_escalations; // pending actions not yet escalated, by escalation time
    QTimer m_escalationTimer;
    QTimer m_expiryTimer;
    QTimer m_checkpointTimer;
    AgentApi *m_agentApi = nullptr;
    HttpServer *m_httpServer = nullptr;
    ConsoleServer *m_consoleServer = nullptr;
    ControlApi *m_controlApi = nullptr;
    HttpServer *m_controlServer = nullptr;
};

} // namespace countersign::gateway
