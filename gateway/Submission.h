// What an agent sends to POST /v1/actions, strictly validated. The agent names the tool call and
// its context; the gateway adds everything that must not come from the agent (ids, times,
// impact, the acting agent's authenticated identity).
#pragma once

#include "core/Result.h"
#include "core/action/Action.h"

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

} // namespace countersign::gateway
