// Strict validation of agent submissions.
#include "gateway/Submission.h"

#include "core/json/FieldReader.h"
#include "core/judge/SignedVerdict.h"
#include "core/redaction/Redaction.h"

#include <QJsonArray>

namespace countersign::gateway {

namespace {

using json::FieldReader;

Principal readPrincipal(FieldReader &reader, const QJsonObject &parent, const QString &path,
                        const QString &key)
{
    Principal principal;
    const QJsonObject object = reader.object(parent, path, key);
    if (reader.failed())
        return principal;
    const QString here = FieldReader::join(path, key);
    reader.onlyKnownMembers(object, here, {QStringLiteral("id"), QStringLiteral("name")});
    principal.id = reader.identifier(object, here, QStringLiteral("id"), ActionLimits::maxIdBytes);
    principal.displayName =
        reader.optionalString(object, here, QStringLiteral("name"), ActionLimits::maxNameBytes).value_or(QString());
    return principal;
}

JudgeVerdict readVerdict(FieldReader &reader, const QJsonObject &judge, const QString &path)
{
    JudgeVerdict verdict;
    reader.onlyKnownMembers(judge, path,
                            {QStringLiteral("judgeId"), QStringLiteral("verdict"), QStringLiteral("category"),
                             QStringLiteral("score"), QStringLiteral("rationale")});
    verdict.judgeId = reader.identifier(judge, path, QStringLiteral("judgeId"));
    const QString outcome = reader.string(judge, path, QStringLiteral("verdict"), 16);
    if (outcome == QLatin1String("flag"))
        verdict.verdict = JudgeOutcome::Flag;
    else if (outcome == QLatin1String("pass"))
        verdict.verdict = JudgeOutcome::Pass;
    else if (!reader.failed())
        reader.fail(FieldReader::join(path, QStringLiteral("verdict")), QStringLiteral("must be \"pass\" or \"flag\""));
    verdict.category = reader.string(judge, path, QStringLiteral("category"), ActionLimits::maxNameBytes, true);
    verdict.score = reader.number(judge, path, QStringLiteral("score"), 0.0, 1.0);
    verdict.rationale = reader.string(judge, path, QStringLiteral("rationale"), ActionLimits::maxTextBytes, true);
    return verdict;
}

} // namespace

Result<Submission> Submission::fromJson(const QJsonObject &json)
{
    FieldReader reader(QStringLiteral("submission.invalid"));
    Submission s;
    reader.onlyKnownMembers(json, {},
                            {QStringLiteral("tool"), QStringLiteral("operation"), QStringLiteral("parameters"),
                             QStringLiteral("context"), QStringLiteral("judge")});
    s.tool = reader.identifier(json, {}, QStringLiteral("tool"), 64);
    s.operation = reader.identifier(json, {}, QStringLiteral("operation"), 64);
    // Policy allowlists split "tool.operation" at the last dot: an operation never has one.
    if (!reader.failed() && s.operation.contains(QLatin1Char('.')))
        reader.fail(QStringLiteral("operation"), QStringLiteral("must not contain '.'"));
    s.parameters = reader.object(json, {}, QStringLiteral("parameters"));

    const QJsonObject context = reader.object(json, {}, QStringLiteral("context"));
    const QString contextPath = QStringLiteral("context");
    if (!reader.failed()) {
        reader.onlyKnownMembers(context, contextPath,
                                {QStringLiteral("user"), QStringLiteral("application"),
                                 QStringLiteral("agentInstance"), QStringLiteral("parentAgents"),
                                 QStringLiteral("sessionId"), QStringLiteral("identityToken")});
        s.agentInstance = reader.optionalString(context, contextPath, QStringLiteral("agentInstance"),
                                                ActionLimits::maxIdBytes)
                              .value_or(QString());
    }
    if (!reader.failed() && context.contains(QStringLiteral("identityToken"))) {
        s.identityToken = reader.string(context, contextPath, QStringLiteral("identityToken"),
                                        identity::kMaxIdentityTokenBytes).toUtf8();
        for (const QString &claimed : {QStringLiteral("user"), QStringLiteral("application"),
                                       QStringLiteral("parentAgents"), QStringLiteral("sessionId")}) {
            if (!reader.failed() && context.contains(claimed))
                reader.fail(FieldReader::join(contextPath, claimed),
                            QStringLiteral("not allowed with context.identityToken, which names it"));
        }
    } else if (!reader.failed()) {
        s.user = readPrincipal(reader, context, contextPath, QStringLiteral("user"));
        s.application = readPrincipal(reader, context, contextPath, QStringLiteral("application"));
        if (context.contains(QStringLiteral("parentAgents"))) {
            // The acting agent takes one of the action's agent slots.
            const QJsonArray parents = reader.array(context, contextPath, QStringLiteral("parentAgents"),
                                                    ActionLimits::maxAgents - 1);
            for (qsizetype i = 0; !reader.failed() && i < parents.size(); ++i) {
                const QString path = FieldReader::index(QStringLiteral("context.parentAgents"), i);
                const QJsonObject parent = reader.elementObject(parents, i, path);
                if (reader.failed())
                    break;
                reader.onlyKnownMembers(parent, path, {QStringLiteral("id"), QStringLiteral("instance")});
                AgentIdentity parentAgent;
                parentAgent.id = reader.identifier(parent, path, QStringLiteral("id"));
                parentAgent.instance = reader.optionalString(parent, path, QStringLiteral("instance"),
                                                             ActionLimits::maxIdBytes)
                                           .value_or(QString());
                s.parentAgents.append(parentAgent);
            }
        }
        s.sessionId = reader.identifier(context, contextPath, QStringLiteral("sessionId"));
    }

    if (json.contains(QStringLiteral("judge"))) {
        const QJsonArray judges = reader.array(json, {}, QStringLiteral("judge"), ActionLimits::maxJudges);
        for (qsizetype i = 0; !reader.failed() && i < judges.size(); ++i) {
            const QString path = FieldReader::index(QStringLiteral("judge"), i);
            if (judges.at(i).isString()) {
                const QString token = judges.at(i).toString();
                if (token.toUtf8().size() > judge::kMaxVerdictTokenBytes)
                    reader.fail(path, QStringLiteral("a signed verdict of at most %1 bytes").arg(judge::kMaxVerdictTokenBytes));
                s.signedVerdicts.append(token.toUtf8());
                continue;
            }
            const QJsonObject judge = reader.elementObject(judges, i, path);
            if (reader.failed())
                break;
            s.claimedVerdicts.append(readVerdict(reader, judge, path));
        }
    }

    if (reader.failed())
        return reader.error();
    return s;
}

Result<IdentityContext> resolveIdentity(const Submission &submission, const PolicyAgent &agent,
                                        const identity::IdentityTrust &trust, const QDateTime &now)
{
    IdentityContext context;
    context.agents.append(AgentIdentity{agent.id, submission.agentInstance, true, {}});
    if (!submission.identityToken.isEmpty()) {
        auto delegated = identity::verifyIdentityToken(submission.identityToken, trust, agent.id, now);
        if (!delegated)
            return delegated.error();
        context.user = delegated.value().user;
        context.application = delegated.value().application;
        context.agents.append(delegated.value().delegators);
        context.sessionId = delegated.value().sessionId;
    } else {
        context.user = submission.user;
        context.application = submission.application;
        context.agents.append(submission.parentAgents);
        context.sessionId = submission.sessionId;
    }
    // A sub-agent holding a tool its delegator never declared may be how a delegation widens
    // what the user's request can reach; the reviewer is told which tools.
    for (qsizetype i = 0; i + 1 < context.agents.size(); ++i) {
        const PolicyAgent *child = trust.policy->agentById(context.agents.at(i).id);
        const PolicyAgent *parent = trust.policy->agentById(context.agents.at(i + 1).id);
        if (!child || !parent)
            continue;
        for (const QString &tool : child->tools) {
            if (!parent->tools.contains(tool) && context.agents[i].undeclaredTools.size() < ActionLimits::maxUndeclaredTools)
                context.agents[i].undeclaredTools.append(tool);
        }
    }
    return context;
}

Result<QList<JudgeVerdict>> resolveJudges(const Submission &submission, const Policy &policy, const QString &gatewayId,
                                          const QDateTime &now)
{
    QList<JudgeVerdict> verdicts;
    if (!submission.signedVerdicts.isEmpty()) {
        const QByteArray call = judge::callDigest(submission.tool, submission.operation, submission.parameters);
        for (const QByteArray &token : submission.signedVerdicts) {
            auto verdict = judge::verifyVerdict(token, policy, gatewayId, call, now);
            if (!verdict)
                return verdict.error();
            verdicts.append(std::move(verdict).value());
        }
    }
    verdicts.append(submission.claimedVerdicts);
    return verdicts;
}

Action buildAction(const Submission &submission, const ActionOrigin &origin, const PolicyOutcome &outcome)
{
    Action action;
    action.id = origin.id;
    action.createdAt = origin.createdAt;
    action.gatewayId = origin.gatewayId;
    action.policyVersion = origin.policyVersion;
    action.tool = submission.tool;
    action.operation = submission.operation;
    // The policy judged the parameters as sent; from here on only the redacted form exists.
    QList<redaction::Finding> found;
    action.parameters = redaction::redactJson(submission.parameters, &found, QStringLiteral("parameters")).toObject();
    auto redactField = [&found](const QString &text, const QString &path) {
        redaction::Redacted redacted = redaction::redactText(text);
        for (redaction::Finding finding : std::as_const(redacted.findings)) {
            finding.path = path;
            found.append(finding);
        }
        return redacted.text;
    };
    action.identity = origin.identity;
    action.identity.user.displayName = redactField(action.identity.user.displayName, QStringLiteral("identity.name"));
    action.identity.application.displayName =
        redactField(action.identity.application.displayName,
                    QStringLiteral("identity") + QStringLiteral(".act").repeated(action.identity.agents.size() + 1)
                        + QStringLiteral(".name"));
    action.judges = origin.judges;
    for (qsizetype i = 0; i < action.judges.size(); ++i)
        action.judges[i].rationale = redactField(action.judges[i].rationale, QStringLiteral("judge[%1].rationale").arg(i));
    for (const redaction::Finding &finding : std::as_const(found)) {
        if (action.credentials.size() < ActionLimits::maxCredentials)
            action.credentials.append(CredentialFinding{finding.path, finding.kind, finding.fingerprint});
    }
    if (outcome.needsHuman) {
        const PolicyRule &rule = *outcome.rule;
        action.deadline = action.createdAt.addSecs(rule.deadlineSeconds);
        action.impact = Impact{rule.tier, rule.categories, rule.irreversible, rule.id, outcome.explanation};
        action.approvalsRequired = rule.approvals;
    } else {
        action.deadline = action.createdAt;
        action.impact = Impact{1, {}, false, QString::fromLatin1(kDefaultAllowRule), QStringLiteral("no policy rule requires a human")};
        action.approvalsRequired = 1;
    }
    return action;
}

} // namespace countersign::gateway
