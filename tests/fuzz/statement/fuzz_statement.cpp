// libFuzzer target for the claims of signed statements. The input is used as the payload of a
// validly signed EdDSA JWS, so the fuzzer reaches what only runs after a signature holds: the
// strict readers of decision and sign-in claims, of identity tokens (an application's user
// assertion, the gateway's delegation token with its RFC 8693 act chain) and of Judges' signed
// verdicts. Neither may crash, and whatever they accept
// must be the one canonical spelling of its claims: signing the claims again, at the same
// time, gives back the same payload (the signature itself is deterministic in Ed25519).
#include "core/Clock.h"
#include "core/auth/SignIn.h"
#include "core/crypto/Ed25519.h"
#include "core/crypto/Jwk.h"
#include "core/crypto/Jws.h"
#include "core/decision/SignedDecision.h"
#include "core/identity/Delegation.h"
#include "core/identity/IdentityToken.h"
#include "core/json/Json.h"
#include "core/judge/SignedVerdict.h"
#include "core/policy/Policy.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include <QJsonArray>
#include <QJsonObject>

namespace {

countersign::crypto::Ed25519PrivateKey keyFromSeed(const char *hex)
{
    const QByteArray seed = QByteArray::fromHex(hex);
    countersign::crypto::SecureBuffer buffer(seed.size());
    std::copy(seed.cbegin(), seed.cend(), buffer.data());
    return countersign::crypto::Ed25519PrivateKey::fromSeed(buffer).value();
}

// RFC 8032 TEST 1, 2 and 3: fixed, so corpus entries replay identically. The first signs as
// the reviewer and as the gateway, the second as the application, the third as the Judge.
const countersign::crypto::Ed25519PrivateKey &fixedKey()
{
    static const auto key = keyFromSeed("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
    return key;
}

const countersign::crypto::Ed25519PrivateKey &applicationKey()
{
    static const auto key = keyFromSeed("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb");
    return key;
}

const countersign::crypto::Ed25519PrivateKey &judgeKey()
{
    static const auto key = keyFromSeed("c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7");
    return key;
}

// The corpus's tokens are issued around 2026-11-30T14:03:00Z.
const QDateTime kNow = QDateTime::fromSecsSinceEpoch(1'796'047'380, Qt::UTC);

const countersign::Policy &fixedPolicy()
{
    using namespace countersign;
    static const Policy policy = [] {
        const QJsonObject document{
            {QStringLiteral("version"), QStringLiteral("fuzz")},
            {QStringLiteral("reviewers"), QJsonArray{}},
            {QStringLiteral("agents"), QJsonArray{}},
            {QStringLiteral("applications"),
             QJsonArray{QJsonObject{{QStringLiteral("id"), QStringLiteral("finance-portal")},
                                    {QStringLiteral("key"), crypto::publicKeyToJwk(applicationKey().publicKey())}}}},
            {QStringLiteral("judges"),
             QJsonArray{QJsonObject{{QStringLiteral("id"), QStringLiteral("judge-guard")},
                                    {QStringLiteral("key"), crypto::publicKeyToJwk(judgeKey().publicKey())}}}},
            {QStringLiteral("rules"), QJsonArray{}}};
        return Policy::fromJson(json::canonicalize(document)).value();
    }();
    return policy;
}

QByteArray payloadOf(const QByteArray &token)
{
    const auto parsed = countersign::crypto::parseCompact(token, countersign::decision::kMaxDecisionBytes);
    return parsed ? parsed.value().payload() : QByteArray();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    using namespace countersign;
    if (size > 8192)
        return 0;
    const QByteArray payload(reinterpret_cast<const char *>(data), qsizetype(size));
    const crypto::Ed25519PrivateKey &key = fixedKey();
    const QJsonObject header{{QStringLiteral("kid"), QString::fromLatin1(crypto::jwkThumbprint(key.publicKey()))},
                             {QStringLiteral("typ"), QStringLiteral("JOSE")}};
    const QByteArray token = crypto::signCompact(header, payload, key);
    if (token.isEmpty())
        return 0;

    if (const auto claims = decision::verifyDecision(token, key.publicKey())) {
        const ManualClock at(claims.value().issuedAt);
        const auto again = decision::signDecision(claims.value(), key, at);
        if (!again || payloadOf(again.value()) != payload)
            std::abort();
    }
    if (const auto claims = auth::verifySignIn(token, key.publicKey())) {
        const ManualClock at(claims.value().issuedAt);
        const auto again = auth::signSignIn(claims.value(), key, at);
        if (!again || payloadOf(again.value()) != payload)
            std::abort();
    }

    // The same payload as a delegation token (signed by the gateway's key), a user assertion
    // (by the application's) and a verdict (by the Judge's). What is accepted must stay within
    // the chain's limits and say it was verified.
    const crypto::Ed25519PublicKey gatewayPublic = key.publicKey();
    const identity::IdentityTrust trust{&fixedPolicy(), &gatewayPublic,
                                        QString::fromLatin1(crypto::jwkThumbprint(gatewayPublic)), QStringLiteral("gw-fuzz")};
    for (const crypto::Ed25519PrivateKey *signer : {&key, &applicationKey()}) {
        const QByteArray identityToken = crypto::signCompact(
            QJsonObject{{QStringLiteral("kid"), QString::fromLatin1(crypto::jwkThumbprint(signer->publicKey()))},
                        {QStringLiteral("typ"), QStringLiteral("JOSE")}},
            payload, *signer);
        if (const auto identity = identity::verifyIdentityToken(identityToken, trust, QStringLiteral("agent-a"), kNow)) {
            if (!identity.value().user.verified || !identity.value().application.verified
                || identity.value().delegators.size() > ActionLimits::maxAgents - 1)
                std::abort();
        }
    }
    const QByteArray verdictToken = crypto::signCompact(
        QJsonObject{{QStringLiteral("kid"), QString::fromLatin1(crypto::jwkThumbprint(judgeKey().publicKey()))},
                    {QStringLiteral("typ"), QStringLiteral("JOSE")}},
        payload, judgeKey());
    const QByteArray call = judge::callDigest(QStringLiteral("payments"), QStringLiteral("transfer"), {});
    if (const auto verdict = judge::verifyVerdict(verdictToken, fixedPolicy(), QStringLiteral("gw-fuzz"), call, kNow)) {
        if (!verdict.value().verified || verdict.value().score < 0.0 || verdict.value().score > 1.0)
            std::abort();
    }

    // And as bare claims for the RFC 8693 walker.
    json::Limits limits;
    limits.maxBytes = 8192;
    if (const auto parsed = json::parse(payload, limits); parsed && parsed.value().isObject()) {
        if (const auto delegation = identity::parseDelegation(parsed.value().toObject(), 8);
            delegation && delegation.value().actors.size() > 8)
            std::abort();
    }
    return 0;
}
