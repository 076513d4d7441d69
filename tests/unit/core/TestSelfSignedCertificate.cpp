// The gateway's self-signed TLS identity: what the certificate says, its fingerprint, and the
// key/certificate match check.
#include "core/crypto/SelfSignedCertificate.h"

#include <QCryptographicHash>
#include <QProcess>
#include <QTest>

using namespace countersign;
using namespace countersign::crypto;

class TestSelfSignedCertificate final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void generatesAOneYearP256Certificate();
    void refusesLongValidity();
    void fingerprintIsSha256OfDer();
    void detectsAForeignKey();
    void rejectsGarbage();
};

void TestSelfSignedCertificate::generatesAOneYearP256Certificate()
{
    auto generated = SelfSignedCertificate::generate(QStringLiteral("gw-0123456789ab"));
    QVERIFY2(generated, qPrintable(generated ? QString() : generated.error().toString()));
    QVERIFY(generated.value().privateKeyPem.startsWith("-----BEGIN PRIVATE KEY-----"));
    QVERIFY(generated.value().certificatePem.startsWith("-----BEGIN CERTIFICATE-----"));

    // Inspect with the openssl tool where available: subject, SANs, validity, key type.
    QProcess openssl;
    openssl.start(QStringLiteral("openssl"), {QStringLiteral("x509"), QStringLiteral("-noout"), QStringLiteral("-text")});
    if (!openssl.waitForStarted(5000))
        QSKIP("openssl command line tool not available");
    openssl.write(generated.value().certificatePem);
    openssl.closeWriteChannel();
    QVERIFY(openssl.waitForFinished(10000));
    const QString text = QString::fromLatin1(openssl.readAllStandardOutput());
    QVERIFY2(text.contains(QLatin1String("CN = Countersign gateway gw-0123456789ab")), qPrintable(text));
    QVERIFY(text.contains(QLatin1String("Version: 3")));
    QVERIFY(text.contains(QLatin1String("ecdsa-with-SHA256")));
    QVERIFY(text.contains(QLatin1String("prime256v1")) || text.contains(QLatin1String("P-256")));
    QVERIFY(text.contains(QLatin1String("IP Address:127.0.0.1")));
    QVERIFY(text.contains(QLatin1String("IP Address:0:0:0:0:0:0:0:1")));
    QVERIFY(text.contains(QLatin1String("DNS:localhost")));
    QVERIFY(text.contains(QLatin1String("CA:FALSE")));

    QProcess dates;
    dates.start(QStringLiteral("openssl"), {QStringLiteral("x509"), QStringLiteral("-noout"), QStringLiteral("-enddate"), QStringLiteral("-dateopt"), QStringLiteral("iso_8601")});
    QVERIFY(dates.waitForStarted(5000));
    dates.write(generated.value().certificatePem);
    dates.closeWriteChannel();
    QVERIFY(dates.waitForFinished(10000));
    const QString end = QString::fromLatin1(dates.readAllStandardOutput()).trimmed().section(QLatin1Char('='), 1);
    const QDateTime notAfter = QDateTime::fromString(end.left(19), QStringLiteral("yyyy-MM-dd HH:mm:ss"));
    if (notAfter.isValid()) {
        const qint64 days = QDateTime::currentDateTimeUtc().daysTo(QDateTime(notAfter.date(), notAfter.time(), Qt::UTC));
        QVERIFY2(days >= 364 && days <= 366, qPrintable(end));
    }
}

void TestSelfSignedCertificate::refusesLongValidity()
{
    auto generated = SelfSignedCertificate::generate(QStringLiteral("gw-1"), 3650);
    QVERIFY(!generated);
    QCOMPARE(generated.error().code, QStringLiteral("crypto.failed"));
}

void TestSelfSignedCertificate::fingerprintIsSha256OfDer()
{
    const auto generated = SelfSignedCertificate::generate(QStringLiteral("gw-1")).value();
    const auto fingerprint = certificateSha256Hex(generated.certificatePem);
    QVERIFY(fingerprint);
    QByteArray base64;
    for (const QByteArray &line : generated.certificatePem.split('\n')) {
        if (!line.startsWith("-----"))
            base64 += line;
    }
    const QByteArray der = QByteArray::fromBase64(base64);
    QCOMPARE(fingerprint.value(), QCryptographicHash::hash(der, QCryptographicHash::Sha256).toHex());
    QCOMPARE(formatFingerprint("ab01cd"), QStringLiteral("AB:01:CD"));
    // Two certificates never share a fingerprint (random key, random serial).
    const auto other = SelfSignedCertificate::generate(QStringLiteral("gw-1")).value();
    QVERIFY(certificateSha256Hex(other.certificatePem).value() != fingerprint.value());
}

void TestSelfSignedCertificate::detectsAForeignKey()
{
    const auto first = SelfSignedCertificate::generate(QStringLiteral("gw-1")).value();
    const auto second = SelfSignedCertificate::generate(QStringLiteral("gw-2")).value();
    QVERIFY(verifyKeyMatchesCertificate(first.privateKeyPem, first.certificatePem));
    const Status mismatch = verifyKeyMatchesCertificate(second.privateKeyPem, first.certificatePem);
    QVERIFY(!mismatch);
    QCOMPARE(mismatch.error().code, QStringLiteral("crypto.key_mismatch"));
}

void TestSelfSignedCertificate::rejectsGarbage()
{
    QCOMPARE(certificateSha256Hex("not a certificate").error().code, QStringLiteral("crypto.invalid_certificate"));
    QCOMPARE(certificateSha256Hex("").error().code, QStringLiteral("crypto.invalid_certificate"));
    const auto generated = SelfSignedCertificate::generate(QStringLiteral("gw-1")).value();
    QCOMPARE(verifyKeyMatchesCertificate("junk", generated.certificatePem).error().code, QStringLiteral("crypto.invalid_key"));
}

QTEST_GUILESS_MAIN(TestSelfSignedCertificate)
#include "TestSelfSignedCertificate.moc"
