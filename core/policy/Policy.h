// The gateway's policy: which tools each agent declared (an allowlist), which calls need a
// human and under what terms, and who may connect as a reviewer. Loaded from a JSON file that
// holds SHA-256 hashes of bearer tokens, never the tokens.
//
// File format (strict: unknown members, duplicate ids and duplicate token hashes are errors):
//   {"version": "demo-1",
//    "reviewers": [{"id": "rita@example.com", "role": "reviewer|analyst|admin",
//                   "tokenSha256": "<64 hex>"}],
//    "agents": [{"id": "payments-agent", "tokenSha256": "<64 hex>",
//                "tools": ["payments.transfer", "email.send"]}],
//    "rules": [{"id": "payment-over-10k",
//               "tool": "payments", "operation": "transfer",      // optional: absent = any
//               "judgeFlagged": false,                             // optional: true = only flagged calls
//               "when": [{"param": "amount", "op": "gt", "value": 10000}],  // optional, all must hold
//               "tier": 3, "categories": ["financial"], "irreversible": true,
//               "deadlineSeconds": 300, "approvals": 1,
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
#include "core/json/Json.h"
#include "core/protocol/Protocol.h"

#include <optional>

#include <QJsonArray>
#include <QJsonValue>
#include <QList>
#include <QString>
#include <QStringList>

namespace countersign {

// The impact.rule of actions that no rule sent to a human; no policy rule may use this id.
inline constexpr char kDefaultAllowRule[] = "default-allow";

struct PolicyAgent
{
    QString id;
    QByteArray tokenSha256; // 32 raw bytes
    QStringList tools;      // "tool.operation", exact matches only
};

struct PolicyReviewer
{
    QString id;
    protocol::Role role = protocol::Role::Reviewer;
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
    [[nodiscard]] const QList<PolicyRule> &rules() const { return m_rules; }

    // Constant-time comparison of SHA-256(token) against every enrolled hash.
    [[nodiscard]] const PolicyAgent *agentForToken(QByteArrayView token) const;
    [[nodiscard]] const PolicyReviewer *reviewerForToken(QByteArrayView token) const;

    // IAM-04: ok only if "tool.operation" is on the agent's allowlist; the error
    // ("policy.tool_not_declared") names the tool and the agent.
    [[nodiscard]] Status authorizeTool(const PolicyAgent &agent, const QString &tool,
                                       const QString &operation) const;

    // Which rule, if any, routes this call to a human. First match wins.
    [[nodiscard]] PolicyOutcome evaluate(const QString &tool, const QString &operation,
                                         const QJsonObject &parameters, bool judgeFlagged) const;

private:
    QString m_version;
    QList<PolicyAgent> m_agents;
    QList<PolicyReviewer> m_reviewers;
    QList<PolicyRule> m_rules;
};

} // namespace countersign
