// Reviewer sign-in statements: canonical claims in an EdDSA compact JWS.
#include "core/auth/SignIn.h"

#include "core/crypto/Base64Url.h"
#include "core/crypto/Digest.h"
#include "core/crypto/Jwk.h"
#include "core/crypto/SignedStatement.h"
#include "core/json/FieldReader.h"

#include <QJsonObject>

namespace countersign::auth {

namespace {

const QString kAud = QStringLiteral("aud");
const QString kCb = QStringLiteral("cb");
const QString kCbType = QStringLiteral("cbType");
const QString kIat = QStringLiteral("iat");
const QString kKid = QStringLiteral("kid");
const QString kNonce = QStringLiteral("nonce");
const QString kSub = QStringLiteral("sub");
const QString kTyp = QStringLiteral("typ");

constexpr qint64 kMaxIat = 253'402'300'799; // 9999-12-31T23:59:59Z
constexpr qsizetype kNonceChars = 43;        // base64url of 32 bytes

QJsonObject toPayload(const SignInClaims &claims)
{
    return QJsonObject{
        {kAud, claims.gatewayId},
        {kCb, QString::fromLatin1(crypto::base64UrlEncode(claims.channelBinding))},
        {kCbType, claims.channelBindingType},
        {kIat, static_cast<double>(claims.issuedAt.toSecsSinceEpoch())},
        {kKid, claims.keyId},
        {kNonce, claims.nonce},
        {kSub, claims.reviewer},
        {kTyp, QString::fromLatin1(kSignInType)},
    };
}

// One set of rules for signing ("signin.invalid") and verifying ("signin.malformed").
Result<SignInClaims> readClaims(const QJsonObject &payload, const QString &errorCode)
{
    json::FieldReader reader(errorCode);
    const QString typ = reader.string(payload, {}, kTyp, 64);
    if (!reader.failed() && typ != QLatin1String(kSignInType))
        reader.fail(kTyp, QStringLiteral("must be \"%1\"").arg(QLatin1String(kSignInType)));
    reader.onlyKnownMembers(payload, {}, {kAud, kCb, kCbType, kIat, kKid, kNonce, kSub, kTyp});

    SignInClaims claims;
    claims.gatewayId = reader.identifier(payload, {}, kAud);
    claims.channelBindingType = reader.string(payload, {}, kCbType, 32);
    const QString cb = reader.string(payload, {}, kCb, 64, true);
    if (!reader.failed()) {
        if (claims.channelBindingType == QLatin1String(kChannelBindingServerEndPoint)) {
            if (!crypto::isBase64UrlOf(cb, 32))
                reader.fail(kCb, QStringLiteral("must be base64url of the 32-byte certificate hash"));
            else
                claims.channelBinding = crypto::base64UrlDecode(cb.toLatin1()).value();
        } else if (claims.channelBindingType == QLatin1String(kChannelBindingNone)) {
            if (!cb.isEmpty())
                reader.fail(kCb, QStringLiteral("must be empty when cbType is \"none\""));
        } else {
            reader.fail(kCbType, QStringLiteral("must be \"%1\" or \"%2\"")
                                     .arg(QLatin1String(kChannelBindingServerEndPoint), QLatin1String(kChannelBindingNone)));
        }
    }
    const qint64 iat = reader.integer(payload, {}, kIat, 0, kMaxIat);
    claims.issuedAt = QDateTime::fromSecsSinceEpoch(iat, Qt::UTC);
    claims.keyId = reader.string(payload, {}, kKid, crypto::kThumbprintChars);
    if (!reader.failed() && !crypto::isBase64UrlOf(claims.keyId, 32))
        reader.fail(kKid, QStringLiteral("must be an RFC 7638 thumbprint (base64url of 32 bytes)"));
    claims.nonce = reader.string(payload, {}, kNonce, kNonceChars);
    if (!reader.failed() && !crypto::isBase64UrlOf(claims.nonce, kChallengeNonceBytes))
        reader.fail(kNonce, QStringLiteral("must be base64url of %1 bytes").arg(kChallengeNonceBytes));
    claims.reviewer = reader.identifier(payload, {}, kSub);
    if (reader.failed())
        return reader.error();
    return claims;
}

json::Limits payloadLimits()
{
    json::Limits limits;
    limits.maxBytes = kMaxSignInBytes;
    limits.maxDepth = 1;
    limits.maxStringBytes = 256;
    limits.maxObjectMembers = 16;
    return limits;
}

} // namespace

QString newChallengeNonce()
{
    return QString::fromLatin1(crypto::base64UrlEncode(crypto::randomBytes(kChallengeNonceBytes)));
}

QByteArray serverEndPointBinding(QByteArrayView certificateDer)
{
    return crypto::sha256(certificateDer);
}

Result<QByteArray> signSignIn(SignInClaims claims, const crypto::Ed25519PrivateKey &key, const Clock &clock)
{
    claims.keyId = QString::fromLatin1(crypto::jwkThumbprint(key.publicKey()));
    const QDateTime now = clock.nowUtc();
    if (!now.isValid())
        return makeError(QStringLiteral("signin.invalid"), QStringLiteral("iat: the clock gave no valid time"));
    claims.issuedAt = QDateTime::fromSecsSinceEpoch(now.toSecsSinceEpoch(), Qt::UTC);
    const QJsonObject payload = toPayload(claims);
    if (auto checked = readClaims(payload, QStringLiteral("signin.invalid")); !checked)
        return checked.error();
    QByteArray token = crypto::signStatement(payload, key);
    if (token.isEmpty())
        return makeError(QStringLiteral("crypto.failed"), QStringLiteral("signing the sign-in failed"));
    return token;
}

Result<SignInClaims> verifySignIn(QByteArrayView token, const crypto::Ed25519PublicKey &key)
{
    auto payload = crypto::verifyStatement(token, key, kMaxSignInBytes, payloadLimits(), QStringLiteral("signin"));
    if (!payload)
        return payload.error();
    auto claims = readClaims(payload.value(), QStringLiteral("signin.malformed"));
    if (!claims)
        return claims.error();
    const QString thumbprint = QString::fromLatin1(crypto::jwkThumbprint(key));
    if (claims.value().keyId != thumbprint)
        return makeError(QStringLiteral("signin.key_mismatch"),
                         QStringLiteral("kid: must be %1, the thumbprint of the verifying key").arg(thumbprint));
    return claims;
}

} // namespace countersign::auth
