// The two tokens that tell the gateway who an agent acts for (IAM-01; docs/protocol.md,
// "Identity"). Both are signed statements (core/crypto/SignedStatement) whose claims use the
// RFC 8693 shape:
//
//   user assertion   signed by an application's enrolled key, for the agent it launches:
//     {"typ":"countersign-user+v1","iss":<application>,"sub":<user>,"name":<display name>?,
//      "aud":<gateway id>,"sid":<session>,"iat","exp","may_act":{"sub":<agent>}?}
//   delegation token issued and signed by the gateway (RFC 8693 token exchange) when an agent
//     hands the work to a sub-agent:
//     {"typ":"countersign-delegation+v1","iss":<gateway id>,"aud":<gateway id>,"sub":<user>,
//      "name"?,"sid","iat","exp","may_act":{"sub":<sub-agent>},
//      "act":{"sub":<delegating agent>,"instance"?,"act":{... "act":{"sub":<application>}}}}
//
// Every link read from a token that verifies is verified; the agent presenting it is
// authenticated separately, by its bearer token.
#pragma once

#include "core/Result.h"
#include "core/action/Action.h"
#include "core/crypto/Ed25519.h"

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QString>

namespace countersign {
class Policy;
}

namespace countersign::identity {

inline constexpr char kUserAssertionType[] = "countersign-user+v1";
inline constexpr char kDelegationTokenType[] = "countersign-delegation+v1";
inline constexpr qsizetype kMaxIdentityTokenBytes = qsizetype{8} * 1024;
inline constexpr qint64 kMaxUserAssertionSeconds = 3600; // exp - iat
inline constexpr qint64 kMaxDelegationSeconds = 900;
inline constexpr qint64 kClockSkewSeconds = 60;

// The NumericDate window every signed token here must be inside at now (iat no later than
// now + kClockSkewSeconds, exp after now - kClockSkewSeconds, exp - iat in 1..maxLifetime).
// Errors carry code and say which bound failed.
[[nodiscard]] Status checkLifetime(qint64 iat, qint64 exp, const QDateTime &now, qint64 maxLifetime, const QString &code);

struct UserAssertion
{
    QString application; // iss
    Principal user;      // sub, name
    QString gatewayId;   // aud
    QString sessionId;   // sid
    QDateTime issuedAt;
    QDateTime expiresAt;
    QString mayAct; // the one agent that may present it; empty: any agent the application runs
};

[[nodiscard]] QByteArray signUserAssertion(const UserAssertion &assertion, const crypto::Ed25519PrivateKey &key);

// What a verified token says about everyone before the agent presenting it.
struct DelegatedIdentity
{
    Principal user;                   // verified
    Principal application;            // verified
    QList<AgentIdentity> delegators;  // verified, nearest first; empty for a user assertion
    QString sessionId;
    QDateTime expiresAt;
};

// A token the gateway issued, as the token exchange answers it.
struct IssuedToken
{
    QByteArray token;
    qint64 expiresIn = 0; // seconds
};

// The claims of a delegation token from identity (the token exchange's subject) for the agent
// "actor" (instance may be empty) handing over to the agent "mayAct".
[[nodiscard]] IssuedToken issueDelegationToken(const DelegatedIdentity &identity, const AgentIdentity &actor,
                                              const QString &mayAct, const QString &gatewayId,
                                              const QDateTime &now, const crypto::Ed25519PrivateKey &gatewayKey);

struct IdentityTrust
{
    const Policy *policy = nullptr;            // enrolled applications
    const crypto::Ed25519PublicKey *gatewayKey = nullptr;
    QString gatewayKeyId; // RFC 7638 thumbprint of gatewayKey
    QString gatewayId;
};

// Checks token, presented by the authenticated agent presenter at now: the signature under an
// active enrolled application's key (user assertion) or the gateway's key (delegation token),
// then typ, iss, aud, iat/exp (with kClockSkewSeconds, and no longer-lived than the kind
// allows), the claims' shape, and that may_act, when present, names presenter (always present
// in a delegation token). Error code "identity.invalid_token"; the message says which check
// failed and never quotes the token.
[[nodiscard]] Result<DelegatedIdentity> verifyIdentityToken(QByteArrayView token, const IdentityTrust &trust,
                                                            const QString &presenter, const QDateTime &now);

} // namespace countersign::identity
