// RFC 8693 delegation claims: walking the nested "act" chain.
#include "core/identity/Delegation.h"

#include <array>

namespace countersign::identity {

namespace {

const QString kSub = QStringLiteral("sub");
const QString kIss = QStringLiteral("iss");
const QString kAct = QStringLiteral("act");

Error invalid(const QString &path, const QString &rule)
{
    return makeError(QStringLiteral("delegation.invalid"), path + QStringLiteral(": ") + rule);
}

// sub (required) and iss (optional) of one claims object, which sits at path.
Result<Actor> readActor(const QJsonObject &object, const QString &path)
{
    Actor actor;
    actor.path = path;
    const QString subPath = path.isEmpty() ? kSub : path + QLatin1Char('.') + kSub;
    const QJsonValue sub = object.value(kSub);
    if (sub.isUndefined())
        return invalid(subPath, QStringLiteral("missing (an actor is identified by sub)"));
    if (!sub.isString() || sub.toString().isEmpty())
        return invalid(subPath, QStringLiteral("must be a non-empty string"));
    actor.subject = sub.toString();
    if (object.contains(kIss)) {
        const QJsonValue iss = object.value(kIss);
        if (!iss.isString() || iss.toString().isEmpty())
            return invalid(path + QStringLiteral(".iss"), QStringLiteral("must be a non-empty string"));
        actor.issuer = iss.toString();
    }
    actor.claims = object;
    actor.claims.remove(kAct);
    // RFC 8693 section 4.1: these are not meaningful inside an actor claim and are not used.
    static const std::array<QString, 5> kNonIdentity{QStringLiteral("exp"), QStringLiteral("nbf"), QStringLiteral("aud"),
                                                     QStringLiteral("iat"), QStringLiteral("jti")};
    for (const QString &name : kNonIdentity)
        actor.claims.remove(name);
    return actor;
}

} // namespace

Result<Delegation> parseDelegation(const QJsonObject &claims, qsizetype maxActors)
{
    Delegation delegation;
    const QJsonValue sub = claims.value(kSub);
    if (sub.isUndefined())
        return invalid(kSub, QStringLiteral("missing"));
    if (!sub.isString() || sub.toString().isEmpty())
        return invalid(kSub, QStringLiteral("must be a non-empty string"));
    delegation.subject = sub.toString();

    const QString mayActKey = QStringLiteral("may_act");
    if (claims.contains(mayActKey)) {
        const QJsonValue mayAct = claims.value(mayActKey);
        if (!mayAct.isObject())
            return invalid(mayActKey, QStringLiteral("must be a JSON object"));
        auto actor = readActor(mayAct.toObject(), mayActKey);
        if (!actor)
            return actor.error();
        delegation.mayAct = std::move(actor).value();
    }

    // Iterative on purpose: the depth is the attacker's to choose.
    QJsonObject current = claims;
    QString path = kAct;
    while (current.contains(kAct)) {
        const QJsonValue act = current.value(kAct);
        if (!act.isObject())
            return invalid(path, QStringLiteral("must be a JSON object"));
        if (delegation.actors.size() == maxActors)
            return invalid(QStringLiteral("act"), QStringLiteral("more than %1 actors (the delegation depth limit)").arg(maxActors));
        current = act.toObject();
        auto actor = readActor(current, path);
        if (!actor)
            return actor.error();
        delegation.actors.append(std::move(actor).value());
        path += QStringLiteral(".act");
    }
    return delegation;
}

QJsonObject nestActors(const QList<QJsonObject> &actors)
{
    QJsonObject nested;
    for (qsizetype i = actors.size() - 1; i >= 0; --i) {
        QJsonObject actor = actors.at(i);
        if (!nested.isEmpty())
            actor.insert(kAct, nested);
        nested = actor;
    }
    return nested;
}

} // namespace countersign::identity
