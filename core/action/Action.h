// The pending action: what an agent wants to do, who is behind it, what the Judge said, why a
// human must decide, and by when. Its JSON form, exactly as the gateway publishes it, is what
// the action digest covers.
#pragma once

#include "core/Result.h"

#include <QByteArray>
#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

namespace countersign {

enum class ImpactCategory {
    Financial,
    Deletion,
    OutboundCommunication,
    SensitiveData,
    SelfPermissionChange,
    CodeExecution,
    JudgeAnomaly,
};

// "financial", "deletion", "outbound-communication", "sensitive-data",
// "self-permission-change", "code-execution", "judge-anomaly".
[[nodiscard]] QString categoryName(ImpactCategory category);
[[nodiscard]] std::optional<ImpactCategory> categoryFromName(const QString &name);
[[nodiscard]] QString categoryTitle(ImpactCategory category); // "Outbound communication"

struct Impact
{
    int tier = 1; // 1 (low) .. 4 (highest)
    QList<ImpactCategory> categories;
    bool irreversible = false;
    QString rule;   // id of the policy rule that routed the action to a human
    QString reason; // the rule's explanation, e.g. "amount 12400 > 10000"

    friend bool operator==(const Impact &, const Impact &) = default;
};

struct Principal
{
    QString id;
    QString displayName; // may be empty
    // The gateway checked a credential that names this principal (an application's signed user
    // assertion, or a delegation token the gateway issued); false: only the submitting agent
    // says so.
    bool verified = false;

    friend bool operator==(const Principal &, const Principal &) = default;
};

struct AgentIdentity
{
    QString id;       // the agent's declared identity (policy key)
    QString instance; // this running instance, may be empty
    bool verified = false; // see Principal::verified; the acting agent is always verified
    // Tools on this agent's allowlist that the agent which delegated to it did not declare
    // ("tool.operation"): a sub-agent holding more than its parent. Empty for the agent the
    // application launched.
    QStringList undeclaredTools = {};

    friend bool operator==(const AgentIdentity &, const AgentIdentity &) = default;
};

// Who is behind an action, published in the RFC 8693 shape (docs/protocol.md section 2):
//   {"sub": user, "name", "verified", "sid",
//    "act": {acting agent, "act": {its delegator, ... "act": {application}}}}
// The outermost actor is the current one; the application, which acted first for the user, is
// the most deeply nested.
struct IdentityContext
{
    Principal user;        // the human on whose behalf the agent acts
    Principal application; // the application that launched the agent
    // agents[0] is the acting agent (authenticated by the gateway); agents[1..] are the agents
    // that delegated to it, nearest first, ending with the one the application launched.
    QList<AgentIdentity> agents;
    QString sessionId;

    [[nodiscard]] const AgentIdentity &actingAgent() const { return agents.front(); }
    friend bool operator==(const IdentityContext &, const IdentityContext &) = default;
};

enum class JudgeOutcome { Pass, Flag };

struct JudgeVerdict
{
    QString judgeId;
    JudgeOutcome verdict = JudgeOutcome::Pass;
    QString category;
    double score = 0.0; // 0..1, the judge's confidence that the action is anomalous
    QString rationale;
    // The Judge signed it with its enrolled key, for this call (core/judge); false: the
    // submitting agent wrote it and nothing shows the Judge said so.
    bool verified = false;

    friend bool operator==(const JudgeVerdict &, const JudgeVerdict &) = default;
};

// True when any verdict is a flag, signed or not: a flag is never ignored for want of a
// signature (what cannot be checked still goes to a human).
[[nodiscard]] bool anyFlagged(const QList<JudgeVerdict> &verdicts);

// A credential the gateway found and redacted in what the agent sent: where, what kind, and
// the 4-hex fingerprint its marker shows (core/redaction). Never the credential itself.
struct CredentialFinding
{
    QString path; // "parameters.headers.Authorization", "judge[0].rationale"
    QString kind; // "aws-access-key"
    QString fingerprint;

    friend bool operator==(const CredentialFinding &, const CredentialFinding &) = default;
};

struct Action
{
    QString id;
    QDateTime createdAt; // UTC
    QDateTime deadline;  // UTC, absolute, set by the gateway
    QString gatewayId;
    QString policyVersion;
    QString tool;
    QString operation;
    QJsonObject parameters;
    Impact impact;
    IdentityContext identity;
    QList<JudgeVerdict> judges;
    int approvalsRequired = 1;
    // Credentials redacted from this action by the gateway. Not empty: the agent had a
    // credential in its context, which must be treated as compromised and rotated. The JSON
    // member "credentials" is present only when there are some.
    QList<CredentialFinding> credentials;

    [[nodiscard]] bool judgeFlagged() const;

    // Strict validation of the published form. Errors use code "action.invalid" and name the
    // field path: "identity.agents[1].id: missing".
    [[nodiscard]] static Result<Action> fromJson(const QJsonObject &json);
    [[nodiscard]] QJsonObject toJson() const;

    // SHA-256 (lowercase hex) of the RFC 8785 canonical form of toJson(): what a decision names.
    [[nodiscard]] QByteArray digest() const;

    friend bool operator==(const Action &, const Action &) = default;
};

// Limits on the fields of an action. The JSON parser's limits bound the document as a whole.
struct ActionLimits
{
    static constexpr qsizetype maxIdBytes = 128;
    static constexpr qsizetype maxNameBytes = 256;
    static constexpr qsizetype maxTextBytes = 4096; // rationale, reason
    static constexpr qsizetype maxAgents = 8;       // delegation depth
    static constexpr qsizetype maxUndeclaredTools = 64;
    static constexpr qsizetype maxJudges = 8;
    static constexpr int maxApprovals = 5;
    static constexpr qsizetype maxCredentials = 256;
};

// Parameter helpers that read arbitrary agent-sent JSON by dotted path ("payment.amount").
[[nodiscard]] QJsonValue valueAtPath(const QJsonObject &root, const QString &dottedPath);

} // namespace countersign
