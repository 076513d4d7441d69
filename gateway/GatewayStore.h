// The gateway's durable state in SQLite: every action it accepted, its current status, and the
// ordered log of event frames that consoles replay from. Each state change is one transaction;
// if it does not commit, the change did not happen and the caller refuses the request.
#pragma once

#include "core/Result.h"
#include "core/protocol/Protocol.h"

#include <memory>
#include <optional>

#include <QHash>
#include <QByteArray>
#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

namespace countersign::gateway {

enum class ActionStatus { Pending, Approved, Denied, Expired, Allowed };
[[nodiscard]] QString statusName(ActionStatus status); // "pending", "approved", ...
[[nodiscard]] std::optional<ActionStatus> statusFromName(const QString &name);

struct StoredAction
{
    QString id;
    QString agentId;     // the authenticated submitter: the only agent that may read it
    ActionStatus status = ActionStatus::Pending;
    QByteArray actionJson; // RFC 8785 canonical text, exactly as published
    QByteArray digest;     // lowercase hex SHA-256 of actionJson
    QDateTime createdAt;
    QDateTime deadline;
    int tier = 1;
    QString rule;
    int approvalsRequired = 1;
    QStringList approvedBy; // reviewers who approved so far, in order
    QString reason;
    QString decidedBy;
    QDateTime resolvedAt;   // invalid while pending
    qint64 publishedSeq = 0; // seq of the action.pending event (0 for allowed actions)
    QByteArray signature;    // the gateway's JWS over the action (empty for allowed actions)
};

// One signed decision as it arrived, accepted or refused: the token is kept whole so that
// anyone can verify it later against the reviewer's enrolled key.
struct DecisionRecord
{
    QDateTime at;
    QString sessionId;
    QString reviewer; // the signed-in reviewer whose session carried it
    QString keyId;    // the token's kid as received (unverified for some refusals)
    QString actionId;
    QString verdict;  // "approve", "deny", or "" when the token could not be read
    QString nonce;    // the token's jti ("" when it could not be read)
    QByteArray token;
    bool accepted = false;
    QString code;     // empty when accepted
    QString message;
};

// An event as stored and as sent: the canonical frame text carries its own seq.
struct StoredEvent
{
    qint64 seq = 0;
    QByteArray frame;
};

// One recorded change of the policy through the control plane (IAM-08): who, what, when, why,
// and the whole policy document that resulted. Recorded before the change takes effect.
struct PolicyChange
{
    qint64 seq = 0;     // assigned by the store, from 1
    QDateTime at;       // UTC
    QString actor;      // the administrator's id ("bootstrap" for the first policy)
    QString command;    // "reviewers.add", "reviewers.revoke", "agents.add", "agents.revoke", "policy.set", "bootstrap"
    QString target;     // the reviewer or agent id, or the policy version
    QByteArray before;  // canonical JSON of what the change replaced ("null" if nothing)
    QByteArray after;   // canonical JSON of what it became
    QString why;        // the administrator's reason, never empty
    QByteArray document; // canonical JSON of the complete policy after the change
};

class GatewayStore final
{
public:
    struct Options
    {
        int busyTimeoutMs = 5000;
    };

    // Opens (creating if needed) the database at path. Error codes: "store.unavailable",
    // "store.unsupported_version" (written by a newer gateway), "store.corrupt".
    [[nodiscard]] static Result<std::unique_ptr<GatewayStore>> open(const QString &path,
                                                                    const Options &options);
    [[nodiscard]] static Result<std::unique_ptr<GatewayStore>> open(const QString &path)
    {
        return open(path, Options{});
    }
    ~GatewayStore();
    Q_DISABLE_COPY_MOVE(GatewayStore)

    static constexpr int kSchemaVersion = 4; // 2: actions.signature, 3: decisions, 4: policy_changes

    // "gw-" + 12 hex digits, generated when the database was created.
    [[nodiscard]] const QString &gatewayId() const;
    // Highest event seq committed so far (0 when none).
    [[nodiscard]] qint64 head() const;

    // Inserts a pending action and appends its action.pending event; the store assigns the
    // frame's seq and keeps frame.signature with the action, for snapshots. Fails (and stores nothing) if the id exists.
    [[nodiscard]] Result<StoredEvent> insertPending(const StoredAction &action,
                                                    protocol::ActionPending frame);
    // Records an action that no rule sent to a human. It publishes no event: consoles show
    // only what waits for a decision.
    [[nodiscard]] Status insertAllowed(const StoredAction &action);
    // Records the approvals so far of an action that still needs more, with the accepted
    // decision that added one; appends action.updated. Fails with "store.conflict" unless the
    // action is pending, "store.duplicate_nonce" if decision's nonce was accepted before.
    [[nodiscard]] Result<StoredEvent> recordApproval(protocol::ActionUpdated frame, const DecisionRecord &decision);
    // Moves a pending action to its final status and appends action.resolved, with the
    // accepted decision that resolved it (none for an expiry). Fails with "store.conflict"
    // unless the action is pending (a resolved action is final), "store.duplicate_nonce" as above.
    [[nodiscard]] Result<StoredEvent> resolve(protocol::ActionResolved frame, const QStringList &approvedBy,
                                              const DecisionRecord *decision = nullptr);
    // Records a refused decision (accepted must be false).
    [[nodiscard]] Status recordRefusedDecision(const DecisionRecord &decision);
    // The accepted decision with this nonce, if any.
    [[nodiscard]] Result<std::optional<DecisionRecord>> acceptedDecision(const QString &nonce) const;
    // Every decision recorded for an action, accepted or refused, oldest first.
    [[nodiscard]] Result<QList<DecisionRecord>> decisionsFor(const QString &actionId) const;

    [[nodiscard]] Result<std::optional<StoredAction>> action(const QString &id) const;
    // Every pending action, in the order they were published.
    [[nodiscard]] Result<QList<StoredAction>> pendingActions() const;
    // Appends action.escalated for a pending action. "store.conflict" unless it is pending.
    [[nodiscard]] Result<StoredEvent> recordEscalation(protocol::ActionEscalated frame);
    // The action.escalated event of every pending action that has one, by action id.
    [[nodiscard]] Result<QHash<QString, StoredEvent>> pendingEscalations() const;
    // Events with seq > since, ascending, at most limit of them.
    [[nodiscard]] Result<QList<StoredEvent>> eventsAfter(qint64 since, int limit) const;

    // Appends a policy change and returns its seq. Nothing is ever updated or deleted (the schema
    // refuses it). Error "store.unavailable" when it cannot be recorded: the caller must then not
    // apply the change. "store.invalid" for a change without actor, command or why.
    [[nodiscard]] Result<qint64> appendPolicyChange(const PolicyChange &change);
    // The document of the most recent change: the policy in force. Empty when none is recorded.
    [[nodiscard]] Result<std::optional<QByteArray>> latestPolicyDocument() const;
    // Changes with seq > after, ascending, at most limit of them (documents included only when
    // withDocuments).
    [[nodiscard]] Result<QList<PolicyChange>> policyChanges(qint64 after, int limit,
                                                            bool withDocuments = false) const;

private:
    struct Private;
    explicit GatewayStore(std::unique_ptr<Private> impl);
    std::unique_ptr<Private> d;
};

} // namespace countersign::gateway
