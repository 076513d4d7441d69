// Signed decisions: canonical claims in an EdDSA compact JWS, and their strict verification.
#include "core/decision/SignedDecision.h"

#include "core/action/Action.h"
#include "core/crypto/Base64Url.h"
#include "core/crypto/Digest.h"
#include "core/crypto/Jwk.h"
#include "core/crypto/SignedStatement.h"
#include "core/json/FieldReader.h"
#include "core/json/Json.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QStringList>

namespace countersign::decision {

namespace {

const QString kActionId = QStringLiteral("actionId");
const QString kActionDigest = QStringLiteral("actionDigest");
const QString kVerdict = QStringLiteral("verdict");
const QString kReason = QStringLiteral("reason");
const QString kSub = QStringLiteral("sub");
const QString kKid = QStringLiteral("kid");
const QString kIat = QStringLiteral("iat");
const QString kJti = QStringLiteral("jti");
const QString kAud = QStringLiteral("aud");
const QString kPolicyVersion = QStringLiteral("policyVersion");
const QString kTyp = QStringLiteral("typ");

// 9999-12-31T23:59:59Z: the last second an RFC 3339 timestamp can name.
constexpr qint64 kMaxIat = 253'402'300'799;
// base64url of a 16-byte nonce.
constexpr qsizetype kNonceChars = 22;
using crypto::isBase64UrlOf;
using crypto::kThumbprintChars;

Error decisionError(const char *code, const QString &message)
{
    return makeError(QString::fromLatin1(code), message);
}

bool isHexDigest(const QString &text)
{
    if (text.size() != 64)
        return false;
    for (const QChar c : text) {
        if (!((c >= QLatin1Char('0') && c <= QLatin1Char('9')) || (c >= QLatin1Char('a') && c <= QLatin1Char('f'))))
            return false;
    }
    return true;
}

QJsonObject toPayload(const DecisionClaims &claims)
{
    return QJsonObject{
        {kActionId, claims.actionId},
        {kActionDigest, QString::fromLatin1(claims.actionDigest)},
        {kVerdict, protocol::verdictName(claims.verdict)},
        {kReason, claims.reason},
        {kSub, claims.reviewer},
        {kKid, claims.keyId},
        {kIat, static_cast<double>(claims.issuedAt.toSecsSinceEpoch())},
        {kJti, claims.nonce},
        {kAud, claims.gatewayId},
        {kPolicyVersion, claims.policyVersion},
        {kTyp, QString::fromLatin1(kDecisionType)},
    };
}

// The one set of rules for a payload, applied both before signing (errorCode "decision.invalid")
// and after verifying (errorCode "decision.malformed"), so the signer never writes a decision
// the verifier refuses.
Result<DecisionClaims> readClaims(const QJsonObject &payload, const QString &errorCode)
{
    json::FieldReader reader(errorCode);
    // typ first: a token of another kind is reported as that, not as its first odd member.
    const QString typ = reader.string(payload, {}, kTyp, 64);
    if (!reader.failed() && typ != QLatin1String(kDecisionType))
        reader.fail(kTyp, QStringLiteral("must be \"%1\"").arg(QLatin1String(kDecisionType)));
    reader.onlyKnownMembers(payload, {},
                            {kActionId, kActionDigest, kVerdict, kReason, kSub, kKid, kIat, kJti, kAud,
                             kPolicyVersion, kTyp});

    DecisionClaims claims;
    claims.actionId = reader.identifier(payload, {}, kActionId, ActionLimits::maxIdBytes);
    const QString digest = reader.string(payload, {}, kActionDigest, 64);
    if (!reader.failed() && !isHexDigest(digest))
        reader.fail(kActionDigest, QStringLiteral("must be 64 lowercase hex digits"));
    claims.actionDigest = digest.toLatin1();

    const QString verdict = reader.string(payload, {}, kVerdict, 16);
    if (!reader.failed()) {
        if (verdict == QLatin1String("approve"))
            claims.verdict = protocol::Verdict::Approve;
        else if (verdict == QLatin1String("deny"))
            claims.verdict = protocol::Verdict::Deny;
        else
            reader.fail(kVerdict, QStringLiteral("must be \"approve\" or \"deny\""));
    }
    claims.reason = reader.string(payload, {}, kReason, protocol::kMaxReasonBytes, true);
    if (!reader.failed() && claims.verdict == protocol::Verdict::Deny && claims.reason.trimmed().isEmpty())
        reader.fail(kReason, QStringLiteral("a deny must say why"));

    claims.reviewer = reader.identifier(payload, {}, kSub);
    claims.keyId = reader.string(payload, {}, kKid, kThumbprintChars);
    if (!reader.failed() && !isBase64UrlOf(claims.keyId, 32))
        reader.fail(kKid, QStringLiteral("must be an RFC 7638 thumbprint (base64url of 32 bytes)"));
    const qint64 iat = reader.integer(payload, {}, kIat, 0, kMaxIat);
    claims.issuedAt = QDateTime::fromSecsSinceEpoch(iat, Qt::UTC);
    claims.nonce = reader.string(payload, {}, kJti, kNonceChars);
    if (!reader.failed() && !isBase64UrlOf(claims.nonce, kNonceBytes))
        reader.fail(kJti, QStringLiteral("must be base64url of %1 random bytes").arg(kNonceBytes));
    claims.gatewayId = reader.identifier(payload, {}, kAud);
    claims.policyVersion = reader.identifier(payload, {}, kPolicyVersion);

    if (reader.failed())
        return reader.error();
    return claims;
}

json::Limits payloadLimits()
{
    json::Limits limits;
    limits.maxBytes = kMaxDecisionBytes;
    limits.maxDepth = 1; // one flat object of strings and a number
    limits.maxStringBytes = 4 * protocol::kMaxReasonBytes;
    limits.maxObjectMembers = 32;
    return limits;
}

QString thumbprintOf(const crypto::Ed25519PublicKey &key)
{
    return QString::fromLatin1(crypto::jwkThumbprint(key));
}

} // namespace

Result<QByteArray> signDecision(DecisionClaims claims, const crypto::Ed25519PrivateKey &key, const Clock &clock)
{
    const QString thumbprint = thumbprintOf(key.publicKey());
    if (!claims.keyId.isEmpty() && claims.keyId != thumbprint)
        return decisionError("decision.key_mismatch",
                             QStringLiteral("kid: the claims name key %1 but the signing key is %2")
                                 .arg(claims.keyId.left(64), thumbprint));
    claims.keyId = thumbprint;

    const QDateTime now = clock.nowUtc();
    if (!now.isValid())
        return decisionError("decision.invalid", QStringLiteral("iat: the clock gave no valid time"));
    claims.issuedAt = QDateTime::fromSecsSinceEpoch(now.toSecsSinceEpoch(), Qt::UTC);
    if (claims.nonce.isEmpty())
        claims.nonce = QString::fromLatin1(crypto::base64UrlEncode(crypto::randomBytes(kNonceBytes)));

    const QJsonObject payload = toPayload(claims);
    if (auto checked = readClaims(payload, QStringLiteral("decision.invalid")); !checked)
        return checked.error();

    QByteArray token = crypto::signStatement(payload, key);
    if (token.isEmpty())
        return decisionError("crypto.failed", QStringLiteral("signing the decision failed"));
    // A reason of 2000 control characters escapes to six times its size: refuse here what the
    // verifier's size limit would refuse.
    if (token.size() > kMaxDecisionBytes)
        return decisionError("decision.invalid", QStringLiteral("reason: the signed decision would be %1 bytes, "
                                                                "more than the %2 allowed")
                                                     .arg(token.size())
                                                     .arg(kMaxDecisionBytes));
    return token;
}

namespace {

Result<DecisionClaims> verifiedClaims(const crypto::ParsedJws &jws, const crypto::Ed25519PublicKey &key)
{
    auto payload = crypto::verifyStatement(jws, key, payloadLimits(), QStringLiteral("decision"));
    if (!payload)
        return payload.error();
    auto claims = readClaims(payload.value(), QStringLiteral("decision.malformed"));
    if (!claims)
        return claims.error();
    // verifyStatement() checked that the header's kid is the key's thumbprint; the claims must
    // name the same key.
    const QString thumbprint = jws.header().value(QStringLiteral("kid")).toString();
    if (claims.value().keyId != thumbprint)
        return decisionError("decision.key_mismatch",
                             QStringLiteral("kid: must be %1, the thumbprint of the verifying key").arg(thumbprint));
    return claims;
}

} // namespace

Result<DecisionClaims> verifyDecision(QByteArrayView compactJws, const crypto::Ed25519PublicKey &key)
{
    auto parsed = crypto::parseCompact(compactJws, kMaxDecisionBytes);
    if (!parsed)
        return parsed.error();
    return verifiedClaims(parsed.value(), key);
}

Result<DecisionClaims> verifyDecision(const crypto::ParsedStatement &parsed, const crypto::Ed25519PublicKey &key)
{
    return verifiedClaims(parsed.jws, key);
}

Result<crypto::ParsedStatement> parseDecision(QByteArrayView compactJws)
{
    return crypto::parseStatement(compactJws, kMaxDecisionBytes, QStringLiteral("decision"));
}

Result<QString> decisionKeyId(QByteArrayView compactJws)
{
    return crypto::statementKeyId(compactJws, kMaxDecisionBytes, QStringLiteral("decision"));
}

} // namespace countersign::decision
