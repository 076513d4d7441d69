// RFC 8693 (OAuth 2.0 Token Exchange) delegation claims: the subject ("sub") and the nested
// actor claim ("act"). The outermost "act" is the current actor; each nested "act" is the actor
// before it, so the least recent actor is the most deeply nested (RFC 8693 section 4.1). "may_act"
// (section 4.4) says who MAY act for the subject: it is never an actor in the chain.
//
// One walker for every place that reads such claims: the actions the gateway publishes
// (core/action), the delegation tokens it issues and the user assertions applications sign
// (gateway). It is iterative, so a chain of any depth costs no stack, and it stops at maxActors.
#pragma once

#include "core/Result.h"

#include <optional>

#include <QJsonObject>
#include <QList>
#include <QString>

namespace countersign::identity {

struct Actor
{
    QString subject;    // "sub"
    QString issuer;     // "iss", empty when absent: the same sub under two issuers is two actors
    QJsonObject claims; // the actor's own members except "act" (identity and extension claims)
    QString path;       // where it sits: "act", "act.act", ...
};

struct Delegation
{
    QString subject;
    QList<Actor> actors;         // current actor first, least recent last; may be empty
    std::optional<Actor> mayAct; // who may act next; never part of actors
};

// Reads claims["sub"], the "act" chain and "may_act". Non-identity claims inside an actor (exp,
// nbf, aud, iat, jti) carry no meaning there (RFC 8693 section 4.1) and are dropped from
// Actor::claims, so nothing can mistake them for the token's own. Error code
// "delegation.invalid", naming the path:
//   "sub: missing"                         "act.act: must be a JSON object"
//   "act.act.sub: missing (an actor is identified by sub)"
//   "act: more than 8 actors (the delegation depth limit)"
[[nodiscard]] Result<Delegation> parseDelegation(const QJsonObject &claims, qsizetype maxActors);

// Nests actors (current first, each an object of its own claims without "act") into one "act"
// claim value: actors[0] outermost, the last one deepest. Empty object for no actors.
[[nodiscard]] QJsonObject nestActors(const QList<QJsonObject> &actors);

} // namespace countersign::identity
