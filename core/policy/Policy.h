// The gateway's policy: which tools each agent declared (an allowlist), which calls need a
// human and under what terms, who may sign in as a reviewer or analyst (by Ed25519 public key)
// and who may administer the gateway. It holds public keys and SHA-256 hashes of bearer tokens,
// never a secret.
//
// Format (strict: unknown members, duplicate ids, keys and token hashes are errors):
//   {"version": "demo-1",
//    "admins": [{"id": "ops@example.com", "tokenSha256": "<64 hex>"}],     // optional
//    "reviewers": [{"id": "rita@example.com", "role": "reviewer|analyst",
//                   "key": {"kty": "OKP", "crv": "Ed25519", "x": "<base64url>"},
//                   "revokedAt": "2026-11-30T10:00:00Z"}],              // optional: revoked
//    "agents": [{"id": "payments-agent", "tokenSha256": "<64 hex>",
//                "tools": ["payments.transfer", "email.send"],
//                "revokedAt": "..."}],                                    // optional: revoked
//    "applications": [{"id": "finance-portal", "key": {<Ed25519 JWK>},
//                      "revokedAt": "..."}],                              // optional
//    "judges": [{"id": "judge-gpt-guard", "key": {<Ed25519 JWK>}}],        // optional
//    "rules": [{"id": "payment-over-10k",
//               "tool": "payments", "operation": "transfer",      // optional: absent = any
//               "judgeFlagged": false,                             // optional: true = only flagged calls
//               "when": [{"param": "amount", "op": "gt", "value": 10000}],  // optional, all must hold
//               "tier": 3, "categories": ["financial"], "irreversible": true,
//               "deadlineSeconds": 300, "approvals": 1,          // optional: 2 from tier 3 up, else 1
//               "reason": "Payments above 10,000 need a human"}]}
// Operators: gt gte lt lte (number value), eq ne (any JSON value), in (array value),
// exists (boolean value), domainNotIn (array of domains; the parameter is an email address or an
// array of them; holds when any address's domain, after the last '@', compared
// case-insensitively, is not in the list). A parameter of the wrong type for gt/gte/lt/lte or
// domainNotIn makes the condition hold: what cannot be checked goes to a human. An absent
// parameter holds only for "ne" and "exists": false. Rules are tried in order, the first match
// wins, and no match means the call is allowed without a human.
#pragma once

#include "core/Result.h"
#include "core/action/Action.h"
#include "core/crypto/Ed25519.h"
#include "core/json/Json.h"
#include "core/protocol/Protocol.h"

#include <optional>

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>
#include <QStringList>

namespace countersign {

// Rules from this tier up need two approvals unless they say otherwise; a rule for an agent's
// own permission change ("self-permission-change") always needs at least two.
inline constexpr int kDualApprovalTier = 3;

// The impact.rule of actions that no rule sent to a human; no policy rule may use this id.
inline constexpr char kDefaultAllowRule[] = "default-allow";

struct PolicyAgent
{
    QString id;
    QByteArray tokenSha256; // 32 raw bytes
    QStringList tools;      // "tool.operation", exact matches only
    QDateTime revokedAt;    // invalid while active; a revoked agent's token opens nothing
};

// A person who signs in with an Ed25519 key: a reviewer (decides) or an analyst (reads).
struct PolicyReviewer
{
    QString id;
    protocol::Role role = protocol::Role::Reviewer; // Reviewer or Analyst, never Admin
    std::optional<crypto::Ed25519PublicKey> key;    // always set in a parsed policy
    QString keyId;                                  // RFC 7638 thumbprint of key
    QDateTime revokedAt;                            // invalid while active
};

// A workload that signs statements with an Ed25519 key: an application (its signed user
// assertion says which human an agent acts for, IAM-01) or a Judge (its signed verdicts are
// model-to-model statements the gateway can check). Enrolled in the policy file.
struct PolicySigner
{
    QString id;
    std::optional<crypto::Ed25519PublicKey> key; // always set in a parsed policy
    QString keyId;                               // RFC 7638 thumbprint of key
    QDateTime revokedAt;                         // invalid while active
};

// An administrator of the control plane (never of the data plane: admins decide nothing).
struct PolicyAdmin
{
    QString id;
    QByteArray tokenSha256; // 32 raw bytes
};

struct PolicyCondition
{
    enum class Op { Gt, Gte, Lt, Lte, Eq, Ne, In, Exists, DomainNotIn };
    QString param; // dotted path into the action's parameters
    Op op = Op::Eq;
    QJsonValue value;
};

struct PolicyRule
{
    QString id;
    QString tool;      // empty: any tool
    QString operation; // empty: any operation
    bool judgeFlagged = false; // the rule matches only when a Judge flagged the call
    QList<PolicyCondition> when; // all must hold
    int tier = 2;
    QList<ImpactCategory> categories;
    bool irreversible = false;
    int deadlineSeconds = 300;
    int approvals = 1;
    QString reason;
    // Who the gateway tells when an action of this rule is still undecided at escalationPercent
    // of its window ("escalation": {"group": ..., "atPercent": 10..95, default 80}); empty: no one.
    QString escalationGroup;
    int escalationPercent = 80;
};

struct PolicyOutcome
{
    bool needsHuman = false;
    const PolicyRule *rule = nullptr; // the first rule that matched, if any
    QString explanation;              // why: the rule's reason and the condition values
};

class Policy final
{
public:
    // Error codes: "policy.invalid" with the field path, the json.* codes.
    [[nodiscard]] static Result<Policy> fromJson(QByteArrayView text);
    [[nodiscard]] static Result<Policy> load(const QString &path);

