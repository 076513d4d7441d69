// Base64url, Ed25519 JWKs and compact JWS (EdDSA) against RFC 4648, RFC 7638, RFC 8037 and the
// project's derived decision example, and the deliberately broken tokens the parser must refuse.
#include "core/crypto/Base64Url.h"
#include "core/crypto/Digest.h"
#include "core/crypto/Jwk.h"
#include "core/crypto/Jws.h"
#include "core/json/Json.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace countersign;
using namespace countersign::crypto;

namespace {

QJsonObject rfcVectors()
{
    QFile file(QStringLiteral(COUNTERSIGN_TEST_DATA "/ed25519/rfc8032_rfc8037_vectors.json"));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    const auto parsed = json::parse(file.readAll());
    return parsed ? parsed.value().toObject() : QJsonObject();
}

QJsonObject rfc8037()
{
    return rfcVectors().value(QStringLiteral("rfc8037")).toObject();
}

QByteArray field(const QJsonObject &object, const char *name)
{
    return object.value(QLatin1String(name)).toString().toUtf8();
}

// RFC 8037 A.1: the same key as RFC 8032 TEST 1.
Ed25519PrivateKey rfcKey()
{
    const QByteArray d = base64UrlDecode(field(rfc8037().value(QStringLiteral("A.1_privateJwk")).toObject(), "d")).value();
    return Ed25519PrivateKey::fromSeed(SecureBuffer(d)).value();
}

// A token with exactly the header bytes given, for headers signCompact() would never write.
QByteArray craft(const QByteArray &headerJson, const QByteArray &payload, const Ed25519PrivateKey &key)
{
    const QByteArray input = base64UrlEncode(headerJson) + '.' + base64UrlEncode(payload);
    return input + '.' + base64UrlEncode(key.sign(input));
}

QString errorText(const Result<ParsedJws> &result)
{
    return result ? QStringLiteral("(parsed)") : result.error().toString();
}

} // namespace

class TestJws final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void base64UrlRfc4648_data();
    void base64UrlRfc4648();
    void base64UrlAllByteValuesRoundTrip();
    void base64UrlRefusals_data();
    void base64UrlRefusals();

    void rfc8037PublicJwk();
    void rfc7638Thumbprint();
    void jwkAcceptsOptionalMembers_data();
    void jwkAcceptsOptionalMembers();
    void jwkRefusals_data();
    void jwkRefusals();

    void rfc8037A4Reproduces();
    void rfc8037A4Verifies();
    void derivedDecisionJws();
    void signCompactWritesCanonicalHeader();
    void signCompactRefusesHeadersTheParserRefuses();
    void algEd25519Accepted();
    void emptyPayloadAllowed();
    void tamperedTokensRefused_data();
    void tamperedTokensRefused();
    void malformedTokensRefused_data();
    void malformedTokensRefused();
    void errorsNameThePartAndOffset();
    void sizeLimitIsExact();
};

void TestJws::base64UrlRfc4648_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QByteArray>("text");

    // RFC 4648 section 10, without the padding section 5 lets JOSE drop.
    QTest::newRow("empty") << QByteArray() << QByteArray();
    QTest::newRow("f") << QByteArray("f") << QByteArray("Zg");
    QTest::newRow("fo") << QByteArray("fo") << QByteArray("Zm8");
    QTest::newRow("foo") << QByteArray("foo") << QByteArray("Zm9v");
    QTest::newRow("foob") << QByteArray("foob") << QByteArray("Zm9vYg");
    QTest::newRow("fooba") << QByteArray("fooba") << QByteArray("Zm9vYmE");
    QTest::newRow("foobar") << QByteArray("foobar") << QByteArray("Zm9vYmFy");
    // The two characters that differ from standard base64 ('+' and '/').
    QTest::newRow("url alphabet") << QByteArray::fromHex("fbff") << QByteArray("-_8");
    QTest::newRow("all ones") << QByteArray::fromHex("ffffff") << QByteArray("____");
    QTest::newRow("62 and 63") << QByteArray::fromHex("fbefbe") << QByteArray("----");
}

void TestJws::base64UrlRfc4648()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QByteArray, text);
    QCOMPARE(base64UrlEncode(bytes), text);
    const auto decoded = base64UrlDecode(text);
    QVERIFY2(decoded, qPrintable(decoded ? QString() : decoded.error().toString()));
    QCOMPARE(decoded.value(), bytes);
}

