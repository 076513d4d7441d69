// Loading, token lookup, allowlist and rule evaluation of the gateway's policy file.
#include "core/policy/Policy.h"

#include "core/crypto/Digest.h"
#include "core/crypto/Jwk.h"
#include "core/json/FieldReader.h"

#include <QFile>
#include <QHash>
#include <QRegularExpression>
#include <QSet>

namespace countersign {

namespace {

using json::FieldReader;

constexpr qsizetype kMaxPolicyBytes = 1 << 20;
constexpr qsizetype kMaxEntries = 1000;      // agents, reviewers, rules, tools per agent
constexpr qsizetype kMaxConditions = 32;     // conditions per rule
constexpr int kMaxDeadlineSeconds = 7 * 24 * 3600;
constexpr qsizetype kMaxExplanationBytes = ActionLimits::maxTextBytes;

// Reserved for actions that no rule sent to a human, so that a stored "allowed" action can
// never be mistaken for one routed by a real rule of the same name.
const QString kDefaultAllowRuleId = QString::fromLatin1(kDefaultAllowRule);

struct OpName
{
    PolicyCondition::Op op;
    const char *name;
};

constexpr OpName kOps[] = {
    {PolicyCondition::Op::Gt, "gt"},       {PolicyCondition::Op::Gte, "gte"},
    {PolicyCondition::Op::Lt, "lt"},       {PolicyCondition::Op::Lte, "lte"},
    {PolicyCondition::Op::Eq, "eq"},       {PolicyCondition::Op::Ne, "ne"},
    {PolicyCondition::Op::In, "in"},       {PolicyCondition::Op::Exists, "exists"},
    {PolicyCondition::Op::DomainNotIn, "domainNotIn"},
};

std::optional<PolicyCondition::Op> opFromName(const QString &name)
{
    for (const OpName &entry : kOps) {
        if (name == QLatin1String(entry.name))
            return entry.op;
    }
    return std::nullopt;
}

bool isNumericOp(PolicyCondition::Op op)
{
    using Op = PolicyCondition::Op;
    return op == Op::Gt || op == Op::Gte || op == Op::Lt || op == Op::Lte;
}

// Token hashes are stored as hex in the file; either case is accepted, 32 bytes are kept.
QByteArray readTokenHash(FieldReader &reader, const QJsonObject &object, const QString &path)
{
    const QString hex = reader.string(object, path, QStringLiteral("tokenSha256"), 64);
    if (reader.failed())
        return {};
    static const QRegularExpression pattern(QStringLiteral("^[0-9A-Fa-f]{64}$"));
    if (!pattern.match(hex).hasMatch()) {
        reader.fail(FieldReader::join(path, QStringLiteral("tokenSha256")),
                    QStringLiteral("must be 64 hex digits (the SHA-256 of the token)"));
        return {};
    }
    return QByteArray::fromHex(hex.toLatin1());
}

std::optional<bool> optionalBoolean(FieldReader &reader, const QJsonObject &object,
                                    const QString &path, const QString &key)
{
    if (!object.contains(key))
        return std::nullopt;
    return reader.boolean(object, path, key);
}

// "payments.transfer" → ("payments", "transfer"). The operation never holds a dot, so the
// split at the last dot is unambiguous even for tool names that do.
std::optional<std::pair<QString, QString>> splitToolName(const QString &qualified)
{
    const qsizetype dot = qualified.lastIndexOf(QLatin1Char('.'));
    if (dot <= 0 || dot == qualified.size() - 1)
        return std::nullopt;
    return std::make_pair(qualified.left(dot), qualified.mid(dot + 1));
}

// Text for explanations: only trusted policy values and numbers are ever quoted here, because
// the explanation is published as the gateway's own words and must not carry agent-sent text.
QString policyValueText(const QJsonValue &value)
{
    QString text = QString::fromUtf8(json::canonicalize(value));
    if (text.size() > 200)
        text = text.left(200) + QStringLiteral("…");
    return text;
}

QString numberText(double value)
{
    return QString::fromLatin1(json::formatNumber(value));
}

QString domainOf(const QString &address)
{
    const qsizetype at = address.lastIndexOf(QLatin1Char('@'));
    if (at < 0)
        return {};
    return address.mid(at + 1).toLower();
}

struct ConditionResult
{
    bool matched = false;
    QString detail; // why it matched, from trusted values only
};

ConditionResult evaluateCondition(const PolicyCondition &condition, const QJsonObject &parameters)
{
    using Op = PolicyCondition::Op;
    const QJsonValue actual = valueAtPath(parameters, condition.param);
    const bool present = !actual.isUndefined();
    const QString &name = condition.param;

    if (isNumericOp(condition.op)) {
        if (!present)
            return {};
        // A value of the wrong type cannot be compared; treating it as "no match" would let an
        // agent skip review by sending "20000" instead of 20000, so it routes to a human.
        if (!actual.isDouble())
            return {true, name + QStringLiteral(" is not a number")};
        const double a = actual.toDouble();
        const double limit = condition.value.toDouble();
        bool matched = false;
        const char *symbol = "";
        switch (condition.op) {
        case Op::Gt: matched = a > limit; symbol = " > "; break;
        case Op::Gte: matched = a >= limit; symbol = " >= "; break;
        case Op::Lt: matched = a < limit; symbol = " < "; break;
        case Op::Lte: matched = a <= limit; symbol = " <= "; break;
        default: break;
        }
        if (!matched)
            return {};
        return {true, name + QLatin1Char(' ') + numberText(a) + QLatin1String(symbol) + numberText(limit)};
    }

    switch (condition.op) {
    case Op::Eq:
        if (present && actual == condition.value)
            return {true, name + QStringLiteral(" = ") + policyValueText(condition.value)};
        return {};
    case Op::Ne:
        // An absent parameter is not equal to anything.
        if (!present || actual != condition.value)
            return {true, name + QStringLiteral(" is not ") + policyValueText(condition.value)};
        return {};
    case Op::In:
        if (present && condition.value.toArray().contains(actual))
            return {true, name + QStringLiteral(" is one of ") + policyValueText(condition.value)};
        return {};
    case Op::Exists:
        if (present == condition.value.toBool())
            return {true, name + (present ? QStringLiteral(" is present") : QStringLiteral(" is absent"))};
        return {};
    case Op::DomainNotIn: {
        if (!present)
            return {};
        QStringList addresses;
        bool wellFormed = true;
        if (actual.isString()) {
            addresses.append(actual.toString());
        } else if (actual.isArray()) {
            for (const QJsonValue &element : actual.toArray()) {
                if (!element.isString()) {
                    wellFormed = false;
                    break;
                }
                addresses.append(element.toString());
            }
        } else {
            wellFormed = false;
        }
        // Something that is not an address list cannot be shown to stay inside the allowed
        // domains, so it goes to a human.
        if (!wellFormed)
            return {true, name + QStringLiteral(" is not an email address or a list of them")};
        QStringList allowed;
        for (const QJsonValue &domain : condition.value.toArray())
            allowed.append(domain.toString());
        for (const QString &address : std::as_const(addresses)) {
            if (!allowed.contains(domainOf(address))) {
                return {true, name + QStringLiteral(" has an address outside ")
                                  + allowed.join(QStringLiteral(", "))};
            }
        }
        return {};
    }
    default:
        break;
    }
    return {};
}

PolicyCondition readCondition(FieldReader &reader, const QJsonObject &object, const QString &path)
{
    PolicyCondition condition;
    reader.onlyKnownMembers(object, path,
                            {QStringLiteral("param"), QStringLiteral("op"), QStringLiteral("value")});
    condition.param = reader.identifier(object, path, QStringLiteral("param"), 256);
    if (!reader.failed() && condition.param.split(QLatin1Char('.')).contains(QString()))
        reader.fail(FieldReader::join(path, QStringLiteral("param")),
                    QStringLiteral("must be a dotted path without empty segments"));
    const QString opName = reader.string(object, path, QStringLiteral("op"), 32);
    if (reader.failed())
        return condition;
    const auto op = opFromName(opName);
    if (!op) {
        reader.fail(FieldReader::join(path, QStringLiteral("op")), QStringLiteral("unknown operator"));
        return condition;
    }
    condition.op = *op;
    const QString valuePath = FieldReader::join(path, QStringLiteral("value"));
    if (!object.contains(QStringLiteral("value"))) {
        reader.fail(valuePath, QStringLiteral("missing"));
        return condition;
    }
    condition.value = object.value(QStringLiteral("value"));

    using Op = PolicyCondition::Op;
    if (isNumericOp(condition.op) && !condition.value.isDouble()) {
        reader.fail(valuePath, QStringLiteral("must be a number for ") + opName);
    } else if (condition.op == Op::In && !condition.value.isArray()) {
        reader.fail(valuePath, QStringLiteral("must be an array for in"));
    } else if (condition.op == Op::Exists && !condition.value.isBool()) {
        reader.fail(valuePath, QStringLiteral("must be true or false for exists"));
    } else if (condition.op == Op::DomainNotIn) {
        if (!condition.value.isArray() || condition.value.toArray().isEmpty()) {
            reader.fail(valuePath, QStringLiteral("must be a non-empty array of domains for domainNotIn"));
            return condition;
        }
        QJsonArray domains;
        const QJsonArray given = condition.value.toArray();
        for (qsizetype i = 0; i < given.size(); ++i) {
            const QJsonValue domain = given.at(i);
            if (!domain.isString() || domain.toString().isEmpty() || domain.toString().contains(QLatin1Char('@'))) {
                reader.fail(FieldReader::index(valuePath, i), QStringLiteral("must be a domain such as example.com"));
                return condition;
            }
            // Compared case-insensitively: stored lowercased once here.
            domains.append(domain.toString().toLower());
        }
        condition.value = domains;
    }
    return condition;
}

PolicyRule readRule(FieldReader &reader, const QJsonObject &object, const QString &path)
{
    PolicyRule rule;
    reader.onlyKnownMembers(object, path,
                            {QStringLiteral("id"), QStringLiteral("tool"), QStringLiteral("operation"),
                             QStringLiteral("judgeFlagged"), QStringLiteral("when"), QStringLiteral("tier"),
                             QStringLiteral("categories"), QStringLiteral("irreversible"),
                             QStringLiteral("deadlineSeconds"), QStringLiteral("approvals"),
                             QStringLiteral("reason"), QStringLiteral("escalation")});
    rule.id = reader.identifier(object, path, QStringLiteral("id"));
    if (!reader.failed() && rule.id == kDefaultAllowRuleId)
        reader.fail(FieldReader::join(path, QStringLiteral("id")), QStringLiteral("is reserved"));
    if (object.contains(QStringLiteral("tool")))
        rule.tool = reader.identifier(object, path, QStringLiteral("tool"), 64);
    if (object.contains(QStringLiteral("operation")))
        rule.operation = reader.identifier(object, path, QStringLiteral("operation"), 64);
    rule.judgeFlagged = optionalBoolean(reader, object, path, QStringLiteral("judgeFlagged")).value_or(false);

    if (object.contains(QStringLiteral("when"))) {
        const QJsonArray when = reader.array(object, path, QStringLiteral("when"), kMaxConditions);
        const QString whenPath = FieldReader::join(path, QStringLiteral("when"));
        for (qsizetype i = 0; !reader.failed() && i < when.size(); ++i) {
            const QString elementPath = FieldReader::index(whenPath, i);
            const QJsonObject condition = reader.elementObject(when, i, elementPath);
            if (reader.failed())
                break;
            rule.when.append(readCondition(reader, condition, elementPath));
        }
    }

    rule.tier = static_cast<int>(reader.integer(object, path, QStringLiteral("tier"), 1, 4));
    if (object.contains(QStringLiteral("categories"))) {
        const QJsonArray categories = reader.array(object, path, QStringLiteral("categories"), 7);
        const QString categoriesPath = FieldReader::join(path, QStringLiteral("categories"));
        for (qsizetype i = 0; !reader.failed() && i < categories.size(); ++i) {
            const auto category = categoryFromName(categories.at(i).toString());
            if (!categories.at(i).isString() || !category)
                reader.fail(FieldReader::index(categoriesPath, i), QStringLiteral("unknown category"));
            else if (rule.categories.contains(*category))
                reader.fail(FieldReader::index(categoriesPath, i), QStringLiteral("repeated category"));
            else
                rule.categories.append(*category);
        }
    }
    rule.irreversible = optionalBoolean(reader, object, path, QStringLiteral("irreversible")).value_or(false);
    rule.deadlineSeconds = static_cast<int>(
        reader.integer(object, path, QStringLiteral("deadlineSeconds"), 1, kMaxDeadlineSeconds));
    // Quorum (IAM-05): two reviewers from tier 3 up unless the rule says otherwise, and never
    // fewer than two for an agent changing its own permissions.
    rule.approvals = object.contains(QStringLiteral("approvals"))
                         ? static_cast<int>(reader.integer(object, path, QStringLiteral("approvals"), 1,
                                                           ActionLimits::maxApprovals))
                         : (rule.tier >= kDualApprovalTier ? 2 : 1);
    if (!reader.failed() && rule.categories.contains(ImpactCategory::SelfPermissionChange) && rule.approvals < 2)
        reader.fail(FieldReader::join(path, QStringLiteral("approvals")),
                    QStringLiteral("must be at least 2 for a self-permission-change rule"));
    rule.reason = reader.string(object, path, QStringLiteral("reason"), 1024);
    if (object.contains(QStringLiteral("escalation"))) {
        const QString escalationPath = FieldReader::join(path, QStringLiteral("escalation"));
        const QJsonObject escalation = reader.object(object, path, QStringLiteral("escalation"));
        reader.onlyKnownMembers(escalation, escalationPath, {QStringLiteral("group"), QStringLiteral("atPercent")});
        rule.escalationGroup = reader.identifier(escalation, escalationPath, QStringLiteral("group"), 64);
        if (escalation.contains(QStringLiteral("atPercent")))
            rule.escalationPercent = static_cast<int>(reader.integer(escalation, escalationPath, QStringLiteral("atPercent"), 10, 95));
    }
    return rule;
}

} // namespace

Result<Policy> Policy::fromJson(QByteArrayView text)
{
    json::Limits limits;
    limits.maxBytes = kMaxPolicyBytes;
    limits.maxDepth = 16;
    auto parsed = json::parse(text, limits);
    if (!parsed)
        return parsed.error();
    if (!parsed.value().isObject())
        return makeError(QStringLiteral("policy.invalid"), QStringLiteral("the policy must be a JSON object"));
    const QJsonObject root = parsed.value().toObject();

    FieldReader reader(QStringLiteral("policy.invalid"));
    Policy policy;
    reader.onlyKnownMembers(root, {},
                            {QStringLiteral("version"), QStringLiteral("admins"), QStringLiteral("reviewers"),
                             QStringLiteral("agents"), QStringLiteral("applications"), QStringLiteral("judges"),
                             QStringLiteral("rules")});
    policy.m_version = reader.identifier(root, {}, QStringLiteral("version"));

    // Ids are unique across admins, reviewers and agents: one name must never be both the one
    // who asks and the one who approves. Credentials (token hashes, key thumbprints) are unique
    // too, or one credential would be two principals.
    QSet<QString> principalIds;
    QHash<QByteArray, QString> credentialOwners;
    auto claim = [&](const QString &id, const QByteArray &credential, const QString &path,
                     const QString &credentialMember) {
        if (reader.failed())
            return;
        if (principalIds.contains(id)) {
            reader.fail(FieldReader::join(path, QStringLiteral("id")), QStringLiteral("duplicate id \"") + id + QLatin1Char('"'));
            return;
        }
        if (credentialOwners.contains(credential)) {
            reader.fail(FieldReader::join(path, credentialMember),
                        QStringLiteral("same credential as \"") + credentialOwners.value(credential) + QLatin1Char('"'));
            return;
        }
        principalIds.insert(id);
        credentialOwners.insert(credential, id);
    };
    auto readPublicKey = [&](const QJsonObject &object, const QString &path,
                             std::optional<crypto::Ed25519PublicKey> &key, QString &keyId) {
        const QJsonObject jwk = reader.object(object, path, QStringLiteral("key"));
        if (reader.failed())
            return;
        auto publicKey = crypto::publicKeyFromJwk(jwk);
        if (!publicKey) {
            reader.fail(FieldReader::join(path, QStringLiteral("key")), publicKey.error().message);
            return;
        }
        keyId = QString::fromLatin1(crypto::jwkThumbprint(publicKey.value()));
        key = std::move(publicKey).value();
    };
    auto revokedAt = [&](const QJsonObject &object, const QString &path) {
        const QString key = QStringLiteral("revokedAt");
        return object.contains(key) ? reader.timestamp(object, path, key) : QDateTime();
    };

    if (root.contains(QStringLiteral("admins"))) {
        const QJsonArray admins = reader.array(root, {}, QStringLiteral("admins"), kMaxEntries);
        for (qsizetype i = 0; !reader.failed() && i < admins.size(); ++i) {
            const QString path = FieldReader::index(QStringLiteral("admins"), i);
            const QJsonObject object = reader.elementObject(admins, i, path);
            if (reader.failed())
                break;
            reader.onlyKnownMembers(object, path, {QStringLiteral("id"), QStringLiteral("tokenSha256")});
            PolicyAdmin admin;
            admin.id = reader.identifier(object, path, QStringLiteral("id"));
            admin.tokenSha256 = readTokenHash(reader, object, path);
            claim(admin.id, admin.tokenSha256, path, QStringLiteral("tokenSha256"));
            policy.m_admins.append(admin);
        }
    }

    const QJsonArray reviewers = reader.array(root, {}, QStringLiteral("reviewers"), kMaxEntries);
    for (qsizetype i = 0; !reader.failed() && i < reviewers.size(); ++i) {
        const QString path = FieldReader::index(QStringLiteral("reviewers"), i);
        const QJsonObject object = reader.elementObject(reviewers, i, path);
        if (reader.failed())
            break;
        reader.onlyKnownMembers(object, path,
                                {QStringLiteral("id"), QStringLiteral("role"), QStringLiteral("key"),
                                 QStringLiteral("revokedAt")});
        PolicyReviewer reviewer;
        reviewer.id = reader.identifier(object, path, QStringLiteral("id"));
        const QString role = reader.string(object, path, QStringLiteral("role"), 16);
        if (!reader.failed()) {
            const auto parsedRole = protocol::roleFromName(role);
            if (!parsedRole || *parsedRole == protocol::Role::Admin)
                reader.fail(FieldReader::join(path, QStringLiteral("role")),
                            QStringLiteral("must be \"reviewer\" or \"analyst\" (administrators are listed under \"admins\")"));
            reviewer.role = parsedRole.value_or(protocol::Role::Analyst);
        }
        readPublicKey(object, path, reviewer.key, reviewer.keyId);
        reviewer.revokedAt = revokedAt(object, path);
        claim(reviewer.id, reviewer.keyId.toLatin1(), path, QStringLiteral("key"));
        policy.m_reviewers.append(reviewer);
    }

    const QJsonArray agents = reader.array(root, {}, QStringLiteral("agents"), kMaxEntries);
    for (qsizetype i = 0; !reader.failed() && i < agents.size(); ++i) {
        const QString path = FieldReader::index(QStringLiteral("agents"), i);
        const QJsonObject object = reader.elementObject(agents, i, path);
        if (reader.failed())
            break;
        reader.onlyKnownMembers(object, path,
                                {QStringLiteral("id"), QStringLiteral("tokenSha256"), QStringLiteral("tools"),
                                 QStringLiteral("revokedAt")});
        PolicyAgent agent;
        agent.id = reader.identifier(object, path, QStringLiteral("id"));
        agent.tokenSha256 = readTokenHash(reader, object, path);
        const QJsonArray tools = reader.array(object, path, QStringLiteral("tools"), kMaxEntries);
        const QString toolsPath = FieldReader::join(path, QStringLiteral("tools"));
        static const QRegularExpression toolPattern(QStringLiteral("^[A-Za-z0-9._:@/+-]{1,129}$"));
        for (qsizetype t = 0; !reader.failed() && t < tools.size(); ++t) {
            const QString tool = tools.at(t).toString();
            if (!tools.at(t).isString() || !toolPattern.match(tool).hasMatch() || !splitToolName(tool)) {
                reader.fail(FieldReader::index(toolsPath, t),
                            QStringLiteral("must be \"tool.operation\", e.g. \"payments.transfer\""));
            } else if (agent.tools.contains(tool)) {
                reader.fail(FieldReader::index(toolsPath, t), QStringLiteral("repeated tool"));
            } else {
                agent.tools.append(tool);
            }
        }
        agent.revokedAt = revokedAt(object, path);
        claim(agent.id, agent.tokenSha256, path, QStringLiteral("tokenSha256"));
        policy.m_agents.append(agent);
    }

    auto readSigners = [&](const QString &section, QList<PolicySigner> &into) {
        if (!root.contains(section))
            return;
        const QJsonArray entries = reader.array(root, {}, section, kMaxEntries);
        for (qsizetype i = 0; !reader.failed() && i < entries.size(); ++i) {
            const QString path = FieldReader::index(section, i);
            const QJsonObject object = reader.elementObject(entries, i, path);
            if (reader.failed())
                break;
            reader.onlyKnownMembers(object, path,
                                    {QStringLiteral("id"), QStringLiteral("key"), QStringLiteral("revokedAt")});
            PolicySigner signer;
            signer.id = reader.identifier(object, path, QStringLiteral("id"));
            readPublicKey(object, path, signer.key, signer.keyId);
            signer.revokedAt = revokedAt(object, path);
            claim(signer.id, signer.keyId.toLatin1(), path, QStringLiteral("key"));
            into.append(signer);
        }
    };
    readSigners(QStringLiteral("applications"), policy.m_applications);
    readSigners(QStringLiteral("judges"), policy.m_judges);

    const QJsonArray rules = reader.array(root, {}, QStringLiteral("rules"), kMaxEntries);
    QSet<QString> ruleIds;
    for (qsizetype i = 0; !reader.failed() && i < rules.size(); ++i) {
        const QString path = FieldReader::index(QStringLiteral("rules"), i);
        const QJsonObject object = reader.elementObject(rules, i, path);
        if (reader.failed())
            break;
        PolicyRule rule = readRule(reader, object, path);
        if (!reader.failed() && ruleIds.contains(rule.id))
            reader.fail(FieldReader::join(path, QStringLiteral("id")), QStringLiteral("duplicate rule id \"") + rule.id + QLatin1Char('"'));
        ruleIds.insert(rule.id);
        policy.m_rules.append(rule);
    }

    if (reader.failed())
        return reader.error();
    return policy;
}

Result<Policy> Policy::load(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return makeError(QStringLiteral("policy.unreadable"),
                         QStringLiteral("cannot read %1: %2").arg(path, file.errorString()));
    }
    // Read one byte past the limit so that an oversized file is refused, not truncated.
    const QByteArray text = file.read(kMaxPolicyBytes + 1);
    if (text.size() > kMaxPolicyBytes) {
        return makeError(QStringLiteral("json.too_large"),
                         QStringLiteral("%1 is larger than %2 bytes").arg(path).arg(kMaxPolicyBytes));
    }
    auto policy = fromJson(text);
    if (!policy)
        return makeError(policy.error().code, path + QStringLiteral(": ") + policy.error().message);
    return policy;
}

