// Our compact JWS against an independent JOSE implementation (Python jwcrypto): it must accept
// what we sign, refuse what was altered, and we must accept what it signs.
#include "core/Clock.h"
#include "core/crypto/Base64Url.h"
#include "core/crypto/Digest.h"
#include "core/crypto/Jwk.h"
#include "core/crypto/Jws.h"
#include "core/decision/SignedDecision.h"
#include "core/json/Json.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace countersign;
using namespace countersign::crypto;

namespace {

struct Run
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

QString script(const char *name)
{
    return QStringLiteral(COUNTERSIGN_SOURCE_DIR "/tests/interop/") + QLatin1String(name);
}

Run runPython(const QStringList &arguments)
{
    QProcess process;
    process.start(QStringLiteral(COUNTERSIGN_JWCRYPTO_PYTHON), arguments);
    Run run;
    if (!process.waitForStarted(10'000) || !process.waitForFinished(60'000)) {
        run.err = process.errorString().toUtf8();
        return run;
    }
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    run.out = process.readAllStandardOutput();
    run.err = process.readAllStandardError();
    return run;
}

// A decision shaped like the ones reviewers will sign, with non-ASCII text so the payload is
// checked byte for byte rather than as ASCII.
QByteArray decisionPayload(const Ed25519PublicKey &reviewer, const QString &decision)
{
    const QJsonObject object{
        {QStringLiteral("actionId"), QStringLiteral("act-0123456789abcdef")},
        {QStringLiteral("actionDigest"), QString::fromLatin1(sha256Hex("the canonical action"))},
        {QStringLiteral("decision"), decision},
        {QStringLiteral("decidedAt"), QStringLiteral("2026-11-30T14:03:12.123Z")},
        {QStringLiteral("reason"), QStringLiteral("Vérifié avec Müller — 東京 ✓")},
        {QStringLiteral("reviewer"), QStringLiteral("alice@example.com")},
        {QStringLiteral("kid"), QString::fromLatin1(jwkThumbprint(reviewer))},
        {QStringLiteral("policyVersion"), 3},
    };
    return json::canonicalize(object);
}

} // namespace

class TestJwsInterop final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void jwcryptoVerifiesOurJws();
    void jwcryptoRefusesAlteredPayload();
    void jwcryptoRefusesAlteredSignatureAndOtherKey();
    void weVerifyJwcryptoJws();
    void jwcryptoVerifiesSignedDecision();

private:
    QTemporaryDir m_dir;
};

void TestJwsInterop::initTestCase()
{
    if (QStringLiteral(COUNTERSIGN_JWCRYPTO_PYTHON).isEmpty())
        QSKIP("no python3 with jwcrypto was found at configure time (Debian: python3-jwcrypto, see "
              "scripts/install-deps); set COUNTERSIGN_JWCRYPTO_PYTHON to run this test");
    QVERIFY(QFile::exists(script("verify_jws.py")));
    QVERIFY(QFile::exists(script("sign_jws.py")));
    QVERIFY(m_dir.isValid());
}

void TestJwsInterop::jwcryptoVerifiesOurJws()
{
    auto generated = Ed25519PrivateKey::generate();
    QVERIFY(generated);
    const Ed25519PrivateKey key = std::move(generated).value();
    const QByteArray payload = decisionPayload(key.publicKey(), QStringLiteral("approve"));
    const QByteArray token = signCompact(
        QJsonObject{{QStringLiteral("kid"), QString::fromLatin1(jwkThumbprint(key.publicKey()))}}, payload, key);
    QVERIFY(!token.isEmpty());

    const QString jwkPath = m_dir.filePath(QStringLiteral("ours.jwk"));
    const QString jwsPath = m_dir.filePath(QStringLiteral("ours.jws"));
    QVERIFY(writeFile(jwkPath, QJsonDocument(publicKeyToJwk(key.publicKey())).toJson(QJsonDocument::Compact)));
    QVERIFY(writeFile(jwsPath, token));

    const Run run = runPython({script("verify_jws.py"), jwkPath, jwsPath});
    QVERIFY2(run.exitCode == 0, run.err.constData());
    QCOMPARE(run.out, payload);
}