void TestJws::base64UrlAllByteValuesRoundTrip()
{
    QByteArray all;
    for (int i = 0; i < 256; ++i)
        all.append(static_cast<char>(i));
    for (qsizetype length = 0; length <= all.size(); ++length) {
        const QByteArray bytes = all.left(length);
        const QByteArray text = base64UrlEncode(bytes);
        QVERIFY(!text.contains('=') && !text.contains('+') && !text.contains('/'));
        const auto decoded = base64UrlDecode(text);
        QVERIFY2(decoded, qPrintable(QString::number(length)));
        QCOMPARE(decoded.value(), bytes);
    }
}

void TestJws::base64UrlRefusals_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<int>("offset");

    QTest::newRow("padding ==") << QByteArray("Zg==") << 2;
    QTest::newRow("padding =") << QByteArray("Zm8=") << 3;
    QTest::newRow("full-group padding") << QByteArray("Zm9v====") << 4;
    QTest::newRow("plus") << QByteArray("+_8") << 0;
    QTest::newRow("slash") << QByteArray("-/8") << 1;
    QTest::newRow("space") << QByteArray("Zm9v Yg") << 4;
    QTest::newRow("newline") << QByteArray("Zm9v\nYmFy") << 4;
    QTest::newRow("trailing newline") << QByteArray("Zm9v\n") << 4;
    QTest::newRow("tab") << QByteArray("\tZm9v") << 0;
    QTest::newRow("NUL") << QByteArray("Zm\0v", 4) << 2;
    QTest::newRow("non-ASCII") << QByteArray("Zm9\xc3\xa9") << 3;
    QTest::newRow("4n+1 length") << QByteArray("Zm9vY") << 4;
    QTest::newRow("single char") << QByteArray("Z") << 0;
    // "Zh" and "Zg" both decode to "f" by a lenient decoder; only "Zg" has zero trailing bits.
    QTest::newRow("non-canonical 4 bits") << QByteArray("Zh") << 1;
    QTest::newRow("non-canonical 2 bits") << QByteArray("Zm9") << 2;
    QTest::newRow("non-canonical last of many") << QByteArray("Zm9vYh") << 5;
}

void TestJws::base64UrlRefusals()
{
    QFETCH(QByteArray, text);
    QFETCH(int, offset);
    const auto decoded = base64UrlDecode(text);
    QVERIFY(!decoded);
    QCOMPARE(decoded.error().code, QStringLiteral("base64url.invalid"));
    QVERIFY2(decoded.error().message.startsWith(QStringLiteral("byte %1:").arg(offset)),
             qPrintable(decoded.error().message));
    // The offset base is added, so a caller can report positions in a larger text.
    const auto shifted = base64UrlDecode(text, 100);
    QVERIFY(!shifted);
    QVERIFY(shifted.error().message.startsWith(QStringLiteral("byte %1:").arg(offset + 100)));
}

void TestJws::rfc8037PublicJwk()
{
    const QJsonObject vectors = rfc8037();
    const QJsonObject publicJwk = vectors.value(QStringLiteral("A.2_publicJwk")).toObject();
    const auto key = publicKeyFromJwk(publicJwk);
    QVERIFY2(key, qPrintable(key ? QString() : key.error().toString()));
    QCOMPARE(key.value().raw().toHex(), QByteArray("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"));
    QCOMPARE(publicKeyToJwk(key.value()), publicJwk);
    QVERIFY(rfcKey().publicKey() == key.value());
}

void TestJws::rfc7638Thumbprint()
{
    const QJsonObject vectors = rfc8037();
    const auto key = publicKeyFromJwk(vectors.value(QStringLiteral("A.2_publicJwk")).toObject());
    QVERIFY(key);
    QCOMPARE(jwkThumbprint(key.value()), field(vectors, "A.3_jwkThumbprintSha256B64u"));
    // The hash input itself, as RFC 8037 A.3 prints it.
    const QJsonObject required = publicKeyToJwk(key.value());
    QCOMPARE(json::canonicalize(required), field(vectors, "A.3_jwkThumbprintInput"));
    QCOMPARE(base64UrlEncode(sha256(field(vectors, "A.3_jwkThumbprintInput"))),
             field(vectors, "A.3_jwkThumbprintSha256B64u"));
}

