// Signed decisions: the exact canonical payload and header, the round trip, and the tokens and
// claims that must be refused (tampering, another key, unknown members, wrong typ, bad claims).
#include "core/Clock.h"
#include "core/crypto/Base64Url.h"
#include "core/crypto/Jwk.h"
#include "core/crypto/Jws.h"
#include "core/decision/SignedDecision.h"
#include "core/json/Json.h"

#include <QJsonObject>
#include <QSet>
#include <QTest>

using namespace countersign;
using namespace countersign::crypto;
using namespace countersign::decision;

namespace {

// RFC 8032 section 7.1 TEST 1 (also RFC 8037 A.1), whose RFC 7638 thumbprint is RFC 8037 A.3's.
const char kRfcSeedHex[] = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
const char kRfcThumbprint[] = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k";
const char kDigest[] = "c204546ae1bf215b4ca7172928fd8bb605d58957ab6eb85bdf4e736f18f42e13";

Ed25519PrivateKey rfcKey()
{
    return Ed25519PrivateKey::fromSeed(SecureBuffer(QByteArray::fromHex(kRfcSeedHex))).value();
}

Ed25519PrivateKey freshKey()
{
    return Ed25519PrivateKey::generate().value();
}

DecisionClaims sampleClaims(protocol::Verdict verdict = protocol::Verdict::Approve)
{
    DecisionClaims claims;
    claims.actionId = QStringLiteral("act-0123456789abcdef");
    claims.actionDigest = kDigest;
    claims.verdict = verdict;
    claims.reason = QStringLiteral("Vérifié avec Müller — 東京 ✓");
    claims.reviewer = QStringLiteral("alice@example.com");
    claims.gatewayId = QStringLiteral("gw-eu-1");
    claims.policyVersion = QStringLiteral("2026.11.3");
    return claims;
}

// A token with exactly the header and payload bytes given, validly signed by key: for contents
// signDecision() would never write.
QByteArray craft(const QByteArray &headerJson, const QByteArray &payload, const Ed25519PrivateKey &key)
{
    const QByteArray input = base64UrlEncode(headerJson) + '.' + base64UrlEncode(payload);
    return input + '.' + base64UrlEncode(key.sign(input));
}

QByteArray headerFor(const Ed25519PrivateKey &key)
{
    return json::canonicalize(QJsonObject{{QStringLiteral("alg"), QStringLiteral("EdDSA")},
                                          {QStringLiteral("kid"), QString::fromLatin1(jwkThumbprint(key.publicKey()))},
                                          {QStringLiteral("typ"), QStringLiteral("JOSE")}});
}

QByteArray part(const QByteArray &token, int index)
{
    return base64UrlDecode(token.split('.').value(index)).value();
}

QJsonObject payloadObject(const QByteArray &token)
{
    return json::parse(part(token, 1)).value().toObject();
}

template<typename T>
QString describe(const Result<T> &result)
{
    return result ? QStringLiteral("(ok)") : result.error().toString();
}

} // namespace

class TestSignedDecision final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void canonicalPayloadForFixedClaims();
    void headerSaysEdDSA();
    void roundTrip_data();
    void roundTrip();
    void algEd25519Accepted();
    void callerNonceKept();
    void iatIsIntegerSecondsFromClock();
    void jtiUniqueAcross1000Signings();
    void invalidClaimsRefusedAtSigning_data();
    void invalidClaimsRefusedAtSigning();
    void keyIdOfAnotherKeyRefusedAtSigning();
    void tamperedTokensRefused_data();
    void tamperedTokensRefused();
    void otherKeyRefused();
    void extraMemberRefused();
    void wrongTypRefused();
    void missingMemberRefused();
    void nonCanonicalPayloadRefused();
    void kidMismatchRefused_data();
    void kidMismatchRefused();
    void malformedJwsPassesThroughJwsCodes();
    void decisionKeyIdReadsHeader();
    void decisionKeyIdRefusesBadKid();
};