const PolicyAgent *Policy::agentForToken(QByteArrayView token) const
{
    if (token.isEmpty())
        return nullptr;
    const QByteArray hash = crypto::sha256(token);
    const PolicyAgent *found = nullptr;
    // Every entry is compared, so the time taken does not tell which entry (if any) matched.
    for (const PolicyAgent &agent : m_agents) {
        if (crypto::constantTimeEquals(hash, agent.tokenSha256) && !found)
            found = &agent;
    }
    return found && !found->revokedAt.isValid() ? found : nullptr;
}

const PolicyAdmin *Policy::adminForToken(QByteArrayView token) const
{
    if (token.isEmpty())
        return nullptr;
    const QByteArray hash = crypto::sha256(token);
    const PolicyAdmin *found = nullptr;
    for (const PolicyAdmin &admin : m_admins) {
        if (crypto::constantTimeEquals(hash, admin.tokenSha256) && !found)
            found = &admin;
    }
    return found;
}

const PolicyReviewer *Policy::reviewerForKeyId(const QString &keyId) const
{
    for (const PolicyReviewer &reviewer : m_reviewers) {
        if (reviewer.keyId == keyId && !reviewer.revokedAt.isValid())
            return &reviewer;
    }
    return nullptr;
}

namespace {

const PolicySigner *signerForKeyId(const QList<PolicySigner> &signers, const QString &keyId)
{
    for (const PolicySigner &signer : signers) {
        if (signer.keyId == keyId)
            return &signer;
    }
    return nullptr;
}

} // namespace