void TestJws::jwkAcceptsOptionalMembers_data()
{
    QTest::addColumn<QByteArray>("json");
    const QByteArray x = R"("x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo")";
    QTest::newRow("kid") << QByteArray(R"({"kty":"OKP","crv":"Ed25519","kid":"alice",)" + x + "}");
    QTest::newRow("use sig") << QByteArray(R"({"kty":"OKP","crv":"Ed25519","use":"sig",)" + x + "}");
    QTest::newRow("alg EdDSA") << QByteArray(R"({"kty":"OKP","crv":"Ed25519","alg":"EdDSA",)" + x + "}");
    QTest::newRow("alg Ed25519") << QByteArray(R"({"kty":"OKP","crv":"Ed25519","alg":"Ed25519",)" + x + "}");
    QTest::newRow("key_ops verify") << QByteArray(R"({"kty":"OKP","crv":"Ed25519","key_ops":["verify"],)" + x + "}");
    QTest::newRow("unknown member ignored") << QByteArray(R"({"kty":"OKP","crv":"Ed25519","ext":true,)" + x + "}");
}

void TestJws::jwkAcceptsOptionalMembers()
{
    QFETCH(QByteArray, json);
    const auto parsed = json::parse(json);
    QVERIFY(parsed);
    const auto key = publicKeyFromJwk(parsed.value().toObject());
    QVERIFY2(key, qPrintable(key ? QString() : key.error().toString()));
    QCOMPARE(jwkThumbprint(key.value()), QByteArray("kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"));
}

void TestJws::jwkRefusals_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("mentions");
    const QByteArray x = R"("x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo")";
    const QByteArray okp = R"("kty":"OKP","crv":"Ed25519",)";

    QTest::newRow("private d (RFC 8037 A.1)")
        << QJsonDocument(rfc8037().value(QStringLiteral("A.1_privateJwk")).toObject()).toJson(QJsonDocument::Compact)
        << QStringLiteral("d:");
    QTest::newRow("d null") << QByteArray("{" + okp + R"("d":null,)" + x + "}") << QStringLiteral("d:");
    QTest::newRow("kty missing") << QByteArray(R"({"crv":"Ed25519",)" + x + "}") << QStringLiteral("kty: missing");
    QTest::newRow("kty EC") << QByteArray(R"({"kty":"EC","crv":"Ed25519",)" + x + "}") << QStringLiteral("kty:");
    QTest::newRow("kty lowercase") << QByteArray(R"({"kty":"okp","crv":"Ed25519",)" + x + "}") << QStringLiteral("kty:");
    QTest::newRow("kty number") << QByteArray(R"({"kty":1,"crv":"Ed25519",)" + x + "}") << QStringLiteral("kty:");
    QTest::newRow("crv missing") << QByteArray(R"({"kty":"OKP",)" + x + "}") << QStringLiteral("crv: missing");
    QTest::newRow("crv X25519") << QByteArray(R"({"kty":"OKP","crv":"X25519",)" + x + "}") << QStringLiteral("crv:");
    QTest::newRow("crv Ed448") << QByteArray(R"({"kty":"OKP","crv":"Ed448",)" + x + "}") << QStringLiteral("crv:");
    QTest::newRow("x missing") << QByteArray(R"({"kty":"OKP","crv":"Ed25519"})") << QStringLiteral("x: missing");
    QTest::newRow("x number") << QByteArray("{" + okp + R"("x":5})") << QStringLiteral("x:");
    QTest::newRow("x 31 bytes") << QByteArray("{" + okp + R"("x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHUQ"})")
                                << QStringLiteral("32 bytes");
    QTest::newRow("x 33 bytes") << QByteArray("{" + okp + R"("x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURoA"})")
                                << QStringLiteral("32 bytes");
    QTest::newRow("x padded") << QByteArray("{" + okp + R"("x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo="})")
                              << QStringLiteral("x:");
    QTest::newRow("x standard base64") << QByteArray("{" + okp + R"("x":"11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo"})")
                                       << QStringLiteral("x:");
    QTest::newRow("x non-canonical bits") << QByteArray("{" + okp + R"("x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURp"})")
                                          << QStringLiteral("x:");
    QTest::newRow("x non-ASCII") << QByteArray("{" + okp + "\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHUR\xc3\xa9\"}")
                                 << QStringLiteral("x:");
    // The identity point: one signature would verify for every message.
    QTest::newRow("x small order") << QByteArray("{" + okp + R"("x":"AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"})")
                                   << QStringLiteral("small order");
    QTest::newRow("use enc") << QByteArray("{" + okp + R"("use":"enc",)" + x + "}") << QStringLiteral("use:");
    QTest::newRow("alg RS256") << QByteArray("{" + okp + R"("alg":"RS256",)" + x + "}") << QStringLiteral("alg:");
    QTest::newRow("alg none") << QByteArray("{" + okp + R"("alg":"none",)" + x + "}") << QStringLiteral("alg:");
    QTest::newRow("key_ops sign only") << QByteArray("{" + okp + R"("key_ops":["sign"],)" + x + "}")
                                       << QStringLiteral("key_ops:");
    QTest::newRow("key_ops string") << QByteArray("{" + okp + R"("key_ops":"verify",)" + x + "}")
                                    << QStringLiteral("key_ops:");
}

