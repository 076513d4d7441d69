// The gateway's policy: which tools each agent declared (an allowlist), which calls need a
// human and under what terms, and who may connect as a reviewer. Loaded from a JSON file that
// holds SHA-256 hashes of bearer tokens, never the tokens.
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