    [[nodiscard]] const QString &version() const { return m_version; }
    [[nodiscard]] const QList<PolicyAgent> &agents() const { return m_agents; }
    [[nodiscard]] const QList<PolicyReviewer> &reviewers() const { return m_reviewers; }
    [[nodiscard]] const QList<PolicyAdmin> &admins() const { return m_admins; }
    [[nodiscard]] const QList<PolicyRule> &rules() const { return m_rules; }

    // Constant-time comparison of SHA-256(token) against every enrolled hash; revoked agents
    // are never found.
    [[nodiscard]] const PolicyAgent *agentForToken(QByteArrayView token) const;
    [[nodiscard]] const PolicyAdmin *adminForToken(QByteArrayView token) const;
    // The active (unrevoked) reviewer or analyst whose key has this RFC 7638 thumbprint.
    [[nodiscard]] const PolicyReviewer *reviewerForKeyId(const QString &keyId) const;
    // The enrolled application / Judge whose key has this RFC 7638 thumbprint, revoked ones
    // included (the caller refuses those, saying so).
    [[nodiscard]] const PolicySigner *applicationForKeyId(const QString &keyId) const;
    [[nodiscard]] const PolicySigner *judgeForKeyId(const QString &keyId) const;

    // IAM-04: ok only if "tool.operation" is on the agent's allowlist; the error
    // ("policy.tool_not_declared") names the tool and the agent.
    [[nodiscard]] Status authorizeTool(const PolicyAgent &agent, const QString &tool,
                                       const QString &operation) const;

    // Which rule, if any, routes this call to a human. First match wins.
    [[nodiscard]] PolicyOutcome evaluate(const QString &tool, const QString &operation,
                                         const QJsonObject &parameters, bool judgeFlagged) const;

    // The whole document in the format above (token hashes as lowercase hex, keys as JWKs);
    // fromJson(toJson()) gives back an equal policy.
    [[nodiscard]] QJsonObject toJson() const;
    // The parts an administrator replaces as one: {"version", "rules"}.
    [[nodiscard]] QJsonObject rulesJson() const;
    // One entry as it appears in the document; the reviewer's also carries "keyId".
    [[nodiscard]] static QJsonObject reviewerJson(const PolicyReviewer &reviewer);
    [[nodiscard]] static QJsonObject agentJson(const PolicyAgent &agent);

    // Changes made through the control plane. Each returns a NEW policy that passed every rule
    // of fromJson(), or an error naming what was wrong; this policy is never modified.
    // Error codes: "policy.duplicate_id" (the id is taken by any admin, reviewer or agent,
    // revoked ones included), "policy.duplicate_key" (the key or token hash is already
    // enrolled, revoked ones included: a revoked credential is never enrolled again),
    // "policy.not_found", "policy.already_revoked", "policy.same_version", "policy.invalid".
    [[nodiscard]] Result<Policy> withReviewer(const QString &id, protocol::Role role, const QJsonObject &jwk) const;
    [[nodiscard]] Result<Policy> withReviewerRevoked(const QString &id, const QDateTime &at) const;
    // tokenSha256Hex: the SHA-256 of the agent's token, 64 hex digits; tools: "tool.operation".
    [[nodiscard]] Result<Policy> withAgent(const QString &id, const QString &tokenSha256Hex,
                                           const QStringList &tools) const;
    [[nodiscard]] Result<Policy> withAgentRevoked(const QString &id, const QDateTime &at) const;
    // versionAndRules: exactly {"version", "rules"}; the version must differ from this one's.
    [[nodiscard]] Result<Policy> withRules(const QJsonObject &versionAndRules) const;

    [[nodiscard]] const PolicyReviewer *reviewerById(const QString &id) const;
    [[nodiscard]] const PolicyAgent *agentById(const QString &id) const;

private:
    QString m_version;
    QList<PolicyAgent> m_agents;
    QList<PolicyReviewer> m_reviewers;
    QList<PolicyAdmin> m_admins;
    QList<PolicySigner> m_applications;
    QList<PolicySigner> m_judges;
    QList<PolicyRule> m_rules;
};

} // namespace countersign