void TestJws::jwkRefusals()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, mentions);
    const auto parsed = json::parse(json);
    QVERIFY2(parsed, json.constData());
    const auto key = publicKeyFromJwk(parsed.value().toObject());
    QVERIFY(!key);
    QCOMPARE(key.error().code, QStringLiteral("jwk.invalid"));
    QVERIFY2(key.error().message.contains(mentions), qPrintable(key.error().message));
}

void TestJws::rfc8037A4Reproduces()
{
    const QJsonObject vectors = rfc8037();
    const Ed25519PrivateKey key = rfcKey();
    const QByteArray payload = field(vectors, "A.4_payloadText");

    // Given no header members, and given only the alg, the signer writes RFC 8037's header.
    const QByteArray fromEmpty = signCompact(QJsonObject(), payload, key);
    const QByteArray fromAlg = signCompact(QJsonObject{{QStringLiteral("alg"), QStringLiteral("EdDSA")}}, payload, key);
    QCOMPARE(fromEmpty, field(vectors, "A.4_compactJws"));
    QCOMPARE(fromAlg, field(vectors, "A.4_compactJws"));
    QVERIFY(fromEmpty.startsWith(QByteArray(field(vectors, "A.4_protectedHeaderB64u") + '.')));
    QCOMPARE(base64UrlDecode(field(vectors, "A.4_protectedHeaderB64u")).value(), field(vectors, "A.4_protectedHeaderJson"));
    QCOMPARE(json::canonicalize(QJsonObject{{QStringLiteral("alg"), QStringLiteral("EdDSA")}}),
             field(vectors, "A.4_protectedHeaderJson"));
    QCOMPARE(base64UrlEncode(payload), field(vectors, "A.4_payloadB64u"));
    QCOMPARE(base64UrlEncode(key.sign(field(vectors, "A.4_signingInput"))), field(vectors, "A.4_signatureB64u"));
}

void TestJws::rfc8037A4Verifies()
{
    const QJsonObject vectors = rfc8037();
    const auto parsed = parseCompact(field(vectors, "A.4_compactJws"));
    QVERIFY2(parsed, qPrintable(errorText(parsed)));
    QCOMPARE(parsed.value().header(), QJsonObject({{QStringLiteral("alg"), QStringLiteral("EdDSA")}}));
    QCOMPARE(parsed.value().payload(), field(vectors, "A.4_payloadText"));
    QCOMPARE(parsed.value().signingInput(), field(vectors, "A.4_signingInput"));
    QCOMPARE(base64UrlEncode(parsed.value().signature()), field(vectors, "A.4_signatureB64u"));

    const auto key = publicKeyFromJwk(vectors.value(QStringLiteral("A.2_publicJwk")).toObject());
    QVERIFY(key);
    const Status verified = verify(parsed.value(), key.value());
    QVERIFY2(verified, qPrintable(verified ? QString() : verified.error().toString()));

    // RFC 8037 A.5: flipping any bit of the signature or the payload makes it invalid.
    const ParsedJws &base = parsed.value();
    for (int bit = 0; bit < 64 * 8; ++bit) {
        QByteArray signature = base.signature();
        signature[bit / 8] = static_cast<char>(signature[bit / 8] ^ (1 << (bit % 8)));
        const QByteArray tampered = base.signingInput() + '.' + base64UrlEncode(signature);
        const auto reparsed = parseCompact(tampered);
        QVERIFY(reparsed);
        QVERIFY2(!verify(reparsed.value(), key.value()), qPrintable(QStringLiteral("signature bit %1").arg(bit)));
    }
    for (int bit = 0; bit < base.payload().size() * 8; ++bit) {
        QByteArray payload = base.payload();
        payload[bit / 8] = static_cast<char>(payload[bit / 8] ^ (1 << (bit % 8)));
        const QByteArray tampered = field(vectors, "A.4_protectedHeaderB64u") + '.' + base64UrlEncode(payload) + '.'
            + field(vectors, "A.4_signatureB64u");
        const auto reparsed = parseCompact(tampered);
        QVERIFY(reparsed);
        const Status status = verify(reparsed.value(), key.value());
        QVERIFY2(!status, qPrintable(QStringLiteral("payload bit %1").arg(bit)));
        QCOMPARE(status.error().code, QStringLiteral("jws.bad_signature"));
    }
}