void TestSignedDecision::canonicalPayloadForFixedClaims()
{
    const Ed25519PrivateKey key = rfcKey();
    QCOMPARE(jwkThumbprint(key.publicKey()), QByteArray(kRfcThumbprint));
    const ManualClock clock(QDateTime(QDate(2026, 11, 30), QTime(14, 3, 12, 123), Qt::UTC));
    DecisionClaims claims = sampleClaims();
    claims.nonce = QStringLiteral("AAECAwQFBgcICQoLDA0ODw");

    const auto token = signDecision(claims, key, clock);
    QVERIFY2(token, qPrintable(describe(token)));
    const QByteArray expected =
        R"({"actionDigest":"c204546ae1bf215b4ca7172928fd8bb605d58957ab6eb85bdf4e736f18f42e13",)"
        R"("actionId":"act-0123456789abcdef","aud":"gw-eu-1","iat":1796047392,)"
        R"("jti":"AAECAwQFBgcICQoLDA0ODw","kid":"kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k",)"
        R"("policyVersion":"2026.11.3","reason":"Vérifié avec Müller — 東京 ✓","sub":"alice@example.com",)"
        R"("typ":"countersign-decision+v1","verdict":"approve"})";
    QCOMPARE(part(token.value(), 1), expected);
    QCOMPARE(part(token.value(), 0),
             QByteArray(R"({"alg":"EdDSA","kid":"kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k","typ":"JOSE"})"));
    // Ed25519 is deterministic: the same claims, key and clock give the same token.
    QCOMPARE(signDecision(claims, key, clock).value(), token.value());
}

void TestSignedDecision::headerSaysEdDSA()
{
    const Ed25519PrivateKey key = freshKey();
    const ManualClock clock;
    const auto token = signDecision(sampleClaims(), key, clock);
    QVERIFY2(token, qPrintable(describe(token)));
    const auto parsed = parseCompact(token.value());
    QVERIFY(parsed);
    QCOMPARE(parsed.value().header().value(QStringLiteral("alg")).toString(), QStringLiteral("EdDSA"));
    QCOMPARE(parsed.value().header().value(QStringLiteral("typ")).toString(), QStringLiteral("JOSE"));
    QCOMPARE(parsed.value().header().value(QStringLiteral("kid")).toString(),
             QString::fromLatin1(jwkThumbprint(key.publicKey())));
    QCOMPARE(part(token.value(), 0), headerFor(key));
}

void TestSignedDecision::roundTrip_data()
{
    QTest::addColumn<int>("verdict");
    QTest::addColumn<QString>("reason");
    QTest::newRow("approve with reason") << int(protocol::Verdict::Approve) << QStringLiteral("Vérifié — 東京");
    QTest::newRow("approve without reason") << int(protocol::Verdict::Approve) << QString();
    QTest::newRow("deny") << int(protocol::Verdict::Deny) << QStringLiteral("amount over the limit");
    QTest::newRow("reason of 2000 bytes") << int(protocol::Verdict::Deny) << QString(2000, QLatin1Char('x'));
}

void TestSignedDecision::roundTrip()
{
    QFETCH(int, verdict);
    QFETCH(QString, reason);
    const Ed25519PrivateKey key = freshKey();
    const ManualClock clock;
    DecisionClaims claims = sampleClaims(static_cast<protocol::Verdict>(verdict));
    claims.reason = reason;

    const auto token = signDecision(claims, key, clock);
    QVERIFY2(token, qPrintable(describe(token)));
    const auto verified = verifyDecision(token.value(), key.publicKey());
    QVERIFY2(verified, qPrintable(describe(verified)));

    const DecisionClaims &got = verified.value();
    QCOMPARE(got.actionId, claims.actionId);
    QCOMPARE(got.actionDigest, claims.actionDigest);
    QCOMPARE(got.verdict, claims.verdict);
    QCOMPARE(got.reason, claims.reason);
    QCOMPARE(got.reviewer, claims.reviewer);
    QCOMPARE(got.keyId, QString::fromLatin1(jwkThumbprint(key.publicKey())));
    QCOMPARE(got.issuedAt, clock.nowUtc());
    QCOMPARE(got.issuedAt.timeSpec(), Qt::UTC);
    QCOMPARE(got.nonce.size(), 22);
    QCOMPARE(base64UrlDecode(got.nonce.toLatin1()).value().size(), kNonceBytes);
    QCOMPARE(got.gatewayId, claims.gatewayId);
    QCOMPARE(got.policyVersion, claims.policyVersion);
}

