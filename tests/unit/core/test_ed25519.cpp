// Ed25519 keys and signatures against RFC 8032 and every Wycheproof verification case, plus the
// PEM form, size checks and the start-up self-test.
#include "core/crypto/Ed25519.h"

#include "core/json/Json.h"

#include <type_traits>

#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QSet>
#include <QTest>

using namespace countersign;
using namespace countersign::crypto;

namespace {

QJsonObject loadVectors(const QString &name)
{
    QFile file(QStringLiteral(COUNTERSIGN_TEST_DATA "/ed25519/") + name);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    // Trusted test data, but read with the project's strict parser anyway: a damaged copy should
    // fail loudly rather than yield fewer cases.
    const auto parsed = json::parse(file.readAll());
    return parsed ? parsed.value().toObject() : QJsonObject();
}

QByteArray hex(const QJsonValue &value)
{
    return QByteArray::fromHex(value.toString().toLatin1());
}

Ed25519PrivateKey keyFromSeedHex(const QByteArray &seedHex)
{
    return Ed25519PrivateKey::fromSeed(SecureBuffer(QByteArray::fromHex(seedHex))).value();
}

// PEM text built here so the refusal cases do not depend on a particular tool's output.
QByteArray pemOf(const QByteArray &label, const QByteArray &der)
{
    return "-----BEGIN " + label + "-----\n" + der.toBase64() + "\n-----END " + label + "-----\n";
}

const QByteArray kTest1Public = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
const QByteArray kSpkiPrefix = QByteArray::fromHex("302a300506032b6570032100");

} // namespace

class TestEd25519 final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void selfTestPasses();
    void rfc8032_data();
    void rfc8032();
    void wycheproofFileIsComplete();
    void wycheproof_data();
    void wycheproof();
    void wycheproofPemKeysImport();
    void generatedKeysSignAndVerify();
    void seedRoundTrip();
    void signaturesAreDeterministic();
    void pemRoundTrip();
    void pemRefusals_data();
    void pemRefusals();
    void wrongSizesRefused();
    void weakPublicKeysRefused_data();
    void weakPublicKeysRefused();
    void signatureForAnotherKeyOrMessageRefused();
    void privateKeyIsMoveOnly();
};

void TestEd25519::selfTestPasses()
{
    const Status status = ed25519SelfTest();
    QVERIFY2(status, qPrintable(status ? QString() : status.error().toString()));
}

void TestEd25519::rfc8032_data()
{
    QTest::addColumn<QByteArray>("seed");
    QTest::addColumn<QByteArray>("publicKey");
    QTest::addColumn<QByteArray>("message");
    QTest::addColumn<QByteArray>("signature");

    const QJsonArray tests = loadVectors(QStringLiteral("rfc8032_rfc8037_vectors.json"))
                                 .value(QStringLiteral("rfc8032"))
                                 .toArray();
    QCOMPARE(tests.size(), 4);
    for (const auto &value : tests) {
        const QJsonObject test = value.toObject();
        QTest::newRow(qPrintable(test.value(QStringLiteral("name")).toString()))
            << hex(test.value(QStringLiteral("secretKeyHex"))) << hex(test.value(QStringLiteral("publicKeyHex")))
            << hex(test.value(QStringLiteral("messageHex"))) << hex(test.value(QStringLiteral("signatureHex")));
    }
}

void TestEd25519::rfc8032()
{
    QFETCH(QByteArray, seed);
    QFETCH(QByteArray, publicKey);
    QFETCH(QByteArray, message);
    QFETCH(QByteArray, signature);
    QCOMPARE(seed.size(), 32);
    QCOMPARE(signature.size(), 64);

    auto key = Ed25519PrivateKey::fromSeed(SecureBuffer(seed));
    QVERIFY2(key, qPrintable(key ? QString() : key.error().toString()));
    QCOMPARE(key.value().publicKey().raw().toHex(), publicKey.toHex());
    QCOMPARE(key.value().sign(message).toHex(), signature.toHex());

    const auto verifier = Ed25519PublicKey::fromRaw(publicKey);
    QVERIFY(verifier);
    QVERIFY(verifier.value().verify(message, signature));
    QByteArray flipped = signature;
    flipped[63] = static_cast<char>(flipped[63] ^ 0x40);
    QVERIFY(!verifier.value().verify(message, flipped));
}