void TestJws::derivedDecisionJws()
{
    const QJsonObject derived = rfcVectors().value(QStringLiteral("derived_jcs_jws")).toObject();
    if (derived.isEmpty())
        QSKIP("the vectors file has no derived_jcs_jws example");

    const auto input = json::parse(field(derived, "inputDecisionJson"));
    QVERIFY(input);
    const QByteArray canonical = json::canonicalize(input.value());
    QCOMPARE(canonical, field(derived, "canonicalPayload"));
    QCOMPARE(sha256Hex(canonical), field(derived, "canonicalPayloadSha256Hex"));

    const QByteArray token = signCompact(QJsonObject(), canonical, rfcKey());
    QCOMPARE(token, field(derived, "compactJws"));

    const auto parsed = parseCompact(field(derived, "compactJws"));
    QVERIFY2(parsed, qPrintable(errorText(parsed)));
    QCOMPARE(parsed.value().payload(), canonical);
    QVERIFY(verify(parsed.value(), rfcKey().publicKey()));
}

void TestJws::signCompactWritesCanonicalHeader()
{
    const Ed25519PrivateKey key = rfcKey();
    const QJsonObject header{{QStringLiteral("typ"), QStringLiteral("countersign-decision+jws")},
                             {QStringLiteral("kid"), QStringLiteral("kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k")},
                             {QStringLiteral("alg"), QStringLiteral("none")}};
    const QByteArray token = signCompact(header, "{}", key);
    QVERIFY(!token.isEmpty());
    // Whatever the caller put in "alg", the token says what it really is.
    QCOMPARE(base64UrlDecode(token.left(token.indexOf('.'))).value(),
             QByteArray(R"({"alg":"EdDSA","kid":"kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k",)"
                        R"("typ":"countersign-decision+jws"})"));
    const auto parsed = parseCompact(token);
    QVERIFY2(parsed, qPrintable(errorText(parsed)));
    QVERIFY(verify(parsed.value(), key.publicKey()));
    QCOMPARE(parsed.value().header().value(QStringLiteral("typ")).toString(), QStringLiteral("countersign-decision+jws"));
}

void TestJws::signCompactRefusesHeadersTheParserRefuses()
{
    const Ed25519PrivateKey key = rfcKey();
    QVERIFY(signCompact(QJsonObject{{QStringLiteral("crit"), QJsonArray{QStringLiteral("exp")}},
                                    {QStringLiteral("exp"), 1}},
                        "x", key)
                .isEmpty());
    QVERIFY(signCompact(QJsonObject{{QStringLiteral("b64"), false}}, "x", key).isEmpty());
    QVERIFY(signCompact(QJsonObject{{QStringLiteral("kid"), QString(5000, QLatin1Char('k'))}}, "x", key).isEmpty());
    QVERIFY(!signCompact(QJsonObject{{QStringLiteral("b64"), true}}, "x", key).isEmpty());
}

void TestJws::algEd25519Accepted()
{
    // The fully-specified name (RFC 9864) is accepted when verifying, though never written.
    const Ed25519PrivateKey key = rfcKey();
    const QByteArray token = craft(R"({"alg":"Ed25519"})", "payload", key);
    const auto parsed = parseCompact(token);
    QVERIFY2(parsed, qPrintable(errorText(parsed)));
    QCOMPARE(parsed.value().header().value(QStringLiteral("alg")).toString(), QStringLiteral("Ed25519"));
    QVERIFY(verify(parsed.value(), key.publicKey()));

    // Whitespace and member order in a header written by someone else are fine: the signature
    // covers the bytes as received.
    const auto spaced = parseCompact(craft("{ \"typ\" : \"JWT\",\n \"alg\" : \"EdDSA\" }", "p", key));
    QVERIFY2(spaced, qPrintable(errorText(spaced)));
    QVERIFY(verify(spaced.value(), key.publicKey()));
}

void TestJws::emptyPayloadAllowed()
{
    const Ed25519PrivateKey key = rfcKey();
    const QByteArray token = signCompact(QJsonObject(), QByteArrayView(), key);
    QVERIFY(token.contains(".."));
    const auto parsed = parseCompact(token);
    QVERIFY2(parsed, qPrintable(errorText(parsed)));
    QVERIFY(parsed.value().payload().isEmpty());
    QVERIFY(verify(parsed.value(), key.publicKey()));
}

