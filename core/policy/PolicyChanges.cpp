// The policy as a document again (toJson) and the control plane's changes to it: each change is
// made on the document and read back through fromJson(), so a changed policy obeys exactly the
// rules a policy file does.
#include "core/policy/Policy.h"

#include "core/crypto/Digest.h"
#include "core/crypto/Jwk.h"
#include "core/json/FieldReader.h"

#include <QRegularExpression>

namespace countersign {

namespace {

QString conditionOpName(PolicyCondition::Op op)
{
    using Op = PolicyCondition::Op;
    switch (op) {
    case Op::Gt: return QStringLiteral("gt");
    case Op::Gte: return QStringLiteral("gte");
    case Op::Lt: return QStringLiteral("lt");
    case Op::Lte: return QStringLiteral("lte");
    case Op::Eq: return QStringLiteral("eq");
    case Op::Ne: return QStringLiteral("ne");
    case Op::In: return QStringLiteral("in");
    case Op::Exists: return QStringLiteral("exists");
    case Op::DomainNotIn: return QStringLiteral("domainNotIn");
    }
    return {};
}

QJsonObject ruleJson(const PolicyRule &rule)
{
    QJsonObject object{{QStringLiteral("id"), rule.id},
                       {QStringLiteral("tier"), rule.tier},
                       {QStringLiteral("irreversible"), rule.irreversible},
                       {QStringLiteral("deadlineSeconds"), rule.deadlineSeconds},
                       {QStringLiteral("approvals"), rule.approvals},
                       {QStringLiteral("reason"), rule.reason}};
    if (!rule.tool.isEmpty())
        object.insert(QStringLiteral("tool"), rule.tool);
    if (!rule.operation.isEmpty())
        object.insert(QStringLiteral("operation"), rule.operation);
    if (rule.judgeFlagged)
        object.insert(QStringLiteral("judgeFlagged"), true);
    if (!rule.escalationGroup.isEmpty()) {
        object.insert(QStringLiteral("escalation"), QJsonObject{{QStringLiteral("group"), rule.escalationGroup},
                                                                {QStringLiteral("atPercent"), rule.escalationPercent}});
    }
    if (!rule.when.isEmpty()) {
        QJsonArray when;
        for (const PolicyCondition &condition : rule.when) {
            when.append(QJsonObject{{QStringLiteral("param"), condition.param},
                                    {QStringLiteral("op"), conditionOpName(condition.op)},
                                    {QStringLiteral("value"), condition.value}});
        }
        object.insert(QStringLiteral("when"), when);
    }
    if (!rule.categories.isEmpty()) {
        QJsonArray categories;
        for (ImpactCategory category : rule.categories)
            categories.append(categoryName(category));
        object.insert(QStringLiteral("categories"), categories);
    }
    return object;
}

QString hexHash(const QByteArray &raw)
{
    return QString::fromLatin1(raw.toHex());
}

// Reads a changed document back: every rule of a policy file applies to it.
Result<Policy> reread(const QJsonObject &document)
{
    return Policy::fromJson(json::canonicalize(document));
}

Error duplicateId(const QString &id, const QString &holder, bool revoked)
{
    return makeError(QStringLiteral("policy.duplicate_id"),
                     QStringLiteral("id: \"%1\" is already taken by %2%3").arg(id, holder,
                                                                        revoked ? QStringLiteral(" (revoked; ids are never reused)") : QString()));
}

} // namespace

QJsonObject Policy::reviewerJson(const PolicyReviewer &reviewer)
{
    QJsonObject object{{QStringLiteral("id"), reviewer.id},
                       {QStringLiteral("role"), protocol::roleName(reviewer.role)}};
    if (reviewer.key)
        object.insert(QStringLiteral("key"), crypto::publicKeyToJwk(*reviewer.key));
    object.insert(QStringLiteral("keyId"), reviewer.keyId);
    if (reviewer.revokedAt.isValid())
        object.insert(QStringLiteral("revokedAt"), json::formatTimestamp(reviewer.revokedAt));
    return object;
}

QJsonObject Policy::agentJson(const PolicyAgent &agent)
{
    QJsonObject object{{QStringLiteral("id"), agent.id},
                       {QStringLiteral("tokenSha256"), hexHash(agent.tokenSha256)},
                       {QStringLiteral("tools"), QJsonArray::fromStringList(agent.tools)}};
    if (agent.revokedAt.isValid())
        object.insert(QStringLiteral("revokedAt"), json::formatTimestamp(agent.revokedAt));
    return object;
}

QJsonObject Policy::rulesJson() const
{
    QJsonArray rules;
    for (const PolicyRule &rule : m_rules)
        rules.append(ruleJson(rule));
    return QJsonObject{{QStringLiteral("version"), m_version}, {QStringLiteral("rules"), rules}};
}

QJsonObject Policy::toJson() const
{
    QJsonObject document = rulesJson();
    QJsonArray admins;
    for (const PolicyAdmin &admin : m_admins) {
        admins.append(QJsonObject{{QStringLiteral("id"), admin.id},
                                  {QStringLiteral("tokenSha256"), hexHash(admin.tokenSha256)}});
    }
    if (!admins.isEmpty())
        document.insert(QStringLiteral("admins"), admins);
    QJsonArray reviewers;
    for (const PolicyReviewer &reviewer : m_reviewers) {
        QJsonObject entry = reviewerJson(reviewer);
        entry.remove(QStringLiteral("keyId")); // derived from the key, not part of the file format
        reviewers.append(entry);
    }
    document.insert(QStringLiteral("reviewers"), reviewers);
    QJsonArray agents;
    for (const PolicyAgent &agent : m_agents)
        agents.append(agentJson(agent));
    document.insert(QStringLiteral("agents"), agents);
    auto signers = [&document](const QString &section, const QList<PolicySigner> &entries) {
        if (entries.isEmpty())
            return;
        QJsonArray array;
        for (const PolicySigner &signer : entries) {
            QJsonObject entry{{QStringLiteral("id"), signer.id}, {QStringLiteral("key"), crypto::publicKeyToJwk(*signer.key)}};
            if (signer.revokedAt.isValid())
                entry.insert(QStringLiteral("revokedAt"), json::formatTimestamp(signer.revokedAt));
            array.append(entry);
        }
        document.insert(section, array);
    };
    signers(QStringLiteral("applications"), m_applications);
    signers(QStringLiteral("judges"), m_judges);
    return document;
}

const PolicyReviewer *Policy::reviewerById(const QString &id) const
{
    for (const PolicyReviewer &reviewer : m_reviewers) {
        if (reviewer.id == id)
            return &reviewer;
    }
    return nullptr;
}

const PolicyAgent *Policy::agentById(const QString &id) const
{
    for (const PolicyAgent &agent : m_agents) {
        if (agent.id == id)
            return &agent;
    }
    return nullptr;
}

Result<Policy> Policy::withReviewer(const QString &id, protocol::Role role, const QJsonObject &jwk) const
{
    if (role == protocol::Role::Admin) {
        return makeError(QStringLiteral("policy.invalid"),
                         QStringLiteral("role: must be \"reviewer\" or \"analyst\" (administrators are listed under \"admins\")"));
    }
    auto key = crypto::publicKeyFromJwk(jwk);
    if (!key)
        return makeError(QStringLiteral("policy.invalid"), QStringLiteral("key: ") + key.error().message);
    const QString keyId = QString::fromLatin1(crypto::jwkThumbprint(key.value()));
    for (const PolicyAdmin &admin : m_admins) {
        if (admin.id == id)
            return duplicateId(id, QStringLiteral("an administrator"), false);
    }
    for (const PolicyAgent &agent : m_agents) {
        if (agent.id == id)
            return duplicateId(id, QStringLiteral("an agent"), agent.revokedAt.isValid());
    }
    for (const PolicyReviewer &reviewer : m_reviewers) {
        if (reviewer.id == id)
            return duplicateId(id, QStringLiteral("a reviewer"), reviewer.revokedAt.isValid());
        if (reviewer.keyId == keyId) {
            return makeError(QStringLiteral("policy.duplicate_key"),
                             QStringLiteral("key: the key %1 is already enrolled for \"%2\"%3")
                                 .arg(keyId, reviewer.id,
                                      reviewer.revokedAt.isValid()
                                          ? QStringLiteral(" and was revoked; a revoked key is never enrolled again")
                                          : QString()));
        }
    }
    QJsonObject document = toJson();
    QJsonArray reviewers = document.value(QStringLiteral("reviewers")).toArray();
    // Stored in its minimal form: the members the thumbprint covers.
    reviewers.append(QJsonObject{{QStringLiteral("id"), id},
                                 {QStringLiteral("role"), protocol::roleName(role)},
                                 {QStringLiteral("key"), crypto::publicKeyToJwk(key.value())}});
    document.insert(QStringLiteral("reviewers"), reviewers);
    return reread(document);
}

Result<Policy> Policy::withReviewerRevoked(const QString &id, const QDateTime &at) const
{
    const PolicyReviewer *reviewer = reviewerById(id);
    if (!reviewer)
        return makeError(QStringLiteral("policy.not_found"), QStringLiteral("no reviewer or analyst has the id \"%1\"").arg(id.left(128)));
    if (reviewer->revokedAt.isValid()) {
        return makeError(QStringLiteral("policy.already_revoked"),
                         QStringLiteral("\"%1\" was revoked at %2").arg(id, json::formatTimestamp(reviewer->revokedAt)));
    }
    Policy next = *this;
    for (PolicyReviewer &entry : next.m_reviewers) {
        if (entry.id == id)
            entry.revokedAt = at.toUTC();
    }
    return reread(next.toJson());
}

Result<Policy> Policy::withAgent(const QString &id, const QString &tokenSha256Hex, const QStringList &tools) const
{
    static const QRegularExpression hexPattern(QStringLiteral("^[0-9A-Fa-f]{64}$"));
    if (!hexPattern.match(tokenSha256Hex).hasMatch()) {
        return makeError(QStringLiteral("policy.invalid"),
                         QStringLiteral("tokenSha256: must be 64 hex digits (the SHA-256 of the token)"));
    }
    const QByteArray hash = QByteArray::fromHex(tokenSha256Hex.toLatin1());
    for (const PolicyAdmin &admin : m_admins) {
        if (admin.id == id)
            return duplicateId(id, QStringLiteral("an administrator"), false);
        if (crypto::constantTimeEquals(admin.tokenSha256, hash))
            return makeError(QStringLiteral("policy.duplicate_key"), QStringLiteral("tokenSha256: the token is already enrolled"));
    }
    for (const PolicyReviewer &reviewer : m_reviewers) {
        if (reviewer.id == id)
            return duplicateId(id, QStringLiteral("a reviewer"), reviewer.revokedAt.isValid());
    }
    for (const PolicyAgent &agent : m_agents) {
        if (agent.id == id)
            return duplicateId(id, QStringLiteral("an agent"), agent.revokedAt.isValid());
        if (crypto::constantTimeEquals(agent.tokenSha256, hash)) {
            return makeError(QStringLiteral("policy.duplicate_key"),
                             QStringLiteral("tokenSha256: the token is already enrolled%1")
                                 .arg(agent.revokedAt.isValid() ? QStringLiteral(" and was revoked; a revoked token is never enrolled again")
                                                                : QString()));
        }
    }
    QJsonObject document = toJson();
    QJsonArray agents = document.value(QStringLiteral("agents")).toArray();
    agents.append(QJsonObject{{QStringLiteral("id"), id},
                              {QStringLiteral("tokenSha256"), tokenSha256Hex.toLower()},
                              {QStringLiteral("tools"), QJsonArray::fromStringList(tools)}});
    document.insert(QStringLiteral("agents"), agents);
    return reread(document);
}

Result<Policy> Policy::withAgentRevoked(const QString &id, const QDateTime &at) const
{
    const PolicyAgent *agent = agentById(id);
    if (!agent)
        return makeError(QStringLiteral("policy.not_found"), QStringLiteral("no agent has the id \"%1\"").arg(id.left(128)));
    if (agent->revokedAt.isValid()) {
        return makeError(QStringLiteral("policy.already_revoked"),
                         QStringLiteral("\"%1\" was revoked at %2").arg(id, json::formatTimestamp(agent->revokedAt)));
    }
    Policy next = *this;
    for (PolicyAgent &entry : next.m_agents) {
        if (entry.id == id)
            entry.revokedAt = at.toUTC();
    }
    return reread(next.toJson());
}

Result<Policy> Policy::withRules(const QJsonObject &versionAndRules) const
{
    json::FieldReader reader(QStringLiteral("policy.invalid"));
    reader.onlyKnownMembers(versionAndRules, {}, {QStringLiteral("version"), QStringLiteral("rules")});
    const QString version = reader.identifier(versionAndRules, {}, QStringLiteral("version"));
    const QJsonArray rules = reader.array(versionAndRules, {}, QStringLiteral("rules"), 1000);
    if (reader.failed())
        return reader.error();
    if (version == m_version) {
        return makeError(QStringLiteral("policy.same_version"),
                         QStringLiteral("version: the policy already has version \"%1\"; a changed policy needs a new version").arg(version));
    }
    QJsonObject document = toJson();
    document.insert(QStringLiteral("version"), version);
    document.insert(QStringLiteral("rules"), rules);
    return reread(document);
}

} // namespace countersign