void TestJwsInterop::jwcryptoRefusesAlteredPayload()
{
    auto generated = Ed25519PrivateKey::generate();
    QVERIFY(generated);
    const Ed25519PrivateKey key = std::move(generated).value();
    const QByteArray token = signCompact(QJsonObject(), decisionPayload(key.publicKey(), QStringLiteral("deny")), key);
    const QList<QByteArray> parts = token.split('.');
    QCOMPARE(parts.size(), 3);
    const QByteArray altered = parts[0] + '.'
        + base64UrlEncode(decisionPayload(key.publicKey(), QStringLiteral("approve"))) + '.' + parts[2];

    const QString jwkPath = m_dir.filePath(QStringLiteral("altered.jwk"));
    const QString jwsPath = m_dir.filePath(QStringLiteral("altered.jws"));
    QVERIFY(writeFile(jwkPath, QJsonDocument(publicKeyToJwk(key.publicKey())).toJson(QJsonDocument::Compact)));
    QVERIFY(writeFile(jwsPath, altered));

    const Run run = runPython({script("verify_jws.py"), jwkPath, jwsPath});
    QVERIFY2(run.exitCode == 1, run.err.constData());
    QVERIFY(run.out.isEmpty());
    // Our verifier agrees.
    const auto parsed = parseCompact(altered);
    QVERIFY(parsed);
    const Status ours = verify(parsed.value(), key.publicKey());
    QVERIFY(!ours);
    QCOMPARE(ours.error().code, QStringLiteral("jws.bad_signature"));

    // The unaltered token, same files otherwise, is accepted: the refusal is about the change.
    QVERIFY(writeFile(jwsPath, token));
    QCOMPARE(runPython({script("verify_jws.py"), jwkPath, jwsPath}).exitCode, 0);
}

void TestJwsInterop::jwcryptoRefusesAlteredSignatureAndOtherKey()
{
    auto first = Ed25519PrivateKey::generate();
    auto second = Ed25519PrivateKey::generate();
    QVERIFY(first && second);
    const QByteArray token = signCompact(QJsonObject(), R"({"decision":"approve"})", first.value());
    QByteArray signature = base64UrlDecode(token.mid(token.lastIndexOf('.') + 1)).value();
    signature[5] = static_cast<char>(signature[5] ^ 0x10);
    const QByteArray alteredSignature = token.left(token.lastIndexOf('.') + 1) + base64UrlEncode(signature);

    const QString firstJwk = m_dir.filePath(QStringLiteral("first.jwk"));
    const QString secondJwk = m_dir.filePath(QStringLiteral("second.jwk"));
    const QString tokenPath = m_dir.filePath(QStringLiteral("token.jws"));
    const QString alteredPath = m_dir.filePath(QStringLiteral("altered-signature.jws"));
    QVERIFY(writeFile(firstJwk, QJsonDocument(publicKeyToJwk(first.value().publicKey())).toJson()));
    QVERIFY(writeFile(secondJwk, QJsonDocument(publicKeyToJwk(second.value().publicKey())).toJson()));
    QVERIFY(writeFile(tokenPath, token));
    QVERIFY(writeFile(alteredPath, alteredSignature));

    QCOMPARE(runPython({script("verify_jws.py"), firstJwk, tokenPath}).exitCode, 0);
    QCOMPARE(runPython({script("verify_jws.py"), firstJwk, alteredPath}).exitCode, 1);
    QCOMPARE(runPython({script("verify_jws.py"), secondJwk, tokenPath}).exitCode, 1);
}