void TestJws::tamperedTokensRefused_data()
{
    QTest::addColumn<QByteArray>("token");

    const Ed25519PrivateKey key = rfcKey();
    const QByteArray good = signCompact(QJsonObject(), R"({"decision":"deny"})", key);
    const QList<QByteArray> parts = good.split('.');
    const QByteArray otherSignature = signCompact(QJsonObject(), R"({"decision":"approve"})", key).split('.').at(2);

    // Same header meaning, different bytes: the signature covers bytes, not meaning.
    QTest::newRow("header alg EdDSA -> Ed25519")
        << QByteArray(base64UrlEncode(R"({"alg":"Ed25519"})") + '.' + parts[1] + '.' + parts[2]);
    QTest::newRow("header whitespace added")
        << QByteArray(base64UrlEncode(R"({"alg": "EdDSA"})") + '.' + parts[1] + '.' + parts[2]);
    QTest::newRow("header member added")
        << QByteArray(base64UrlEncode(R"({"alg":"EdDSA","kid":"x"})") + '.' + parts[1] + '.' + parts[2]);
    QTest::newRow("payload deny -> approve")
        << QByteArray(parts[0] + '.' + base64UrlEncode(R"({"decision":"approve"})") + '.' + parts[2]);
    QTest::newRow("payload emptied") << QByteArray(parts[0] + ".." + parts[2]);
    QTest::newRow("signature from another payload") << QByteArray(parts[0] + '.' + parts[1] + '.' + otherSignature);
    QByteArray flipped = base64UrlDecode(parts[2]).value();
    flipped[10] = static_cast<char>(flipped[10] ^ 0x04);
    QTest::newRow("signature bit flipped") << QByteArray(parts[0] + '.' + parts[1] + '.' + base64UrlEncode(flipped));
    // S + L: the same signature made malleable; OpenSSL must refuse S >= L.
    QByteArray sPlusL = base64UrlDecode(parts[2]).value();
    const QByteArray order =
        QByteArray::fromHex("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010"); // L, little-endian
    int carry = 0;
    for (int i = 0; i < 32; ++i) {
        const int sum = static_cast<unsigned char>(sPlusL[32 + i]) + static_cast<unsigned char>(order[i]) + carry;
        sPlusL[32 + i] = static_cast<char>(sum & 0xFF);
        carry = sum >> 8;
    }
    QTest::newRow("signature S + L") << QByteArray(parts[0] + '.' + parts[1] + '.' + base64UrlEncode(sPlusL));
}

void TestJws::tamperedTokensRefused()
{
    QFETCH(QByteArray, token);
    const auto parsed = parseCompact(token);
    QVERIFY2(parsed, qPrintable(errorText(parsed)));
    const Status status = verify(parsed.value(), rfcKey().publicKey());
    QVERIFY(!status);
    QCOMPARE(status.error().code, QStringLiteral("jws.bad_signature"));

    // And the untouched token still verifies, so the refusal is about the tampering.
    const QByteArray good = signCompact(QJsonObject(), R"({"decision":"deny"})", rfcKey());
    QVERIFY(verify(parseCompact(good).value(), rfcKey().publicKey()));
}

