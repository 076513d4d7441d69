// Signed Judge verdicts: signing and checking.
#include "core/judge/SignedVerdict.h"

#include "core/crypto/Digest.h"
#include "core/crypto/SignedStatement.h"
#include "core/identity/IdentityToken.h"
#include "core/json/FieldReader.h"
#include "core/json/Json.h"
#include "core/policy/Policy.h"

namespace countersign::judge {

namespace {

const QString kCode = QStringLiteral("judge.invalid_verdict");

Error invalid(const QString &message)
{
    return makeError(kCode, message);
}

} // namespace

QByteArray callDigest(const QString &tool, const QString &operation, const QJsonObject &parameters)
{
    const QJsonObject call{{QStringLiteral("tool"), tool},
                           {QStringLiteral("operation"), operation},
                           {QStringLiteral("parameters"), parameters}};
    return crypto::sha256Hex(json::canonicalize(call));
}

QByteArray signVerdict(const VerdictStatement &statement, const crypto::Ed25519PrivateKey &judgeKey)
{
    const JudgeVerdict &v = statement.verdict;
    const QJsonObject claims{
        {QStringLiteral("typ"), QString::fromLatin1(kVerdictType)},
        {QStringLiteral("iss"), v.judgeId},
        {QStringLiteral("aud"), statement.gatewayId},
        {QStringLiteral("call"), QString::fromLatin1(statement.callDigest)},
        {QStringLiteral("verdict"), v.verdict == JudgeOutcome::Flag ? QStringLiteral("flag") : QStringLiteral("pass")},
        {QStringLiteral("category"), v.category},
        {QStringLiteral("score"), v.score},
        {QStringLiteral("rationale"), v.rationale},
        {QStringLiteral("iat"), statement.issuedAt.toSecsSinceEpoch()},
        {QStringLiteral("exp"), statement.expiresAt.toSecsSinceEpoch()},
    };
    return crypto::signStatement(claims, judgeKey);
}

Result<JudgeVerdict> verifyVerdict(QByteArrayView token, const Policy &policy, const QString &gatewayId,
                                   const QByteArray &call, const QDateTime &now)
{
    const QString kind = QStringLiteral("verdict");
    auto keyId = crypto::statementKeyId(token, kMaxVerdictTokenBytes, kind);
    if (!keyId)
        return invalid(keyId.error().message);
    const PolicySigner *judge = policy.judgeForKeyId(keyId.value());
    if (!judge)
        return invalid(QStringLiteral("signed by a key no enrolled Judge holds"));
    if (judge->revokedAt.isValid())
        return invalid(QStringLiteral("signed by the Judge \"%1\", whose key is revoked").arg(judge->id));
    json::Limits limits;
    limits.maxBytes = kMaxVerdictTokenBytes;
    limits.maxDepth = 2;
    auto claims = crypto::verifyStatement(token, *judge->key, kMaxVerdictTokenBytes, limits, kind);
    if (!claims)
        return invalid(claims.error().message);

    json::FieldReader reader(kCode);
    const QJsonObject &c = claims.value();
    reader.onlyKnownMembers(c, {},
                            {QStringLiteral("typ"), QStringLiteral("iss"), QStringLiteral("aud"), QStringLiteral("call"),
                             QStringLiteral("verdict"), QStringLiteral("category"), QStringLiteral("score"),
                             QStringLiteral("rationale"), QStringLiteral("iat"), QStringLiteral("exp")});
    if (reader.string(c, {}, QStringLiteral("typ"), 64) != QLatin1String(kVerdictType) && !reader.failed())
        reader.fail(QStringLiteral("typ"), QStringLiteral("must be \"%1\"").arg(QLatin1String(kVerdictType)));
    if (reader.string(c, {}, QStringLiteral("iss"), 256) != judge->id && !reader.failed())
        reader.fail(QStringLiteral("iss"), QStringLiteral("is not the Judge whose key signed it"));
    if (reader.string(c, {}, QStringLiteral("aud"), 256) != gatewayId && !reader.failed())
        reader.fail(QStringLiteral("aud"), QStringLiteral("names another gateway"));
    if (reader.string(c, {}, QStringLiteral("call"), 64) != QString::fromLatin1(call) && !reader.failed())
        reader.fail(QStringLiteral("call"), QStringLiteral("the verdict is about another tool call"));
    JudgeVerdict verdict;
    verdict.judgeId = judge->id;
    const QString outcome = reader.string(c, {}, QStringLiteral("verdict"), 16);
    if (outcome == QLatin1String("flag"))
        verdict.verdict = JudgeOutcome::Flag;
    else if (outcome != QLatin1String("pass") && !reader.failed())
        reader.fail(QStringLiteral("verdict"), QStringLiteral("must be \"pass\" or \"flag\""));
    verdict.category = reader.string(c, {}, QStringLiteral("category"), ActionLimits::maxNameBytes, true);
    verdict.score = reader.number(c, {}, QStringLiteral("score"), 0.0, 1.0);
    verdict.rationale = reader.string(c, {}, QStringLiteral("rationale"), ActionLimits::maxTextBytes, true);
    const qint64 iat = reader.integer(c, {}, QStringLiteral("iat"), 0, qint64{1} << 40);
    const qint64 exp = reader.integer(c, {}, QStringLiteral("exp"), 0, qint64{1} << 40);
    if (reader.failed())
        return reader.error();
    if (Status alive = identity::checkLifetime(iat, exp, now, kMaxVerdictSeconds, kCode); !alive)
        return alive.error();
    verdict.verified = true;
    return verdict;
}

} // namespace countersign::judge