void TestJwsInterop::weVerifyJwcryptoJws()
{
    auto generated = Ed25519PrivateKey::generate();
    QVERIFY(generated);
    const Ed25519PrivateKey key = std::move(generated).value();
    const QByteArray payload = decisionPayload(key.publicKey(), QStringLiteral("approve"));

    // The private JWK exists only in the temporary directory, for the other implementation.
    QJsonObject privateJwk = publicKeyToJwk(key.publicKey());
    privateJwk.insert(QStringLiteral("d"), QString::fromLatin1(base64UrlEncode(key.seed().view())));
    const QString jwkPath = m_dir.filePath(QStringLiteral("private.jwk"));
    const QString payloadPath = m_dir.filePath(QStringLiteral("payload.json"));
    QVERIFY(writeFile(jwkPath, QJsonDocument(privateJwk).toJson(QJsonDocument::Compact)));
    QVERIFY(writeFile(payloadPath, payload));

    const Run run = runPython({script("sign_jws.py"), jwkPath, payloadPath});
    QFile::remove(jwkPath);
    QVERIFY2(run.exitCode == 0, run.err.constData());

    const auto parsed = parseCompact(run.out);
    QVERIFY2(parsed, qPrintable(parsed ? QString() : parsed.error().toString()));
    QCOMPARE(parsed.value().payload(), payload);
    QCOMPARE(parsed.value().header().value(QStringLiteral("alg")).toString(), QStringLiteral("EdDSA"));
    const Status verified = verify(parsed.value(), key.publicKey());
    QVERIFY2(verified, qPrintable(verified ? QString() : verified.error().toString()));
    // Ed25519 is deterministic and both sides write {"alg":"EdDSA"}, so the tokens are identical.
    QCOMPARE(run.out, signCompact(QJsonObject(), payload, key));
}

void TestJwsInterop::jwcryptoVerifiesSignedDecision()
{
    auto generated = Ed25519PrivateKey::generate();
    QVERIFY(generated);
    const Ed25519PrivateKey key = std::move(generated).value();
    const ManualClock clock(QDateTime(QDate(2026, 11, 30), QTime(14, 3, 12, 123), Qt::UTC));
    decision::DecisionClaims claims;
    claims.actionId = QStringLiteral("act-0123456789abcdef");
    claims.actionDigest = sha256Hex("the canonical action");
    claims.verdict = protocol::Verdict::Deny;
    claims.reason = QStringLiteral("Vérifié avec Müller — 東京 ✓");
    claims.reviewer = QStringLiteral("alice@example.com");
    claims.gatewayId = QStringLiteral("gw-eu-1");
    claims.policyVersion = QStringLiteral("2026.11.3");
    const auto token = decision::signDecision(claims, key, clock);
    QVERIFY2(token, qPrintable(token ? QString() : token.error().toString()));

    // Our canonical payload, as our own verifier reads it back.
    const auto ours = decision::verifyDecision(token.value(), key.publicKey());
    QVERIFY2(ours, qPrintable(ours ? QString() : ours.error().toString()));
    const QByteArray canonicalPayload = base64UrlDecode(token.value().split('.').value(1)).value();
    QVERIFY(canonicalPayload.contains(R"("typ":"countersign-decision+v1")"));

    // jwcrypto, given only the reviewer's public JWK, verifies it and prints the same bytes.
    const QString jwkPath = m_dir.filePath(QStringLiteral("reviewer.jwk"));
    const QString jwsPath = m_dir.filePath(QStringLiteral("decision.jws"));
    QVERIFY(writeFile(jwkPath, QJsonDocument(publicKeyToJwk(key.publicKey())).toJson(QJsonDocument::Compact)));
    QVERIFY(writeFile(jwsPath, token.value()));
    const Run run = runPython({script("verify_jws.py"), jwkPath, jwsPath});
    QVERIFY2(run.exitCode == 0, run.err.constData());
    QCOMPARE(run.out, canonicalPayload);
    QCOMPARE(json::canonicalize(json::parse(run.out).value()), canonicalPayload);
}

QTEST_GUILESS_MAIN(TestJwsInterop)
#include "test_jws_interop.moc"
