// What an agent sends to POST /v1/actions, strictly validated. The agent names the tool call and
// its context; the gateway adds everything that must not come from the agent (ids, times,
// impact, the acting agent's authenticated identity).
#pragma once

#include "core/Result.h"
#include "core/action/Action.h"
#include "core/identity/IdentityToken.h"
#include "core/policy/Policy.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>

namespace countersign::gateway {

struct Submission
{
    QString tool;
    QString operation;
    QJsonObject parameters;
    QString agentInstance; // may be empty
    // context.identityToken: a user assertion or delegation token (core/identity). When it is
    // sent, the body names no user, application, parent agent or session: the token does.
    QByteArray identityToken;
    // As claimed by the agent, when it sent no identity token.
    Principal user;
    Principal application;
    QList<AgentIdentity> parentAgents; // nearest delegator first
    QString sessionId;
    // "judge": each element a verdict object the agent wrote (kept as claimed: verified is
    // false) or a verdict the Judge signed (a compact JWS, core/judge), checked by
    // resolveJudges().
    QList<JudgeVerdict> claimedVerdicts;
    QList<QByteArray> signedVerdicts;

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
    IdentityContext identity;     // from resolveIdentity(): never as the body alone claims it
    QList<JudgeVerdict> judges;   // from resolveJudges()
};

// Who is behind a submission by the authenticated agent: from its identity token when it sent
// one (every link verified; "identity.invalid_token" if the token does not verify: a bad token
// is refused, never read as a claim), else as the body claims (only the acting agent is
// verified). Each agent that another enrolled agent delegated to lists the tools it holds that
// its delegator did not declare.
[[nodiscard]] Result<IdentityContext> resolveIdentity(const Submission &submission, const PolicyAgent &agent,
                                                      const identity::IdentityTrust &trust, const QDateTime &now);

// The submission's verdicts: every signed one checked against the policy's Judges and bound to
// this call (verified), then the claimed ones. A signed verdict that does not verify refuses the
// submission ("judge.invalid_verdict"): a forged Judge is an attack, not a claim.
[[nodiscard]] Result<QList<JudgeVerdict>> resolveJudges(const Submission &submission, const Policy &policy,
                                                        const QString &gatewayId, const QDateTime &now);

// The action the gateway records and publishes for a submission the policy judged as outcome.
// IAM-07: nothing the agent wrote survives with a credential in it — parameters, the user's
// and application's display names and the Judges' rationales are redacted, and each finding is
// listed in the action's credentials (at most ActionLimits::maxCredentials). A human decides by
// the matched rule's deadline, tier and quorum; an action no rule sends to a human gets a
// deadline equal to its creation (nothing waits for it).
[[nodiscard]] Action buildAction(const Submission &submission, const ActionOrigin &origin, const PolicyOutcome &outcome);

} // namespace countersign::gateway