void TestEd25519::wycheproofFileIsComplete()
{
    const QJsonObject file = loadVectors(QStringLiteral("wycheproof_ed25519_test.json"));
    QCOMPARE(file.value(QStringLiteral("algorithm")).toString(), QStringLiteral("EDDSA"));
    QCOMPARE(file.value(QStringLiteral("numberOfTests")).toInt(), 151);
    int valid = 0;
    int invalid = 0;
    QSet<int> ids;
    for (const auto &group : file.value(QStringLiteral("testGroups")).toArray()) {
        QCOMPARE(group.toObject().value(QStringLiteral("type")).toString(), QStringLiteral("EddsaVerify"));
        for (const auto &test : group.toObject().value(QStringLiteral("tests")).toArray()) {
            ids.insert(test.toObject().value(QStringLiteral("tcId")).toInt());
            const QString result = test.toObject().value(QStringLiteral("result")).toString();
            // "acceptable" would need a policy decision per case; this file has none.
            QVERIFY2(result == QLatin1String("valid") || result == QLatin1String("invalid"), qPrintable(result));
            if (result == QLatin1String("valid"))
                ++valid;
            else
                ++invalid;
        }
    }
    QCOMPARE(ids.size(), 151);
    QCOMPARE(valid, 88);
    QCOMPARE(invalid, 63);
}

void TestEd25519::wycheproof_data()
{
    QTest::addColumn<QByteArray>("publicKey");
    QTest::addColumn<QByteArray>("message");
    QTest::addColumn<QByteArray>("signature");
    QTest::addColumn<bool>("expectValid");

    const QJsonObject file = loadVectors(QStringLiteral("wycheproof_ed25519_test.json"));
    for (const auto &groupValue : file.value(QStringLiteral("testGroups")).toArray()) {
        const QJsonObject group = groupValue.toObject();
        const QByteArray publicKey = hex(group.value(QStringLiteral("publicKey")).toObject().value(QStringLiteral("pk")));
        for (const auto &testValue : group.value(QStringLiteral("tests")).toArray()) {
            const QJsonObject test = testValue.toObject();
            QStringList flags;
            for (const auto &flag : test.value(QStringLiteral("flags")).toArray())
                flags << flag.toString();
            const QString name = QStringLiteral("tcId %1 %2 %3")
                                     .arg(test.value(QStringLiteral("tcId")).toInt())
                                     .arg(flags.join(QLatin1Char(',')), test.value(QStringLiteral("comment")).toString());
            QTest::newRow(qPrintable(name))
                << publicKey << hex(test.value(QStringLiteral("msg"))) << hex(test.value(QStringLiteral("sig")))
                << (test.value(QStringLiteral("result")).toString() == QLatin1String("valid"));
        }
    }
}

void TestEd25519::wycheproof()
{
    QFETCH(QByteArray, publicKey);
    QFETCH(QByteArray, message);
    QFETCH(QByteArray, signature);
    QFETCH(bool, expectValid);

    const auto key = Ed25519PublicKey::fromRaw(publicKey);
    QVERIFY2(key, qPrintable(key ? QString() : key.error().toString()));
    QCOMPARE(key.value().verify(message, signature), expectValid);
}

void TestEd25519::wycheproofPemKeysImport()
{
    const QJsonObject file = loadVectors(QStringLiteral("wycheproof_ed25519_test.json"));
    int groups = 0;
    for (const auto &groupValue : file.value(QStringLiteral("testGroups")).toArray()) {
        const QJsonObject group = groupValue.toObject();
        const QByteArray pem = group.value(QStringLiteral("publicKeyPem")).toString().toLatin1();
        const QByteArray raw = hex(group.value(QStringLiteral("publicKey")).toObject().value(QStringLiteral("pk")));
        const auto key = Ed25519PublicKey::fromPem(pem);
        QVERIFY2(key, qPrintable(key ? QString() : key.error().toString()));
        QCOMPARE(key.value().raw().toHex(), raw.toHex());
        // Same SubjectPublicKeyInfo, same PEM layout as the independent producer of this file.
        QCOMPARE(key.value().toPem(), pem);
        QCOMPARE(QByteArray(kSpkiPrefix + raw), hex(group.value(QStringLiteral("publicKeyDer"))));
        ++groups;
    }
    QCOMPARE(groups, 78);
}