void TestJws::malformedTokensRefused_data()
{
    QTest::addColumn<QByteArray>("token");
    QTest::addColumn<QString>("code");

    const Ed25519PrivateKey key = rfcKey();
    const QByteArray good = signCompact(QJsonObject(), "payload", key);
    const QList<QByteArray> parts = good.split('.');
    const QByteArray &goodSignature = parts[2];
    const QString malformed = QStringLiteral("jws.malformed");
    const QString badBase64 = QStringLiteral("jws.bad_base64");
    const QString badHeader = QStringLiteral("jws.bad_header");
    const QString unsupportedAlg = QStringLiteral("jws.unsupported_alg");
    const QString badSignature = QStringLiteral("jws.bad_signature");

    QTest::newRow("empty") << QByteArray() << malformed;
    QTest::newRow("one part") << parts[0] << malformed;
    QTest::newRow("two parts") << QByteArray(parts[0] + '.' + parts[1]) << malformed;
    QTest::newRow("four parts") << QByteArray(good + '.' + parts[2]) << malformed;
    QTest::newRow("trailing dot") << QByteArray(good + '.') << malformed;
    QTest::newRow("JWE-like five parts") << QByteArray(good + ".a.b") << malformed;
    QTest::newRow("dots only") << QByteArray("..") << badHeader;

    QTest::newRow("alg none, empty signature") << QByteArray(base64UrlEncode(R"({"alg":"none"})") + '.' + parts[1] + '.')
                                               << unsupportedAlg;
    QTest::newRow("alg none, real signature") << craft(R"({"alg":"none"})", "payload", key) << unsupportedAlg;
    QTest::newRow("alg None") << craft(R"({"alg":"None"})", "payload", key) << unsupportedAlg;
    QTest::newRow("alg eddsa lowercase") << craft(R"({"alg":"eddsa"})", "payload", key) << unsupportedAlg;
    QTest::newRow("alg HS256") << craft(R"({"alg":"HS256"})", "payload", key) << unsupportedAlg;
    QTest::newRow("alg ES256") << craft(R"({"alg":"ES256"})", "payload", key) << unsupportedAlg;
    QTest::newRow("alg Ed448") << craft(R"({"alg":"Ed448"})", "payload", key) << unsupportedAlg;
    QTest::newRow("alg number") << craft(R"({"alg":1})", "payload", key) << unsupportedAlg;
    QTest::newRow("alg array") << craft(R"({"alg":["EdDSA"]})", "payload", key) << unsupportedAlg;
    QTest::newRow("alg missing") << craft(R"({"typ":"JWT"})", "payload", key) << badHeader;
    QTest::newRow("alg twice") << craft(R"({"alg":"EdDSA","alg":"none"})", "payload", key) << badHeader;
    QTest::newRow("crit") << craft(R"({"alg":"EdDSA","crit":["exp"],"exp":1})", "payload", key)
                          << QStringLiteral("jws.crit_unsupported");
    QTest::newRow("crit empty") << craft(R"({"alg":"EdDSA","crit":[]})", "payload", key)
                                << QStringLiteral("jws.crit_unsupported");
    QTest::newRow("b64 false") << craft(R"({"alg":"EdDSA","b64":false,"crit":["b64"]})", "payload", key)
                               << QStringLiteral("jws.crit_unsupported");
    QTest::newRow("b64 false without crit") << craft(R"({"alg":"EdDSA","b64":false})", "payload", key) << badHeader;
    QTest::newRow("b64 string") << craft(R"({"alg":"EdDSA","b64":"false"})", "payload", key) << badHeader;
    QTest::newRow("header not JSON") << craft("alg=EdDSA", "payload", key) << badHeader;
    QTest::newRow("header array") << craft(R"(["EdDSA"])", "payload", key) << badHeader;
    QTest::newRow("header string") << craft(R"("EdDSA")", "payload", key) << badHeader;
    QTest::newRow("header trailing garbage") << craft(R"({"alg":"EdDSA"}x)", "payload", key) << badHeader;
    QTest::newRow("header BOM") << craft("\xef\xbb\xbf{\"alg\":\"EdDSA\"}", "payload", key) << badHeader;
    QTest::newRow("header invalid UTF-8") << craft("{\"alg\":\"EdDSA\",\"k\":\"\xff\"}", "payload", key) << badHeader;
    QTest::newRow("header too deep") << craft(R"({"alg":"EdDSA","x":[[[[[[1]]]]]]})", "payload", key) << badHeader;
    QTest::newRow("header too big") << craft(R"({"alg":"EdDSA","x":")" + QByteArray(5000, 'a') + R"("})", "p", key)
                                    << badHeader;
    QTest::newRow("empty header part") << QByteArray('.' + parts[1] + '.' + goodSignature) << badHeader;

    QTest::newRow("padding on header") << QByteArray(parts[0] + "=." + parts[1] + '.' + goodSignature) << badBase64;
    QTest::newRow("padding on signature") << QByteArray(good + "==") << badBase64;
    QTest::newRow("standard base64 signature")
        << QByteArray(parts[0] + '.' + parts[1] + '.' + base64UrlDecode(goodSignature).value().toBase64()) << badBase64;
    QTest::newRow("space in payload") << QByteArray(parts[0] + '.' + parts[1].left(3) + ' ' + parts[1].mid(3) + '.' + goodSignature)
                                      << badBase64;
    QTest::newRow("trailing newline") << QByteArray(good + '\n') << badBase64;
    QTest::newRow("leading space") << QByteArray(' ' + good) << badBase64;
    QTest::newRow("CRLF wrapped") << QByteArray(parts[0] + ".\r\n" + parts[1] + '.' + goodSignature) << badBase64;
    QTest::newRow("non-canonical signature bits") << QByteArray(good.left(good.size() - 1) + 'h') << badBase64;

    QTest::newRow("empty signature") << QByteArray(parts[0] + '.' + parts[1] + '.') << badSignature;
    QTest::newRow("signature 63 bytes")
        << QByteArray(parts[0] + '.' + parts[1] + '.' + base64UrlEncode(base64UrlDecode(goodSignature).value().left(63)))
        << badSignature;
    QTest::newRow("signature 65 bytes")
        << QByteArray(parts[0] + '.' + parts[1] + '.' + base64UrlEncode(QByteArray(base64UrlDecode(goodSignature).value() + '\0')))
        << badSignature;
    QTest::newRow("signature 128 bytes")
        << QByteArray(parts[0] + '.' + parts[1] + '.'
                      + base64UrlEncode(base64UrlDecode(goodSignature).value().repeated(2)))
        << badSignature;
    QTest::newRow("oversize") << QByteArray(parts[0] + '.' + base64UrlEncode(QByteArray(13000, 'x')) + '.' + goodSignature)
                              << QStringLiteral("jws.too_large");
}

