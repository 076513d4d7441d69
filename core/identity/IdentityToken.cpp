// User assertions and delegation tokens: issuing and checking.
#include "core/identity/IdentityToken.h"

#include "core/crypto/SignedStatement.h"
#include "core/identity/Delegation.h"
#include "core/json/FieldReader.h"
#include "core/policy/Policy.h"

namespace countersign::identity {

namespace {

using json::FieldReader;

const QString kCode = QStringLiteral("identity.invalid_token");

Error invalidToken(const QString &message)
{
    return makeError(kCode, message);
}

json::Limits claimLimits()
{
    json::Limits limits;
    limits.maxBytes = kMaxIdentityTokenBytes;
    limits.maxDepth = static_cast<int>(ActionLimits::maxAgents) + 4;
    limits.maxStringBytes = 1024;
    limits.maxArrayLength = 16;
    limits.maxObjectMembers = 32;
    return limits;
}

QJsonObject principalClaims(const Principal &principal)
{
    QJsonObject claims{{QStringLiteral("sub"), principal.id}};
    if (!principal.displayName.isEmpty())
        claims.insert(QStringLiteral("name"), principal.displayName);
    return claims;
}

// The claims both kinds share: typ, iss, aud, sub, name, sid, iat, exp.
struct CommonClaims
{
    Principal user;
    QString sessionId;
    QDateTime expiresAt;
    QString mayAct;
};

Result<CommonClaims> readCommonClaims(const QJsonObject &claims, const QString &type, const QString &issuer,
                                      qint64 maxLifetime, const IdentityTrust &trust, const QString &presenter,
                                      const QDateTime &now, bool mayActRequired)
{
    FieldReader reader(kCode);
    CommonClaims common;
    if (reader.string(claims, {}, QStringLiteral("typ"), 64) != type && !reader.failed())
        reader.fail(QStringLiteral("typ"), QStringLiteral("must be \"%1\"").arg(type));
    if (reader.string(claims, {}, QStringLiteral("iss"), 256) != issuer && !reader.failed())
        reader.fail(QStringLiteral("iss"), QStringLiteral("is not the issuer whose key signed the token"));
    if (reader.string(claims, {}, QStringLiteral("aud"), 256) != trust.gatewayId && !reader.failed())
        reader.fail(QStringLiteral("aud"), QStringLiteral("names another gateway"));
    common.user.id = reader.identifier(claims, {}, QStringLiteral("sub"), ActionLimits::maxIdBytes);
    common.user.displayName =
        reader.optionalString(claims, {}, QStringLiteral("name"), ActionLimits::maxNameBytes).value_or(QString());
    common.user.verified = true;
    common.sessionId = reader.identifier(claims, {}, QStringLiteral("sid"));
    const qint64 iat = reader.integer(claims, {}, QStringLiteral("iat"), 0, qint64{1} << 40);
    const qint64 exp = reader.integer(claims, {}, QStringLiteral("exp"), 0, qint64{1} << 40);
    if (reader.failed())
        return reader.error();
    if (Status alive = checkLifetime(iat, exp, now, maxLifetime, kCode); !alive)
        return alive.error();
    common.expiresAt = QDateTime::fromSecsSinceEpoch(exp, Qt::UTC);

    const QString mayActKey = QStringLiteral("may_act");
    if (claims.contains(mayActKey)) {
        const QJsonObject mayAct = reader.object(claims, {}, mayActKey);
        if (!reader.failed())
            reader.onlyKnownMembers(mayAct, mayActKey, {QStringLiteral("sub")});
        common.mayAct = reader.identifier(mayAct, mayActKey, QStringLiteral("sub"));
        if (reader.failed())
            return reader.error();
        if (common.mayAct != presenter)
            return invalidToken(QStringLiteral("may_act: the token was issued for another agent"));
    } else if (mayActRequired) {
        return invalidToken(QStringLiteral("may_act: missing"));
    }
    return common;
}

Result<DelegatedIdentity> readUserAssertion(const QJsonObject &claims, const PolicySigner &application,
                                            const IdentityTrust &trust, const QString &presenter,
                                            const QDateTime &now)
{
    FieldReader reader(kCode);
    reader.onlyKnownMembers(claims, {},
                            {QStringLiteral("typ"), QStringLiteral("iss"), QStringLiteral("sub"), QStringLiteral("name"),
                             QStringLiteral("aud"), QStringLiteral("sid"), QStringLiteral("iat"), QStringLiteral("exp"),
                             QStringLiteral("may_act")});
    if (reader.failed())
        return reader.error();
    auto common = readCommonClaims(claims, QString::fromLatin1(kUserAssertionType), application.id,
                                   kMaxUserAssertionSeconds, trust, presenter, now, false);
    if (!common)
        return common.error();
    DelegatedIdentity identity;
    identity.user = common.value().user;
    identity.application = Principal{application.id, {}, true};
    identity.sessionId = common.value().sessionId;
    identity.expiresAt = common.value().expiresAt;
    return identity;
}

Result<DelegatedIdentity> readDelegationToken(const QJsonObject &claims, const IdentityTrust &trust,
                                              const QString &presenter, const QDateTime &now)
{
    FieldReader reader(kCode);
    reader.onlyKnownMembers(claims, {},
                            {QStringLiteral("typ"), QStringLiteral("iss"), QStringLiteral("sub"), QStringLiteral("name"),
                             QStringLiteral("aud"), QStringLiteral("sid"), QStringLiteral("iat"), QStringLiteral("exp"),
                             QStringLiteral("may_act"), QStringLiteral("act")});
    if (reader.failed())
        return reader.error();
    auto common = readCommonClaims(claims, QString::fromLatin1(kDelegationTokenType), trust.gatewayId,
                                   kMaxDelegationSeconds, trust, presenter, now, true);
    if (!common)
        return common.error();
    // The presenter takes one agent slot; the application is the deepest actor.
    auto delegation = parseDelegation(claims, ActionLimits::maxAgents);
    if (!delegation)
        return invalidToken(delegation.error().message);
    const QList<Actor> &actors = delegation.value().actors;
    if (actors.size() < 2)
        return invalidToken(QStringLiteral("act: must name the delegating agent and the application"));
    DelegatedIdentity identity;
    identity.user = common.value().user;
    identity.sessionId = common.value().sessionId;
    identity.expiresAt = common.value().expiresAt;
    for (qsizetype i = 0; !reader.failed() && i < actors.size(); ++i) {
        const Actor &actor = actors.at(i);
        if (i == actors.size() - 1) {
            reader.onlyKnownMembers(actor.claims, actor.path, {QStringLiteral("sub")});
            identity.application.id = reader.identifier(actor.claims, actor.path, QStringLiteral("sub"));
            identity.application.verified = true;
            break;
        }
        reader.onlyKnownMembers(actor.claims, actor.path, {QStringLiteral("sub"), QStringLiteral("instance")});
        AgentIdentity agent;
        agent.id = reader.identifier(actor.claims, actor.path, QStringLiteral("sub"));
        agent.instance = reader.optionalString(actor.claims, actor.path, QStringLiteral("instance"), ActionLimits::maxIdBytes)
                             .value_or(QString());
        agent.verified = true;
        identity.delegators.append(agent);
    }
    if (reader.failed())
        return reader.error();
    return identity;
}

} // namespace

Status checkLifetime(qint64 iat, qint64 exp, const QDateTime &now, qint64 maxLifetime, const QString &code)
{
    const qint64 nowSeconds = now.toSecsSinceEpoch();
    if (iat > nowSeconds + kClockSkewSeconds)
        return makeError(code, QStringLiteral("iat: issued in the future"));
    if (exp <= nowSeconds - kClockSkewSeconds)
        return makeError(code, QStringLiteral("exp: the token has expired"));
    if (exp <= iat || exp - iat > maxLifetime)
        return makeError(code, QStringLiteral("exp: a token of this kind lives at most %1 s").arg(maxLifetime));
    return {};
}

QByteArray signUserAssertion(const UserAssertion &assertion, const crypto::Ed25519PrivateKey &key)
{
    QJsonObject claims = principalClaims(assertion.user);
    claims.insert(QStringLiteral("typ"), QString::fromLatin1(kUserAssertionType));
    claims.insert(QStringLiteral("iss"), assertion.application);
    claims.insert(QStringLiteral("aud"), assertion.gatewayId);
    claims.insert(QStringLiteral("sid"), assertion.sessionId);
    claims.insert(QStringLiteral("iat"), assertion.issuedAt.toSecsSinceEpoch());
    claims.insert(QStringLiteral("exp"), assertion.expiresAt.toSecsSinceEpoch());
    if (!assertion.mayAct.isEmpty())
        claims.insert(QStringLiteral("may_act"), QJsonObject{{QStringLiteral("sub"), assertion.mayAct}});
    return crypto::signStatement(claims, key);
}

IssuedToken issueDelegationToken(const DelegatedIdentity &identity, const AgentIdentity &actor, const QString &mayAct,
                                const QString &gatewayId, const QDateTime &now,
                                const crypto::Ed25519PrivateKey &gatewayKey)
{
    QList<QJsonObject> actors;
    auto agentClaims = [](const AgentIdentity &agent) {
        QJsonObject claims{{QStringLiteral("sub"), agent.id}};
        if (!agent.instance.isEmpty())
            claims.insert(QStringLiteral("instance"), agent.instance);
        return claims;
    };
    actors.append(agentClaims(actor));
    for (const AgentIdentity &delegator : identity.delegators)
        actors.append(agentClaims(delegator));
    actors.append(QJsonObject{{QStringLiteral("sub"), identity.application.id}});

    const QDateTime expires = std::min(identity.expiresAt, now.addSecs(kMaxDelegationSeconds));
    QJsonObject claims = principalClaims(identity.user);
    claims.insert(QStringLiteral("typ"), QString::fromLatin1(kDelegationTokenType));
    claims.insert(QStringLiteral("iss"), gatewayId);
    claims.insert(QStringLiteral("aud"), gatewayId);
    claims.insert(QStringLiteral("sid"), identity.sessionId);
    claims.insert(QStringLiteral("iat"), now.toSecsSinceEpoch());
    claims.insert(QStringLiteral("exp"), expires.toSecsSinceEpoch());
    claims.insert(QStringLiteral("may_act"), QJsonObject{{QStringLiteral("sub"), mayAct}});
    claims.insert(QStringLiteral("act"), nestActors(actors));
    return IssuedToken{crypto::signStatement(claims, gatewayKey), std::max<qint64>(0, now.secsTo(expires))};
}

Result<DelegatedIdentity> verifyIdentityToken(QByteArrayView token, const IdentityTrust &trust, const QString &presenter,
                                              const QDateTime &now)
{
    const QString kind = QStringLiteral("identity");
    auto keyId = crypto::statementKeyId(token, kMaxIdentityTokenBytes, kind);
    if (!keyId)
        return invalidToken(keyId.error().message);
    const bool fromGateway = keyId.value() == trust.gatewayKeyId;
    const PolicySigner *application = nullptr;
    if (!fromGateway) {
        application = trust.policy->applicationForKeyId(keyId.value());
        if (!application)
            return invalidToken(QStringLiteral("signed by a key that is neither this gateway's nor an enrolled application's"));
        if (application->revokedAt.isValid())
            return invalidToken(QStringLiteral("signed by the application \"%1\", whose key is revoked").arg(application->id));
    }
    auto claims = crypto::verifyStatement(token, fromGateway ? *trust.gatewayKey : *application->key,
                                          kMaxIdentityTokenBytes, claimLimits(), kind);
    if (!claims)
        return invalidToken(claims.error().message);
    return fromGateway ? readDelegationToken(claims.value(), trust, presenter, now)
                       : readUserAssertion(claims.value(), *application, trust, presenter, now);
}

} // namespace countersign::identity