void TestEd25519::generatedKeysSignAndVerify()
{
    auto first = Ed25519PrivateKey::generate();
    auto second = Ed25519PrivateKey::generate();
    QVERIFY(first && second);
    QVERIFY(first.value().publicKey() != second.value().publicKey());
    QVERIFY(first.value().seed().view() != second.value().seed().view());

    const QByteArray message(300, 'd');
    const QByteArray signature = first.value().sign(message);
    QCOMPARE(signature.size(), kEd25519SignatureSize);
    QVERIFY(first.value().publicKey().verify(message, signature));
    QVERIFY(!second.value().publicKey().verify(message, signature));
}

void TestEd25519::seedRoundTrip()
{
    const auto generated = Ed25519PrivateKey::generate();
    QVERIFY(generated);
    const SecureBuffer seed = generated.value().seed();
    QCOMPARE(seed.size(), kEd25519SeedSize);
    const auto restored = Ed25519PrivateKey::fromSeed(seed);
    QVERIFY(restored);
    QVERIFY(restored.value().publicKey() == generated.value().publicKey());
    QCOMPARE(restored.value().sign("decision"), generated.value().sign("decision"));

    const Ed25519PrivateKey known = keyFromSeedHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
    QCOMPARE(known.seed().view().toByteArray().toHex(),
             QByteArray("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));
}

void TestEd25519::signaturesAreDeterministic()
{
    // RFC 8032 signing has no per-signature randomness: a repeatable signature is the property
    // that lets the RFC vectors be compared byte for byte.
    const auto key = Ed25519PrivateKey::generate();
    QVERIFY(key);
    QCOMPARE(key.value().sign("same input"), key.value().sign("same input"));
    QVERIFY(key.value().sign("same input") != key.value().sign("other input"));
}

void TestEd25519::pemRoundTrip()
{
    const auto key = Ed25519PrivateKey::generate();
    QVERIFY(key);
    const QByteArray pem = key.value().publicKey().toPem();
    QVERIFY(pem.startsWith("-----BEGIN PUBLIC KEY-----\n"));
    QVERIFY(pem.endsWith("-----END PUBLIC KEY-----\n"));
    const auto imported = Ed25519PublicKey::fromPem(pem);
    QVERIFY2(imported, qPrintable(imported ? QString() : imported.error().toString()));
    QVERIFY(imported.value() == key.value().publicKey());
    QCOMPARE(imported.value().toPem(), pem);

    // Windows line endings and surrounding blank lines are how files get edited, not tampering.
    QByteArray crlf = pem;
    crlf.replace("\n", "\r\n");
    const auto fromCrlf = Ed25519PublicKey::fromPem(QByteArray("\r\n" + crlf + "\r\n"));
    QVERIFY2(fromCrlf, qPrintable(fromCrlf ? QString() : fromCrlf.error().toString()));
    QVERIFY(fromCrlf.value() == key.value().publicKey());

    const QByteArray signature = key.value().sign("pem");
    QVERIFY(imported.value().verify("pem", signature));
}

void TestEd25519::pemRefusals_data()
{
    QTest::addColumn<QByteArray>("pem");

    const QByteArray raw = QByteArray::fromHex(kTest1Public);
    const QByteArray good = pemOf("PUBLIC KEY", kSpkiPrefix + raw);
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("garbage") << QByteArray("not a key");
    QTest::newRow("raw key bytes") << raw;
    QTest::newRow("text before the block") << QByteArray("key:\n" + good);
    QTest::newRow("text after the block") << QByteArray(good + "trailing");
    QTest::newRow("second block") << QByteArray(good + good);
    QTest::newRow("truncated") << good.left(good.size() - 10);
    QTest::newRow("damaged base64") << QByteArray(good).replace("MCow", "M*ow");
    QTest::newRow("private key label") << pemOf("PRIVATE KEY", kSpkiPrefix + raw);
    QTest::newRow("certificate label") << pemOf("CERTIFICATE", kSpkiPrefix + raw);
    QTest::newRow("trailing byte in DER") << pemOf("PUBLIC KEY", kSpkiPrefix + raw + '\0');
    QTest::newRow("key 31 bytes") << pemOf("PUBLIC KEY", QByteArray::fromHex("3029300506032b6570032000") + raw.left(31));
    // BER long-form length: decodes to the same key, but is not the one DER spelling.
    QTest::newRow("BER length") << pemOf("PUBLIC KEY", QByteArray::fromHex("30812a300506032b6570032100") + raw);
    QTest::newRow("X25519 key") << QByteArray("-----BEGIN PUBLIC KEY-----\n"
                                              "MCowBQYDK2VuAyEAT5hSqv/7Cm7FZOLv1Q7KrWDHswMIUzYB8NYWGMNCZzg=\n"
                                              "-----END PUBLIC KEY-----\n");
    QTest::newRow("Ed448 key") << QByteArray("-----BEGIN PUBLIC KEY-----\n"
                                             "MEMwBQYDK2VxAzoAfrTJkGimSELruqjWsJpbFTPMosVSfRHB1iR2W7pmoPUlTWUo\n"
                                             "QnG8rYOdG1dSCXMeaQOiBxuDm7+A\n"
                                             "-----END PUBLIC KEY-----\n");
    QTest::newRow("P-256 key") << QByteArray("-----BEGIN PUBLIC KEY-----\n"
                                             "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEhzRUFeJHhJSwrLRKY/bA7EFFDHCr\n"
                                             "ril0FtIS2Ekj6qZ5T4HJGOxq0KsiWZG7v6NEE17gT6mnoXDpvHiKFoqwGA==\n"
                                             "-----END PUBLIC KEY-----\n");
    QTest::newRow("oversize") << QByteArray(good + QByteArray(5000, '\n'));
}

void TestEd25519::pemRefusals()
{
    QFETCH(QByteArray, pem);
    const auto key = Ed25519PublicKey::fromPem(pem);
    QVERIFY(!key);
    QCOMPARE(key.error().code, QStringLiteral("crypto.invalid_key"));
    QVERIFY(!key.error().message.isEmpty());
}

void TestEd25519::wrongSizesRefused()
{
    const QByteArray raw = QByteArray::fromHex(kTest1Public);
    for (const qsizetype size : {0, 1, 31, 33, 64}) {
        const auto key = Ed25519PublicKey::fromRaw(QByteArray(size, '\x01'));
        QVERIFY2(!key, qPrintable(QString::number(size)));
        QCOMPARE(key.error().code, QStringLiteral("crypto.invalid_key"));
        QVERIFY(key.error().message.contains(QString::number(size)));

        const auto seed = Ed25519PrivateKey::fromSeed(SecureBuffer(QByteArray(size, '\x01')));
        QVERIFY(!seed);
        QCOMPARE(seed.error().code, QStringLiteral("crypto.invalid_key"));
    }
    QVERIFY(!Ed25519PrivateKey::fromSeed(SecureBuffer()));

    const Ed25519PrivateKey key = keyFromSeedHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
    const QByteArray signature = key.sign("m");
    const Ed25519PublicKey publicKey = key.publicKey();
    QVERIFY(publicKey.verify("m", signature));
    QVERIFY(!publicKey.verify("m", QByteArray()));
    QVERIFY(!publicKey.verify("m", signature.left(63)));
    QVERIFY(!publicKey.verify("m", QByteArray(signature + '\0')));
    QVERIFY(!publicKey.verify("m", QByteArray(signature + signature)));
}

void TestEd25519::weakPublicKeysRefused_data()
{
    QTest::addColumn<QByteArray>("raw");

    // The eight points of small order by their y-coordinate, each with both signs of x, and
    // the non-canonical spellings y = p and y = p + 1 of y = 0 and y = 1.
    const QList<QByteArray> smallOrder = {
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0100000000000000000000000000000000000000000000000000000000000000",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    };
    for (const QByteArray &hexY : smallOrder) {
        QByteArray raw = QByteArray::fromHex(hexY);
        QTest::newRow(hexY.constData()) << raw;
        raw[31] = static_cast<char>(raw[31] | 0x80);
        QTest::newRow(QByteArray(hexY + " x odd").constData()) << raw;
    }
    // y = 3 + p: a valid point (y = 3) spelt a second way.
    QTest::newRow("non-canonical y = 3 + p")
        << QByteArray::fromHex("f0ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");
    QTest::newRow("all ones") << QByteArray(32, '\xff');
}

void TestEd25519::weakPublicKeysRefused()
{
    QFETCH(QByteArray, raw);
    const auto key = Ed25519PublicKey::fromRaw(raw);
    QVERIFY(!key);
    QCOMPARE(key.error().code, QStringLiteral("crypto.invalid_key"));
    QVERIFY2(key.error().message.contains(QStringLiteral("small order"))
                 || key.error().message.contains(QStringLiteral("canonical")),
             qPrintable(key.error().message));
    // The same bytes in a PEM file are refused for the same reason.
    const auto fromPem = Ed25519PublicKey::fromPem(pemOf("PUBLIC KEY", kSpkiPrefix + raw));
    QVERIFY(!fromPem);
    QCOMPARE(fromPem.error().code, QStringLiteral("crypto.invalid_key"));

    // The canonical y = 3 point is an ordinary key: only its second spelling is refused.
    QVERIFY(Ed25519PublicKey::fromRaw(
        QByteArray::fromHex("0300000000000000000000000000000000000000000000000000000000000000")));
}

void TestEd25519::signatureForAnotherKeyOrMessageRefused()
{
    const Ed25519PrivateKey key = keyFromSeedHex("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb");
    const QByteArray signature = key.sign("approve act-1");
    QVERIFY(key.publicKey().verify("approve act-1", signature));
    QVERIFY(!key.publicKey().verify("approve act-2", signature));
    QVERIFY(!key.publicKey().verify(QByteArrayView(), signature));
    const auto other = Ed25519PublicKey::fromRaw(QByteArray::fromHex(kTest1Public));
    QVERIFY(other);
    QVERIFY(!other.value().verify("approve act-1", signature));
    // All-zero and all-one signatures: S = 0 and S >= L cases must never pass.
    QVERIFY(!key.publicKey().verify("approve act-1", QByteArray(64, '\0')));
    QVERIFY(!key.publicKey().verify("approve act-1", QByteArray(64, '\xff')));
}

void TestEd25519::privateKeyIsMoveOnly()
{
    static_assert(!std::is_copy_constructible_v<Ed25519PrivateKey>);
    static_assert(!std::is_copy_assignable_v<Ed25519PrivateKey>);
    static_assert(std::is_nothrow_move_constructible_v<Ed25519PrivateKey>);
    static_assert(std::is_copy_constructible_v<Ed25519PublicKey>);

    auto generated = Ed25519PrivateKey::generate();
    QVERIFY(generated);
    Ed25519PrivateKey key = std::move(generated).value();
    const Ed25519PublicKey publicKey = key.publicKey();
    Ed25519PrivateKey moved = std::move(key);
    QVERIFY(publicKey.verify("x", moved.sign("x")));
    // A moved-from key signs nothing and has no seed; it does not crash.
    QVERIFY(key.sign("x").isEmpty()); // NOLINT(bugprone-use-after-move,clang-analyzer-cplusplus.Move)
    QVERIFY(key.seed().isEmpty());    // NOLINT(bugprone-use-after-move,clang-analyzer-cplusplus.Move)
}

QTEST_GUILESS_MAIN(TestEd25519)
#include "test_ed25519.moc"