void TestSignedDecision::algEd25519Accepted()
{
    const Ed25519PrivateKey key = freshKey();
    const ManualClock clock;
    const auto token = signDecision(sampleClaims(), key, clock);
    QVERIFY(token);
    const QByteArray header = json::canonicalize(
        QJsonObject{{QStringLiteral("alg"), QStringLiteral("Ed25519")},
                    {QStringLiteral("kid"), QString::fromLatin1(jwkThumbprint(key.publicKey()))}});
    const auto verified = verifyDecision(craft(header, part(token.value(), 1), key), key.publicKey());
    QVERIFY2(verified, qPrintable(describe(verified)));
    QCOMPARE(verified.value().actionId, sampleClaims().actionId);
}

void TestSignedDecision::callerNonceKept()
{
    const Ed25519PrivateKey key = freshKey();
    const ManualClock clock;
    DecisionClaims claims = sampleClaims();
    claims.nonce = QStringLiteral("_____________________w");
    const auto token = signDecision(claims, key, clock);
    QVERIFY2(token, qPrintable(describe(token)));
    QCOMPARE(verifyDecision(token.value(), key.publicKey()).value().nonce, claims.nonce);
}

void TestSignedDecision::iatIsIntegerSecondsFromClock()
{
    const Ed25519PrivateKey key = freshKey();
    ManualClock clock(QDateTime(QDate(2026, 3, 1), QTime(9, 30, 15, 999), Qt::UTC));
    DecisionClaims claims = sampleClaims();
    claims.issuedAt = QDateTime(QDate(2001, 1, 1), QTime(0, 0), Qt::UTC); // ignored: the clock decides
    const auto token = signDecision(claims, key, clock);
    QVERIFY2(token, qPrintable(describe(token)));

    const qint64 expected = QDateTime(QDate(2026, 3, 1), QTime(9, 30, 15), Qt::UTC).toSecsSinceEpoch();
    QVERIFY(part(token.value(), 1).contains(QByteArray("\"iat\":" + QByteArray::number(expected) + ',')));
    const QJsonValue iat = payloadObject(token.value()).value(QStringLiteral("iat"));
    QVERIFY(iat.isDouble());
    QCOMPARE(iat.toDouble(), static_cast<double>(expected));
    const auto verified = verifyDecision(token.value(), key.publicKey());
    QVERIFY(verified);
    QCOMPARE(verified.value().issuedAt, QDateTime(QDate(2026, 3, 1), QTime(9, 30, 15), Qt::UTC));

    clock.advanceMs(60'000);
    const auto later = signDecision(claims, key, clock);
    QVERIFY(later);
    QCOMPARE(verifyDecision(later.value(), key.publicKey()).value().issuedAt.toSecsSinceEpoch(), expected + 60);
}

void TestSignedDecision::jtiUniqueAcross1000Signings()
{
    const Ed25519PrivateKey key = freshKey();
    const ManualClock clock;
    QSet<QString> nonces;
    QSet<QByteArray> tokens;
    for (int i = 0; i < 1000; ++i) {
        const auto token = signDecision(sampleClaims(), key, clock);
        QVERIFY(token);
        const QString jti = payloadObject(token.value()).value(QStringLiteral("jti")).toString();
        QCOMPARE(jti.size(), 22);
        nonces.insert(jti);
        tokens.insert(token.value());
    }
    QCOMPARE(nonces.size(), 1000);
    QCOMPARE(tokens.size(), 1000);
}

void TestSignedDecision::invalidClaimsRefusedAtSigning_data()
{
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("value");
    QTest::addColumn<int>("verdict");
    QTest::addColumn<QString>("path");

    const int deny = int(protocol::Verdict::Deny);
    const int approve = int(protocol::Verdict::Approve);
    QTest::newRow("deny without reason") << "reason" << QString() << deny << "reason";
    QTest::newRow("deny with blank reason") << "reason" << QStringLiteral(" \t\n ") << deny << "reason";
    QTest::newRow("reason over 2000 bytes") << "reason" << QString(1001, QChar(0x00e9)) << approve << "reason";
    QTest::newRow("digest uppercase") << "actionDigest" << QString::fromLatin1(kDigest).toUpper() << approve
                                      << "actionDigest";
    QTest::newRow("digest short") << "actionDigest" << QString::fromLatin1(kDigest).left(63) << approve
                                  << "actionDigest";
    QTest::newRow("digest not hex") << "actionDigest" << QString(64, QLatin1Char('g')) << approve << "actionDigest";
    QTest::newRow("digest empty") << "actionDigest" << QString() << approve << "actionDigest";
    QTest::newRow("action id empty") << "actionId" << QString() << approve << "actionId";
    QTest::newRow("action id with space") << "actionId" << QStringLiteral("act 1") << approve << "actionId";
    QTest::newRow("reviewer empty") << "reviewer" << QString() << approve << "sub";
    QTest::newRow("gateway empty") << "gatewayId" << QString() << approve << "aud";
    QTest::newRow("policy version empty") << "policyVersion" << QString() << approve << "policyVersion";
    QTest::newRow("nonce not base64url") << "nonce" << QStringLiteral("AAECAwQFBgcICQoLDA0OD+") << approve << "jti";
    QTest::newRow("nonce too short") << "nonce" << QStringLiteral("AAECAwQFBgcICQoLDA0O") << approve << "jti";
}

void TestSignedDecision::invalidClaimsRefusedAtSigning()
{
    QFETCH(QString, field);
    QFETCH(QString, value);
    QFETCH(int, verdict);
    QFETCH(QString, path);

    DecisionClaims claims = sampleClaims(static_cast<protocol::Verdict>(verdict));
    if (field == QLatin1String("reason"))
        claims.reason = value;
    else if (field == QLatin1String("actionDigest"))
        claims.actionDigest = value.toLatin1();
    else if (field == QLatin1String("actionId"))
        claims.actionId = value;
    else if (field == QLatin1String("reviewer"))
        claims.reviewer = value;
    else if (field == QLatin1String("gatewayId"))
        claims.gatewayId = value;
    else if (field == QLatin1String("policyVersion"))
        claims.policyVersion = value;
    else if (field == QLatin1String("nonce"))
        claims.nonce = value;
    else
        QFAIL("unknown field in test data");

    const ManualClock clock;
    const auto token = signDecision(claims, freshKey(), clock);
    QVERIFY(!token);
    QCOMPARE(token.error().code, QStringLiteral("decision.invalid"));
    QVERIFY2(token.error().message.startsWith(path + QLatin1Char(':')), qPrintable(token.error().message));
}

void TestSignedDecision::keyIdOfAnotherKeyRefusedAtSigning()
{
    const Ed25519PrivateKey key = freshKey();
    const ManualClock clock;
    DecisionClaims claims = sampleClaims();
    claims.keyId = QString::fromLatin1(jwkThumbprint(freshKey().publicKey()));
    const auto token = signDecision(claims, key, clock);
    QVERIFY(!token);
    QCOMPARE(token.error().code, QStringLiteral("decision.key_mismatch"));

    claims.keyId = QString::fromLatin1(jwkThumbprint(key.publicKey())); // its own: fine
    QVERIFY(signDecision(claims, key, clock));
}

void TestSignedDecision::tamperedTokensRefused_data()
{
    QTest::addColumn<QString>("what");
    QTest::newRow("payload verdict") << QStringLiteral("payload");
    QTest::newRow("header typ") << QStringLiteral("header");
    QTest::newRow("signature bit") << QStringLiteral("signature");
}

void TestSignedDecision::tamperedTokensRefused()
{
    QFETCH(QString, what);
    const Ed25519PrivateKey key = freshKey();
    const ManualClock clock;
    const auto signedToken = signDecision(sampleClaims(protocol::Verdict::Deny), key, clock);
    QVERIFY(signedToken);
    const QList<QByteArray> parts = signedToken.value().split('.');
    QCOMPARE(parts.size(), 3);
    QVERIFY(verifyDecision(signedToken.value(), key.publicKey()));

    QByteArray tampered;
    if (what == QLatin1String("payload")) {
        QByteArray payload = part(signedToken.value(), 1);
        QVERIFY(payload.contains(R"("verdict":"deny")"));
        payload.replace(R"("verdict":"deny")", R"("verdict":"approve")");
        tampered = parts[0] + '.' + base64UrlEncode(payload) + '.' + parts[2];
    } else if (what == QLatin1String("header")) {
        QByteArray header = part(signedToken.value(), 0);
        header.replace(R"("typ":"JOSE")", R"("typ":"JWT")");
        tampered = base64UrlEncode(header) + '.' + parts[1] + '.' + parts[2];
    } else {
        QByteArray signature = part(signedToken.value(), 2);
        signature[10] = static_cast<char>(signature[10] ^ 0x01);
        tampered = parts[0] + '.' + parts[1] + '.' + base64UrlEncode(signature);
    }
    QVERIFY(tampered != signedToken.value());
    const auto verified = verifyDecision(tampered, key.publicKey());
    QVERIFY(!verified);
    QCOMPARE(verified.error().code, QStringLiteral("decision.bad_signature"));
    // Parsed once and then verified (the audit verifier's path): the same answer.
    const auto parsed = parseDecision(tampered);
    QVERIFY(parsed);
    QCOMPARE(parsed.value().keyId, QString::fromLatin1(jwkThumbprint(key.publicKey())));
    QCOMPARE(verifyDecision(parsed.value(), key.publicKey()).error().code, QStringLiteral("decision.bad_signature"));
    QVERIFY(verifyDecision(parseDecision(signedToken.value()).value(), key.publicKey()));
}

void TestSignedDecision::otherKeyRefused()
{
    const Ed25519PrivateKey key = freshKey();
    const Ed25519PrivateKey other = freshKey();
    const ManualClock clock;
    const auto token = signDecision(sampleClaims(), key, clock);
    QVERIFY(token);
    const auto verified = verifyDecision(token.value(), other.publicKey());
    QVERIFY(!verified);
    QVERIFY2(verified.error().code == QLatin1String("decision.bad_signature")
                 || verified.error().code == QLatin1String("decision.key_mismatch"),
             qPrintable(verified.error().toString()));
}

void TestSignedDecision::extraMemberRefused()
{
    const Ed25519PrivateKey key = freshKey();
    const ManualClock clock;
    const auto token = signDecision(sampleClaims(), key, clock);
    QVERIFY(token);
    QJsonObject payload = payloadObject(token.value());
    payload.insert(QStringLiteral("exp"), 1'900'000'000);
    const auto verified = verifyDecision(craft(headerFor(key), json::canonicalize(payload), key), key.publicKey());
    QVERIFY(!verified);
    QCOMPARE(verified.error().code, QStringLiteral("decision.malformed"));
    QCOMPARE(verified.error().message, QStringLiteral("exp: unknown field"));
}

void TestSignedDecision::wrongTypRefused()
{
    const Ed25519PrivateKey key = freshKey();
    const ManualClock clock;
    const auto token = signDecision(sampleClaims(), key, clock);
    QVERIFY(token);
    for (const QJsonValue &typ : {QJsonValue(QStringLiteral("countersign-decision+v2")), QJsonValue(QStringLiteral("JWT")),
                                  QJsonValue(1), QJsonValue(QJsonValue::Undefined)}) {
        QJsonObject payload = payloadObject(token.value());
        if (typ.isUndefined())
            payload.remove(QStringLiteral("typ"));
        else
            payload.insert(QStringLiteral("typ"), typ);
        const auto verified = verifyDecision(craft(headerFor(key), json::canonicalize(payload), key), key.publicKey());
        QVERIFY(!verified);
        QCOMPARE(verified.error().code, QStringLiteral("decision.malformed"));
        QVERIFY2(verified.error().message.startsWith(QLatin1String("typ:")), qPrintable(verified.error().message));
    }

    // The header's typ, when present, must be JOSE.
    const QByteArray header = json::canonicalize(QJsonObject{{QStringLiteral("alg"), QStringLiteral("EdDSA")},
                                                             {QStringLiteral("kid"), QString::fromLatin1(jwkThumbprint(key.publicKey()))},
                                                             {QStringLiteral("typ"), QStringLiteral("JWT")}});
    const auto verified = verifyDecision(craft(header, part(token.value(), 1), key), key.publicKey());
    QVERIFY(!verified);
    QCOMPARE(verified.error().code, QStringLiteral("decision.malformed"));
    QVERIFY(verified.error().message.startsWith(QLatin1String("header.typ:")));
}

void TestSignedDecision::missingMemberRefused()
{
    const Ed25519PrivateKey key = freshKey();
    const ManualClock clock;
    const auto token = signDecision(sampleClaims(), key, clock);
    QVERIFY(token);
    for (const char *name : {"actionId", "actionDigest", "verdict", "reason", "sub", "kid", "iat", "jti", "aud",
                             "policyVersion"}) {
        QJsonObject payload = payloadObject(token.value());
        QVERIFY(payload.contains(QLatin1String(name)));
        payload.remove(QLatin1String(name));
        const auto verified = verifyDecision(craft(headerFor(key), json::canonicalize(payload), key), key.publicKey());
        QVERIFY(!verified);
        QCOMPARE(verified.error().code, QStringLiteral("decision.malformed"));
        QCOMPARE(verified.error().message, QLatin1String(name) + QStringLiteral(": missing"));
    }

    // Wrong types and values are named by path too.
    QJsonObject payload = payloadObject(token.value());
    payload.insert(QStringLiteral("iat"), 1.5);
    auto verified = verifyDecision(craft(headerFor(key), json::canonicalize(payload), key), key.publicKey());
    QVERIFY(!verified);
    QCOMPARE(verified.error().message, QStringLiteral("iat: must be an integer"));
    payload = payloadObject(token.value());
    payload.insert(QStringLiteral("verdict"), QStringLiteral("maybe"));
    verified = verifyDecision(craft(headerFor(key), json::canonicalize(payload), key), key.publicKey());
    QVERIFY(!verified);
    QVERIFY(verified.error().message.startsWith(QLatin1String("verdict:")));
}

void TestSignedDecision::nonCanonicalPayloadRefused()
{
    const Ed25519PrivateKey key = freshKey();
    const ManualClock clock;
    const auto token = signDecision(sampleClaims(), key, clock);
    QVERIFY(token);
    const QByteArray canonical = part(token.value(), 1);

    const QByteArray spaced = QByteArray(canonical).replace(",\"aud\"", ", \"aud\"");
    QVERIFY(spaced != canonical);
    auto verified = verifyDecision(craft(headerFor(key), spaced, key), key.publicKey());
    QVERIFY(!verified);
    QCOMPARE(verified.error().code, QStringLiteral("decision.malformed"));

    // Duplicate members, an array, and trailing bytes are refused by the strict parser.
    for (const QByteArray &bad : {QByteArray(canonical).replace("{", R"({"aud":"x",)"), QByteArray("[]"),
                                  QByteArray(canonical + "x")}) {
        verified = verifyDecision(craft(headerFor(key), bad, key), key.publicKey());
        QVERIFY(!verified);
        QCOMPARE(verified.error().code, QStringLiteral("decision.malformed"));
    }
}

void TestSignedDecision::kidMismatchRefused_data()
{
    QTest::addColumn<QString>("where");
    QTest::newRow("header kid of another key") << QStringLiteral("header");
    QTest::newRow("header kid missing") << QStringLiteral("header-missing");
    QTest::newRow("payload kid of another key") << QStringLiteral("payload");
}

void TestSignedDecision::kidMismatchRefused()
{
    QFETCH(QString, where);
    // The token is validly signed by key; only the kid disagrees with it.
    const Ed25519PrivateKey key = freshKey();
    const QString otherKid = QString::fromLatin1(jwkThumbprint(freshKey().publicKey()));
    const ManualClock clock;
    const auto token = signDecision(sampleClaims(), key, clock);
    QVERIFY(token);
    QByteArray header = headerFor(key);
    QJsonObject payload = payloadObject(token.value());
    if (where == QLatin1String("header"))
        header = json::canonicalize(QJsonObject{{QStringLiteral("alg"), QStringLiteral("EdDSA")},
                                                {QStringLiteral("kid"), otherKid}});
    else if (where == QLatin1String("header-missing"))
        header = R"({"alg":"EdDSA"})";
    else
        payload.insert(QStringLiteral("kid"), otherKid);
    const QByteArray crafted = craft(header, json::canonicalize(payload), key);
    const auto verified = verifyDecision(crafted, key.publicKey());
    QVERIFY(!verified);
    QCOMPARE(verified.error().code, QStringLiteral("decision.key_mismatch"));
    if (const auto parsed = parseDecision(crafted); parsed) // a missing kid is refused by the parse itself
        QCOMPARE(verifyDecision(parsed.value(), key.publicKey()).error().code, QStringLiteral("decision.key_mismatch"));
    else
        QCOMPARE(parsed.error().code, QStringLiteral("decision.malformed"));
}

void TestSignedDecision::malformedJwsPassesThroughJwsCodes()
{
    const Ed25519PrivateKey key = freshKey();
    const ManualClock clock;
    const auto token = signDecision(sampleClaims(), key, clock);
    QVERIFY(token);
    QCOMPARE(verifyDecision("a.b", key.publicKey()).error().code, QStringLiteral("jws.malformed"));
    QCOMPARE(verifyDecision(QByteArray(token.value() + "="), key.publicKey()).error().code, QStringLiteral("jws.bad_base64"));
    QCOMPARE(verifyDecision(QByteArray(kMaxDecisionBytes + 1, 'a'), key.publicKey()).error().code,
             QStringLiteral("jws.too_large"));
    const QByteArray none = QByteArray(base64UrlEncode(R"({"alg":"none"})") + '.' + token.value().split('.')[1] + '.');
    QCOMPARE(verifyDecision(none, key.publicKey()).error().code, QStringLiteral("jws.unsupported_alg"));
}

void TestSignedDecision::decisionKeyIdReadsHeader()
{
    const Ed25519PrivateKey key = freshKey();
    const ManualClock clock;
    const auto token = signDecision(sampleClaims(), key, clock);
    QVERIFY(token);
    const auto kid = decisionKeyId(token.value());
    QVERIFY2(kid, qPrintable(describe(kid)));
    QCOMPARE(kid.value(), QString::fromLatin1(jwkThumbprint(key.publicKey())));
}

void TestSignedDecision::decisionKeyIdRefusesBadKid()
{
    const Ed25519PrivateKey key = freshKey();
    const QByteArray payload = "{}";
    for (const QByteArray &header : {QByteArray(R"({"alg":"EdDSA"})"), QByteArray(R"({"alg":"EdDSA","kid":7})"),
                                     QByteArray(R"({"alg":"EdDSA","kid":"reviewer-1"})"),
                                     QByteArray(R"({"alg":"EdDSA","kid":"kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4l"})")}) {
        const auto kid = decisionKeyId(craft(header, payload, key));
        QVERIFY2(!kid, header.constData());
        QCOMPARE(kid.error().code, QStringLiteral("decision.malformed"));
    }
    QCOMPARE(decisionKeyId("not a token").error().code, QStringLiteral("jws.malformed"));
}

QTEST_GUILESS_MAIN(TestSignedDecision)
#include "test_signed_decision.moc"