const PolicySigner *Policy::applicationForKeyId(const QString &keyId) const
{
    return signerForKeyId(m_applications, keyId);
}

const PolicySigner *Policy::judgeForKeyId(const QString &keyId) const
{
    return signerForKeyId(m_judges, keyId);
}

Status Policy::authorizeTool(const PolicyAgent &agent, const QString &tool,
                             const QString &operation) const
{
    for (const QString &declared : agent.tools) {
        const auto parts = splitToolName(declared);
        if (parts && parts->first == tool && parts->second == operation)
            return {};
    }
    return makeError(QStringLiteral("policy.tool_not_declared"),
                     QStringLiteral("agent \"%1\" has not declared the tool \"%2.%3\"")
                         .arg(agent.id, tool.left(64), operation.left(64)));
}

PolicyOutcome Policy::evaluate(const QString &tool, const QString &operation,
                               const QJsonObject &parameters, bool judgeFlagged) const
{
    for (const PolicyRule &rule : m_rules) {
        if (!rule.tool.isEmpty() && rule.tool != tool)
            continue;
        if (!rule.operation.isEmpty() && rule.operation != operation)
            continue;
        if (rule.judgeFlagged && !judgeFlagged)
            continue;
        QStringList details;
        if (rule.judgeFlagged)
            details.append(QStringLiteral("flagged by a Judge"));
        bool all = true;
        for (const PolicyCondition &condition : rule.when) {
            ConditionResult result = evaluateCondition(condition, parameters);
            if (!result.matched) {
                all = false;
                break;
            }
            details.append(result.detail);
        }
        if (!all)
            continue;
        PolicyOutcome outcome;
        outcome.needsHuman = true;
        outcome.rule = &rule;
        outcome.explanation = rule.reason;
        if (!details.isEmpty())
            outcome.explanation += QStringLiteral(": ") + details.join(QStringLiteral("; "));
        // Bounded so that the published action always fits its own limits.
        while (outcome.explanation.toUtf8().size() > kMaxExplanationBytes)
            outcome.explanation.chop(qMax<qsizetype>(1, outcome.explanation.size() / 8));
        return outcome;
    }
    return {};
}

} // namespace countersign