void TestJws::malformedTokensRefused()
{
    QFETCH(QByteArray, token);
    QFETCH(QString, code);
    const auto parsed = parseCompact(token);
    QVERIFY2(!parsed, token.left(200).constData());
    QCOMPARE(parsed.error().code, code);
    QVERIFY(!parsed.error().message.isEmpty());
}

void TestJws::errorsNameThePartAndOffset()
{
    const Ed25519PrivateKey key = rfcKey();
    const QByteArray good = signCompact(QJsonObject(), "payload", key);
    const qsizetype firstDot = good.indexOf('.');
    const qsizetype secondDot = good.indexOf('.', firstDot + 1);

    QByteArray badPayload = good;
    badPayload[firstDot + 3] = '+';
    auto parsed = parseCompact(badPayload);
    QVERIFY(!parsed);
    QCOMPARE(parsed.error().code, QStringLiteral("jws.bad_base64"));
    QVERIFY2(parsed.error().message.startsWith(QStringLiteral("payload: byte %1: '+'").arg(firstDot + 3)),
             qPrintable(parsed.error().message));

    QByteArray badSignature = good;
    badSignature[secondDot + 5] = '/';
    parsed = parseCompact(badSignature);
    QVERIFY(!parsed);
    QVERIFY2(parsed.error().message.startsWith(QStringLiteral("signature: byte %1:").arg(secondDot + 5)),
             qPrintable(parsed.error().message));

    parsed = parseCompact(QByteArray(good + '.' + "x"));
    QVERIFY(!parsed);
    QVERIFY2(parsed.error().message.contains(QStringLiteral("byte %1").arg(good.size())),
             qPrintable(parsed.error().message));

    parsed = parseCompact(QByteArray(good.left(secondDot) + '.' + base64UrlEncode("short")));
    QVERIFY(!parsed);
    QVERIFY2(parsed.error().message.startsWith(QStringLiteral("signature (from byte %1): 5 bytes").arg(secondDot + 1)),
             qPrintable(parsed.error().message));

    parsed = parseCompact(craft(R"({"alg":"EdDSA","alg":"none"})", "p", key));
    QVERIFY(!parsed);
    QVERIFY2(parsed.error().message.startsWith(QStringLiteral("header:")), qPrintable(parsed.error().message));
    QVERIFY2(parsed.error().message.contains(QStringLiteral("json.duplicate")), qPrintable(parsed.error().message));

    parsed = parseCompact(craft(R"({"alg":"none"})", "p", key));
    QVERIFY(!parsed);
    QVERIFY2(parsed.error().message.contains(QStringLiteral(R"("none")")), qPrintable(parsed.error().message));
}

void TestJws::sizeLimitIsExact()
{
    const QByteArray token = signCompact(QJsonObject(), QByteArray(1000, 'p'), rfcKey());
    QVERIFY(parseCompact(token, token.size()));
    const auto refused = parseCompact(token, token.size() - 1);
    QVERIFY(!refused);
    QCOMPARE(refused.error().code, QStringLiteral("jws.too_large"));
    QVERIFY(refused.error().message.contains(QString::number(token.size())));

    // The default limit is 16 KiB: a 12000-byte payload (16000 as base64url) fits, 13 KiB does not.
    QVERIFY(parseCompact(signCompact(QJsonObject(), QByteArray(12000, 'p'), rfcKey())));
    const auto tooLarge = parseCompact(signCompact(QJsonObject(), QByteArray(qsizetype{13} * 1024, 'p'), rfcKey()));
    QVERIFY(!tooLarge);
    QCOMPARE(tooLarge.error().code, QStringLiteral("jws.too_large"));
}

QTEST_GUILESS_MAIN(TestJws)
#include "test_jws.moc"
