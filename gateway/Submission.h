// What an agent sends to POST /v1/actions, strictly validated. The agent names the tool call and
// its context; the gateway adds everything that must not come from the agent (ids, times,
// impact, the acting agent's authenticated identity).
#pragma once

#include "core/Result.h"
#include "core/action/Action.h"
#include "core/policy/Policy.h"

#include <QJsonObject>
#include <QList>
#include <QString>

namespace countersign::gateway {

struct Submission
{
    QString tool;
    QString operation;
    QJsonObject parameters;
    Principal user;
    Principal application;
    QString agentInstance;           // may be empty
    QList<AgentIdentity> parentAgents; // nearest delegator first
    QString sessionId;
    QList<JudgeVerdict> judges;

    [[nodiscard]] bool judgeFlagged() const;

    // Error code "submission.invalid" with the field path, e.g. "context.user.id: missing".
    [[nodiscard]] static Result<Submission> fromJson(const QJsonObject &json);
};

// What the gateway itself decides about an action, as opposed to what the agent sent.
struct ActionOrigin
{
    QString id;
    QDateTime createdAt;
    QString gatewayId;
    QString policyVersion;
    QString agentId; // the acting agent as authenticated, never as the body claims
};

// The action the gateway records and publishes for a submission the policy judged as outcome.
// IAM-07: nothing the agent wrote survives with a credential in it — parameters, the user's
// and application's display names and the Judges' rationales are redacted, and each finding is
// listed in the action's credentials (at most ActionLimits::maxCredentials). A human decides by
// the matched rule's deadline, tier and quorum; an action no rule sends to a human gets a
// deadline equal to its creation (nothing waits for it).
[[nodiscard]] Action buildAction(const Submission &submission, const ActionOrigin &origin, const PolicyOutcome &outcome);

} // namespace countersign::gateway
