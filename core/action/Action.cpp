// JSON form, validation and digest of the pending action.
#include "core/action/Action.h"

#include "core/crypto/Digest.h"
#include "core/identity/Delegation.h"
#include "core/json/FieldReader.h"
#include "core/json/Json.h"

#include <algorithm>
#include <array>
#include <utility>

#include <QJsonArray>

namespace countersign {

namespace {

using json::FieldReader;

constexpr std::array<std::pair<ImpactCategory, const char *>, 7> kCategoryNames{{
    {ImpactCategory::Financial, "financial"},
    {ImpactCategory::Deletion, "deletion"},
    {ImpactCategory::OutboundCommunication, "outbound-communication"},
    {ImpactCategory::SensitiveData, "sensitive-data"},
    {ImpactCategory::SelfPermissionChange, "self-permission-change"},
    {ImpactCategory::CodeExecution, "code-execution"},
    {ImpactCategory::JudgeAnomaly, "judge-anomaly"},
}};

const QString kVerified = QStringLiteral("verified");

// One link's "verified": required, so a link never reads as verified by omission.
bool readVerified(FieldReader &reader, const QJsonObject &object, const QString &path)
{
    return reader.boolean(object, path, kVerified);
}

IdentityContext readIdentity(FieldReader &reader, const QJsonObject &identity)
{
    IdentityContext context;
    const QString root = QStringLiteral("identity");
    // The acting agent, its delegators, and the application: one more than the agents.
    auto delegation = identity::parseDelegation(identity, ActionLimits::maxAgents + 1);
    if (!delegation) {
        // "act.act: must be a JSON object" → "identity.act.act: must be a JSON object"
        const QString message = delegation.error().message;
        const qsizetype colon = message.indexOf(QStringLiteral(": "));
        reader.fail(root + QLatin1Char('.') + message.left(colon), message.mid(colon + 2));
        return context;
    }
    const QList<identity::Actor> &actors = delegation.value().actors;
    reader.onlyKnownMembers(identity, root,
                            {QStringLiteral("sub"), QStringLiteral("name"), kVerified, QStringLiteral("sid"),
                             QStringLiteral("act")});
    context.user.id = reader.identifier(identity, root, QStringLiteral("sub"), ActionLimits::maxIdBytes);
    context.user.displayName =
        reader.optionalString(identity, root, QStringLiteral("name"), ActionLimits::maxNameBytes).value_or(QString());
    context.user.verified = readVerified(reader, identity, root);
    context.sessionId = reader.identifier(identity, root, QStringLiteral("sid"));
    if (!reader.failed() && actors.size() < 2) {
        reader.fail(root + QStringLiteral(".act"),
                    QStringLiteral("must name the acting agent and, most deeply nested, the application"));
        return context;
    }
    for (qsizetype i = 0; !reader.failed() && i < actors.size(); ++i) {
        const identity::Actor &actor = actors.at(i);
        const QString path = root + QLatin1Char('.') + actor.path;
        const QJsonObject &claims = actor.claims;
        if (i == actors.size() - 1) {
            reader.onlyKnownMembers(claims, path, {QStringLiteral("sub"), QStringLiteral("name"), kVerified});
            context.application.id = reader.identifier(claims, path, QStringLiteral("sub"), ActionLimits::maxIdBytes);
            context.application.displayName =
                reader.optionalString(claims, path, QStringLiteral("name"), ActionLimits::maxNameBytes).value_or(QString());
            context.application.verified = readVerified(reader, claims, path);
            break;
        }
        reader.onlyKnownMembers(claims, path,
                                {QStringLiteral("sub"), QStringLiteral("instance"), kVerified,
                                 QStringLiteral("undeclaredTools")});
        AgentIdentity agent;
        agent.id = reader.identifier(claims, path, QStringLiteral("sub"));
        agent.instance = reader.optionalString(claims, path, QStringLiteral("instance"), ActionLimits::maxIdBytes)
                             .value_or(QString());
        agent.verified = readVerified(reader, claims, path);
        if (claims.contains(QStringLiteral("undeclaredTools"))) {
            const QJsonArray tools =
                reader.array(claims, path, QStringLiteral("undeclaredTools"), ActionLimits::maxUndeclaredTools);
            const QString toolsPath = path + QStringLiteral(".undeclaredTools");
            for (qsizetype t = 0; !reader.failed() && t < tools.size(); ++t) {
                const QJsonValue tool = tools.at(t);
                if (!tool.isString() || tool.toString().isEmpty()
                    || tool.toString().toUtf8().size() > ActionLimits::maxIdBytes)
                    reader.fail(FieldReader::index(toolsPath, t), QStringLiteral("must be a \"tool.operation\" name"));
                else
                    agent.undeclaredTools.append(tool.toString());
            }
        }
        context.agents.append(agent);
    }
    return context;
}

QJsonObject principalClaims(const Principal &principal)
{
    QJsonObject object{{QStringLiteral("sub"), principal.id}, {kVerified, principal.verified}};
    if (!principal.displayName.isEmpty())
        object.insert(QStringLiteral("name"), principal.displayName);
    return object;
}

QJsonObject identityJson(const IdentityContext &identity)
{
    QList<QJsonObject> actors;
    for (const AgentIdentity &agent : identity.agents) {
        QJsonObject object{{QStringLiteral("sub"), agent.id}, {kVerified, agent.verified}};
        if (!agent.instance.isEmpty())
            object.insert(QStringLiteral("instance"), agent.instance);
        if (!agent.undeclaredTools.isEmpty())
            object.insert(QStringLiteral("undeclaredTools"), QJsonArray::fromStringList(agent.undeclaredTools));
        actors.append(object);
    }
    actors.append(principalClaims(identity.application));
    QJsonObject object = principalClaims(identity.user);
    object.insert(QStringLiteral("sid"), identity.sessionId);
    object.insert(QStringLiteral("act"), identity::nestActors(actors));
    return object;
}

} // namespace

QString categoryName(ImpactCategory category)
{
    for (const auto &[value, name] : kCategoryNames) {
        if (value == category)
            return QString::fromLatin1(name);
    }
    return {};
}

std::optional<ImpactCategory> categoryFromName(const QString &name)
{
    for (const auto &[value, text] : kCategoryNames) {
        if (name == QLatin1String(text))
            return value;
    }
    return std::nullopt;
}

QString categoryTitle(ImpactCategory category)
{
    QString name = categoryName(category);
    name.replace(QLatin1Char('-'), QLatin1Char(' '));
    if (!name.isEmpty())
        name[0] = name[0].toUpper();
    return name;
}

bool anyFlagged(const QList<JudgeVerdict> &verdicts)
{
    return std::any_of(verdicts.begin(), verdicts.end(),
                       [](const JudgeVerdict &verdict) { return verdict.verdict == JudgeOutcome::Flag; });
}

bool Action::judgeFlagged() const
{
    return anyFlagged(judges);
}

Result<Action> Action::fromJson(const QJsonObject &json)
{
    FieldReader reader(QStringLiteral("action.invalid"));
    Action action;
    const QString root;

    reader.onlyKnownMembers(json, root,
                            {QStringLiteral("id"), QStringLiteral("createdAt"),
                             QStringLiteral("deadline"), QStringLiteral("gatewayId"),
                             QStringLiteral("policyVersion"), QStringLiteral("tool"),
                             QStringLiteral("operation"), QStringLiteral("parameters"),
                             QStringLiteral("impact"), QStringLiteral("identity"),
                             QStringLiteral("judge"), QStringLiteral("approval"),
                             QStringLiteral("credentials")});
    action.id = reader.identifier(json, root, QStringLiteral("id"), ActionLimits::maxIdBytes);
    action.createdAt = reader.timestamp(json, root, QStringLiteral("createdAt"));
    action.deadline = reader.timestamp(json, root, QStringLiteral("deadline"));
    if (!reader.failed() && action.deadline <= action.createdAt)
        reader.fail(QStringLiteral("deadline"), QStringLiteral("must be after createdAt"));
    action.gatewayId = reader.identifier(json, root, QStringLiteral("gatewayId"));
    action.policyVersion = reader.identifier(json, root, QStringLiteral("policyVersion"));
    action.tool = reader.identifier(json, root, QStringLiteral("tool"), 64);
    action.operation = reader.identifier(json, root, QStringLiteral("operation"), 64);
    action.parameters = reader.object(json, root, QStringLiteral("parameters"));

    // impact
    {
        const QJsonObject impact = reader.object(json, root, QStringLiteral("impact"));
        const QString path = QStringLiteral("impact");
        if (!reader.failed()) {
            reader.onlyKnownMembers(impact, path,
                                    {QStringLiteral("tier"), QStringLiteral("categories"),
                                     QStringLiteral("irreversible"), QStringLiteral("rule"),
                                     QStringLiteral("reason")});
            action.impact.tier = static_cast<int>(reader.integer(impact, path, QStringLiteral("tier"), 1, 4));
            const QJsonArray categories = reader.array(impact, path, QStringLiteral("categories"), 7);
            for (qsizetype i = 0; !reader.failed() && i < categories.size(); ++i) {
                const QString elementPath = FieldReader::index(path + QStringLiteral(".categories"), i);
                const auto category = categoryFromName(categories.at(i).toString());
                if (!categories.at(i).isString() || !category)
                    reader.fail(elementPath, QStringLiteral("unknown category"));
                else if (action.impact.categories.contains(*category))
                    reader.fail(elementPath, QStringLiteral("repeated category"));
                else
                    action.impact.categories.append(*category);
            }
            action.impact.irreversible = reader.boolean(impact, path, QStringLiteral("irreversible"));
            action.impact.rule = reader.identifier(impact, path, QStringLiteral("rule"));
            action.impact.reason = reader.string(impact, path, QStringLiteral("reason"),
                                                 ActionLimits::maxTextBytes, true);
        }
    }

    // identity: RFC 8693 subject and nested actors
    {
        const QJsonObject identity = reader.object(json, root, QStringLiteral("identity"));
        if (!reader.failed())
            action.identity = readIdentity(reader, identity);
    }

    // judge verdicts
    {
        const QJsonArray judges = reader.array(json, root, QStringLiteral("judge"), ActionLimits::maxJudges);
        for (qsizetype i = 0; !reader.failed() && i < judges.size(); ++i) {
            const QString elementPath = FieldReader::index(QStringLiteral("judge"), i);
            const QJsonObject judge = reader.elementObject(judges, i, elementPath);
            if (reader.failed())
                break;
            reader.onlyKnownMembers(judge, elementPath,
                                    {QStringLiteral("judgeId"), QStringLiteral("verdict"),
                                     QStringLiteral("category"), QStringLiteral("score"),
                                     QStringLiteral("rationale"), kVerified});
            JudgeVerdict verdict;
            verdict.judgeId = reader.identifier(judge, elementPath, QStringLiteral("judgeId"));
            const QString outcome = reader.string(judge, elementPath, QStringLiteral("verdict"), 16);
            if (outcome == QLatin1String("pass"))
                verdict.verdict = JudgeOutcome::Pass;
            else if (outcome == QLatin1String("flag"))
                verdict.verdict = JudgeOutcome::Flag;
            else if (!reader.failed())
                reader.fail(elementPath + QStringLiteral(".verdict"), QStringLiteral("must be \"pass\" or \"flag\""));
            verdict.category = reader.string(judge, elementPath, QStringLiteral("category"),
                                             ActionLimits::maxNameBytes, true);
            verdict.score = reader.number(judge, elementPath, QStringLiteral("score"), 0.0, 1.0);
            verdict.rationale = reader.string(judge, elementPath, QStringLiteral("rationale"),
                                              ActionLimits::maxTextBytes, true);
            verdict.verified = readVerified(reader, judge, elementPath);
            action.judges.append(verdict);
        }
    }

    // approval
    {
        const QJsonObject approval = reader.object(json, root, QStringLiteral("approval"));
        const QString path = QStringLiteral("approval");
        if (!reader.failed()) {
            reader.onlyKnownMembers(approval, path, {QStringLiteral("required")});
            action.approvalsRequired = static_cast<int>(
                reader.integer(approval, path, QStringLiteral("required"), 1, ActionLimits::maxApprovals));
        }
    }

    // credentials (optional)
    if (json.contains(QStringLiteral("credentials"))) {
        const QJsonArray found = reader.array(json, root, QStringLiteral("credentials"), ActionLimits::maxCredentials);
        for (qsizetype i = 0; !reader.failed() && i < found.size(); ++i) {
            const QString elementPath = FieldReader::index(QStringLiteral("credentials"), i);
            const QJsonObject entry = reader.elementObject(found, i, elementPath);
            if (reader.failed())
                break;
            reader.onlyKnownMembers(entry, elementPath,
                                    {QStringLiteral("path"), QStringLiteral("kind"), QStringLiteral("fingerprint")});
            CredentialFinding finding;
            finding.path = reader.string(entry, elementPath, QStringLiteral("path"), ActionLimits::maxTextBytes);
            finding.kind = reader.identifier(entry, elementPath, QStringLiteral("kind"), 64);
            finding.fingerprint = reader.string(entry, elementPath, QStringLiteral("fingerprint"), 16);
            action.credentials.append(finding);
        }
    }

    if (reader.failed())
        return reader.error();
    return action;
}

QJsonObject Action::toJson() const
{
    QJsonArray categories;
    for (ImpactCategory category : impact.categories)
        categories.append(categoryName(category));

    QJsonArray judgeArray;
    for (const JudgeVerdict &verdict : judges) {
        judgeArray.append(QJsonObject{
            {QStringLiteral("judgeId"), verdict.judgeId},
            {QStringLiteral("verdict"),
             verdict.verdict == JudgeOutcome::Flag ? QStringLiteral("flag") : QStringLiteral("pass")},
            {QStringLiteral("category"), verdict.category},
            {QStringLiteral("score"), verdict.score},
            {QStringLiteral("rationale"), verdict.rationale},
            {kVerified, verdict.verified},
        });
    }

    QJsonObject object{
        {QStringLiteral("id"), id},
        {QStringLiteral("createdAt"), json::formatTimestamp(createdAt)},
        {QStringLiteral("deadline"), json::formatTimestamp(deadline)},
        {QStringLiteral("gatewayId"), gatewayId},
        {QStringLiteral("policyVersion"), policyVersion},
        {QStringLiteral("tool"), tool},
        {QStringLiteral("operation"), operation},
        {QStringLiteral("parameters"), parameters},
        {QStringLiteral("impact"),
         QJsonObject{{QStringLiteral("tier"), impact.tier},
                     {QStringLiteral("categories"), categories},
                     {QStringLiteral("irreversible"), impact.irreversible},
                     {QStringLiteral("rule"), impact.rule},
                     {QStringLiteral("reason"), impact.reason}}},
        {QStringLiteral("identity"), identityJson(identity)},
        {QStringLiteral("judge"), judgeArray},
        {QStringLiteral("approval"), QJsonObject{{QStringLiteral("required"), approvalsRequired}}},
    };
    if (!credentials.isEmpty()) {
        QJsonArray found;
        for (const CredentialFinding &finding : credentials) {
            found.append(QJsonObject{{QStringLiteral("path"), finding.path},
                                     {QStringLiteral("kind"), finding.kind},
                                     {QStringLiteral("fingerprint"), finding.fingerprint}});
        }
        object.insert(QStringLiteral("credentials"), found);
    }
    return object;
}

QByteArray Action::digest() const
{
    return crypto::sha256Hex(json::canonicalize(toJson()));
}

QJsonValue valueAtPath(const QJsonObject &root, const QString &dottedPath)
{
    QJsonValue current = root;
    const QStringList parts = dottedPath.split(QLatin1Char('.'));
    for (const QString &part : parts) {
        if (!current.isObject())
            return QJsonValue(QJsonValue::Undefined);
        current = current.toObject().value(part);
    }
    return current;
}

} // namespace countersign
