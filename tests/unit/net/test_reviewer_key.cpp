// The reviewer key: enrolment writes an encrypted key and its public metadata and never
// overwrites, a reopened key is locked, unlocking needs the right passphrase and the right key,
// locking wipes (signing then fails with key.locked), the idle timeout locks, the passphrase can
// be checked again, and what it signs verifies under its public key.
#include "net/ReviewerKey.h"

#include "core/Clock.h"
#include "core/auth/SignIn.h"
#include "core/crypto/Jwk.h"
#include "core/decision/SignedDecision.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace countersign;
using namespace std::chrono_literals;

namespace {

// The cheapest cost the key file accepts, so the tests stay fast.
constexpr crypto::ScryptCost kFastCost {uint64_t(1) << 14, 8, 1};
const QString kReviewer = QStringLiteral("rita@example.com");

crypto::SecureBuffer secret(const char *text)
{
    return crypto::SecureBuffer(QByteArrayView(text));
}

const char kPassphrase[] = "correct horse battery staple";

decision::DecisionClaims sampleClaims()
{
    decision::DecisionClaims claims;
    claims.actionId = QStringLiteral("act-0123456789abcdef");
    claims.actionDigest = "c204546ae1bf215b4ca7172928fd8bb605d58957ab6eb85bdf4e736f18f42e13";
    claims.verdict = protocol::Verdict::Approve;
    claims.gatewayId = QStringLiteral("gw-test");
    claims.policyVersion = QStringLiteral("demo-1");
    return claims;
}

} // namespace

class TestReviewerKey final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();

    void enrolWritesAnEncryptedKeyAndPublicMetadata();
    void enrolRefusesToOverwrite();
    void enrolRefusesBadInput_data();
    void enrolRefusesBadInput();
    void reopenedKeyIsLocked();
    void unlockNeedsTheRightPassphrase();
    void unlockRefusesAReplacedKeyFile();
    void openRefusesBadMetadata();
    void lockWipesAndSigningFails();
    void idleTimeoutLocks();
    void activityKeepsItUnlocked();
    void zeroTimeoutNeverLocks();
    void checkPassphraseDoesNotChangeTheLockState();
    void signedDecisionVerifies();
    void signedSignInVerifies();
    void fingerprintIsTheGroupedThumbprint();
    void importKeepsAGivenKey();

private:
    QString keyPath() const { return m_dir->filePath(QStringLiteral("keys/reviewer-key.pem")); }
    std::unique_ptr<ReviewerKey> enrol()
    {
        auto key = ReviewerKey::enrol(keyPath(), kReviewer, secret(kPassphrase), kFastCost, m_clock);
        if (!key)
            qFatal("enrol failed: %s", qPrintable(key.error().toString()));
        return std::move(key).value();
    }

    std::unique_ptr<QTemporaryDir> m_dir;
    ManualClock m_clock;
};

void TestReviewerKey::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void TestReviewerKey::enrolWritesAnEncryptedKeyAndPublicMetadata()
{
    const auto key = enrol();
    QVERIFY(key->isUnlocked());
    QCOMPARE(key->reviewerId(), kReviewer);
    QCOMPARE(key->keyId(), QString::fromLatin1(crypto::jwkThumbprint(key->publicKey())));
    QCOMPARE(key->created(), m_clock.nowUtc());

    QFile file(keyPath());
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray pem = file.readAll();
    QVERIFY(pem.startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
    QCOMPARE(QFileInfo(keyPath()).permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther
                                                    | QFileDevice::WriteGroup | QFileDevice::WriteOther),
        QFileDevice::Permissions());
    QCOMPARE(QFileInfo(QFileInfo(keyPath()).absolutePath()).permissions() & QFileDevice::ReadOther,
        QFileDevice::Permissions());

    QFile meta(ReviewerKey::metadataPath(keyPath()));
    QVERIFY(meta.open(QIODevice::ReadOnly));
    const QJsonObject json = QJsonDocument::fromJson(meta.readAll()).object();
    QCOMPARE(json.value(QStringLiteral("reviewer")).toString(), kReviewer);
    QCOMPARE(json.value(QStringLiteral("keyId")).toString(), key->keyId());
    QCOMPARE(json.value(QStringLiteral("key")).toObject(), key->publicJwk());
    QCOMPARE(json.value(QStringLiteral("created")).toString(), QStringLiteral("2026-01-01T12:00:00.000Z"));
    QVERIFY(!json.contains(QStringLiteral("d")));
    QVERIFY(!json.value(QStringLiteral("key")).toObject().contains(QStringLiteral("d")));

    // The exports carry only public material.
    QVERIFY(key->publicPem().startsWith("-----BEGIN PUBLIC KEY-----"));
    QCOMPARE(crypto::Ed25519PublicKey::fromPem(key->publicPem()).value(), key->publicKey());
    QCOMPARE(crypto::publicKeyFromJwk(key->exportJwk()).value(), key->publicKey());
    QCOMPARE(key->exportJwk().value(QStringLiteral("kid")).toString(), key->keyId());
}

void TestReviewerKey::enrolRefusesToOverwrite()
{
    const auto first = enrol();
    QFile file(keyPath());
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray before = file.readAll();
    file.close();

    const auto second = ReviewerKey::enrol(keyPath(), kReviewer, secret(kPassphrase), kFastCost, m_clock);
    QVERIFY(!second);
    QCOMPARE(second.error().code, QStringLiteral("key.exists"));
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll(), before);

    // Only the metadata left behind is enough to refuse, too.
    QVERIFY(QFile::remove(keyPath()));
    const auto third = ReviewerKey::enrol(keyPath(), kReviewer, secret(kPassphrase), kFastCost, m_clock);
    QVERIFY(!third);
    QCOMPARE(third.error().code, QStringLiteral("key.exists"));
}

void TestReviewerKey::enrolRefusesBadInput_data()
{
    QTest::addColumn<QString>("reviewer");
    QTest::addColumn<QByteArray>("passphrase");
    QTest::addColumn<QString>("code");
    QTest::newRow("empty reviewer") << QString() << QByteArray(kPassphrase) << QStringLiteral("key.invalid_reviewer");
    QTest::newRow("space in reviewer") << QStringLiteral("rita example") << QByteArray(kPassphrase)
                                       << QStringLiteral("key.invalid_reviewer");
    QTest::newRow("long reviewer") << QString(129, QLatin1Char('r')) << QByteArray(kPassphrase)
                                   << QStringLiteral("key.invalid_reviewer");
    QTest::newRow("short passphrase") << kReviewer << QByteArray("elevenchars") << QStringLiteral("key.weak_passphrase");
    QTest::newRow("empty passphrase") << kReviewer << QByteArray() << QStringLiteral("key.weak_passphrase");
}

void TestReviewerKey::enrolRefusesBadInput()
{
    QFETCH(QString, reviewer);
    QFETCH(QByteArray, passphrase);
    QFETCH(QString, code);
    const auto key = ReviewerKey::enrol(keyPath(), reviewer, crypto::SecureBuffer(passphrase), kFastCost, m_clock);
    QVERIFY(!key);
    QCOMPARE(key.error().code, code);
    QVERIFY(!QFileInfo::exists(keyPath()));
    QVERIFY(!QFileInfo::exists(ReviewerKey::metadataPath(keyPath())));
}

void TestReviewerKey::reopenedKeyIsLocked()
{
    const auto enrolled = enrol();
    const auto opened = ReviewerKey::open(keyPath(), m_clock);
    QVERIFY2(opened, qPrintable(opened ? QString() : opened.error().toString()));
    const ReviewerKey &key = *opened.value();
    QVERIFY(!key.isUnlocked());
    QCOMPARE(key.lockReason(), ReviewerKey::LockReason::NotYetUnlocked);
    QCOMPARE(key.reviewerId(), kReviewer);
    QCOMPARE(key.publicKey(), enrolled->publicKey());
    QCOMPARE(key.keyId(), enrolled->keyId());
    QCOMPARE(key.created(), enrolled->created());

    const auto missing = ReviewerKey::open(m_dir->filePath(QStringLiteral("nothing.pem")), m_clock);
    QVERIFY(!missing);
    QCOMPARE(missing.error().code, QStringLiteral("key.not_found"));
}

void TestReviewerKey::unlockNeedsTheRightPassphrase()
{
    enrol();
    auto key = std::move(ReviewerKey::open(keyPath(), m_clock)).value();
    QSignalSpy changed(key.get(), &ReviewerKey::lockedChanged);

    const Status wrong = key->unlock(secret("not the passphrase"));
    QVERIFY(!wrong);
    QCOMPARE(wrong.error().code, QStringLiteral("key.wrong_passphrase"));
    QVERIFY(!key->isUnlocked());
    QCOMPARE(changed.count(), 0);

    const Status right = key->unlock(secret(kPassphrase));
    QVERIFY2(right, qPrintable(right ? QString() : right.error().toString()));
    QVERIFY(key->isUnlocked());
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changed.at(0).at(0).toBool(), false);
}

void TestReviewerKey::unlockRefusesAReplacedKeyFile()
{
    enrol();
    // Another key under the same passphrase, put in place of ours: the metadata still names ours.
    const QString otherPath = m_dir->filePath(QStringLiteral("other/key.pem"));
    QVERIFY(ReviewerKey::enrol(otherPath, kReviewer, secret(kPassphrase), kFastCost, m_clock));
    QVERIFY(QFile::remove(keyPath()));
    QVERIFY(QFile::copy(otherPath, keyPath()));
    QVERIFY(QFile::setPermissions(keyPath(), QFileDevice::ReadOwner | QFileDevice::WriteOwner));

    auto key = std::move(ReviewerKey::open(keyPath(), m_clock)).value();
    const Status unlocked = key->unlock(secret(kPassphrase));
    QVERIFY(!unlocked);
    QCOMPARE(unlocked.error().code, QStringLiteral("key.mismatch"));
    QVERIFY(!key->isUnlocked());
    const Status checked = key->checkPassphrase(secret(kPassphrase));
    QVERIFY(!checked);
    QCOMPARE(checked.error().code, QStringLiteral("key.mismatch"));
}

void TestReviewerKey::openRefusesBadMetadata()
{
    enrol();
    const QString meta = ReviewerKey::metadataPath(keyPath());
    QFile file(meta);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QJsonObject json = QJsonDocument::fromJson(file.readAll()).object();
    file.close();

    // keyId not the thumbprint of key.
    json.insert(QStringLiteral("keyId"), QStringLiteral("kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"));
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write(QJsonDocument(json).toJson());
    file.close();
    auto opened = ReviewerKey::open(keyPath(), m_clock);
    QVERIFY(!opened);
    QCOMPARE(opened.error().code, QStringLiteral("key.metadata"));

    QVERIFY(QFile::remove(meta));
    opened = ReviewerKey::open(keyPath(), m_clock);
    QVERIFY(!opened);
    QCOMPARE(opened.error().code, QStringLiteral("key.metadata"));
}

void TestReviewerKey::lockWipesAndSigningFails()
{
    const auto key = enrol();
    QVERIFY(key->signDecision(sampleClaims()));
    QSignalSpy changed(key.get(), &ReviewerKey::lockedChanged);

    key->lock();
    QVERIFY(!key->isUnlocked());
    QCOMPARE(key->lockReason(), ReviewerKey::LockReason::Requested);
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changed.at(0).at(0).toBool(), true);
    key->lock(); // already locked: no second signal
    QCOMPARE(changed.count(), 1);

    const auto decision = key->signDecision(sampleClaims());
    QVERIFY(!decision);
    QCOMPARE(decision.error().code, QStringLiteral("key.locked"));
    const auto signIn = key->signSignIn(auth::SignInClaims {});
    QVERIFY(!signIn);
    QCOMPARE(signIn.error().code, QStringLiteral("key.locked"));

    QVERIFY(key->unlock(secret(kPassphrase)));
    QVERIFY(key->signDecision(sampleClaims()));
}

void TestReviewerKey::idleTimeoutLocks()
{
    auto key = std::move(ReviewerKey::enrol(keyPath(), kReviewer, secret(kPassphrase), kFastCost)).value();
    QSignalSpy changed(key.get(), &ReviewerKey::lockedChanged);
    key->setIdleTimeout(150ms);
    QCOMPARE(key->idleTimeout(), 150ms);
    QVERIFY(key->isUnlocked());
    QTRY_VERIFY_WITH_TIMEOUT(!key->isUnlocked(), 3000);
    QCOMPARE(key->lockReason(), ReviewerKey::LockReason::Idle);
    QCOMPARE(changed.count(), 1);

    // Unlocking starts a new idle period.
    QVERIFY(key->unlock(secret(kPassphrase)));
    QVERIFY(key->isUnlocked());
    QTRY_VERIFY_WITH_TIMEOUT(!key->isUnlocked(), 3000);
}

void TestReviewerKey::activityKeepsItUnlocked()
{
    auto key = std::move(ReviewerKey::enrol(keyPath(), kReviewer, secret(kPassphrase), kFastCost)).value();
    key->setIdleTimeout(400ms);
    QElapsedTimer elapsed;
    elapsed.start();
    while (elapsed.elapsed() < 1000) {
        key->noteActivity();
        QTest::qWait(50);
        QVERIFY(key->isUnlocked());
    }
    QTRY_VERIFY_WITH_TIMEOUT(!key->isUnlocked(), 3000);
}

void TestReviewerKey::zeroTimeoutNeverLocks()
{
    auto key = std::move(ReviewerKey::enrol(keyPath(), kReviewer, secret(kPassphrase), kFastCost)).value();
    key->setIdleTimeout(100ms);
    key->setIdleTimeout(0ms);
    QTest::qWait(300);
    QVERIFY(key->isUnlocked());
}

void TestReviewerKey::checkPassphraseDoesNotChangeTheLockState()
{
    const auto key = enrol();
    QVERIFY(key->checkPassphrase(secret(kPassphrase)));
    const Status wrong = key->checkPassphrase(secret("Correct horse battery staple"));
    QVERIFY(!wrong);
    QCOMPARE(wrong.error().code, QStringLiteral("key.wrong_passphrase"));
    QVERIFY(key->isUnlocked());

    key->lock();
    QVERIFY(key->checkPassphrase(secret(kPassphrase)));
    QVERIFY(!key->isUnlocked());
}

void TestReviewerKey::signedDecisionVerifies()
{
    const auto key = enrol();
    decision::DecisionClaims claims = sampleClaims();
    claims.reviewer = QStringLiteral("someone-else"); // replaced by the key's reviewer
    const auto token = key->signDecision(claims);
    QVERIFY2(token, qPrintable(token ? QString() : token.error().toString()));

    const auto verified = decision::verifyDecision(token.value(), key->publicKey());
    QVERIFY2(verified, qPrintable(verified ? QString() : verified.error().toString()));
    QCOMPARE(verified.value().reviewer, kReviewer);
    QCOMPARE(verified.value().keyId, key->keyId());
    QCOMPARE(verified.value().actionId, claims.actionId);
    QCOMPARE(verified.value().actionDigest, claims.actionDigest);
    QCOMPARE(verified.value().gatewayId, claims.gatewayId);
    QCOMPARE(verified.value().policyVersion, claims.policyVersion);
    QCOMPARE(verified.value().issuedAt, m_clock.nowUtc());

    // A reopened, unlocked key signs for the same public key.
    auto reopened = std::move(ReviewerKey::open(keyPath(), m_clock)).value();
    QVERIFY(reopened->unlock(secret(kPassphrase)));
    QVERIFY(decision::verifyDecision(reopened->signDecision(sampleClaims()).value(), key->publicKey()));
}

void TestReviewerKey::signedSignInVerifies()
{
    const auto key = enrol();
    auth::SignInClaims claims;
    claims.gatewayId = QStringLiteral("gw-test");
    claims.channelBinding = QByteArray(32, '\x07');
    claims.channelBindingType = QString::fromLatin1(auth::kChannelBindingServerEndPoint);
    claims.nonce = auth::newChallengeNonce();
    const auto token = key->signSignIn(claims);
    QVERIFY2(token, qPrintable(token ? QString() : token.error().toString()));
    const auto verified = auth::verifySignIn(token.value(), key->publicKey());
    QVERIFY2(verified, qPrintable(verified ? QString() : verified.error().toString()));
    QCOMPARE(verified.value().reviewer, kReviewer);
    QCOMPARE(verified.value().keyId, key->keyId());
    QCOMPARE(verified.value().nonce, claims.nonce);
}

void TestReviewerKey::fingerprintIsTheGroupedThumbprint()
{
    const auto key = enrol();
    const QString fingerprint = key->fingerprint();
    QCOMPARE(QString(fingerprint).remove(QLatin1Char(' ')), key->keyId());
    QCOMPARE(fingerprint.split(QLatin1Char(' ')).size(), 11); // 43 characters in fours
    QCOMPARE(fingerprint.split(QLatin1Char(' ')).constFirst().size(), 4);
}

void TestReviewerKey::importKeepsAGivenKey()
{
    const auto given = crypto::Ed25519PrivateKey::generate().value();
    auto imported = ReviewerKey::importKey(keyPath(), kReviewer, given.seed(), secret(kPassphrase), kFastCost, m_clock);
    QVERIFY2(imported, qPrintable(imported ? QString() : imported.error().toString()));
    QCOMPARE(imported.value()->publicKey(), given.publicKey());
    auto reopened = std::move(ReviewerKey::open(keyPath(), m_clock)).value();
    QVERIFY(reopened->unlock(secret(kPassphrase)));
    QVERIFY(decision::verifyDecision(reopened->signDecision(sampleClaims()).value(), given.publicKey()));

    const auto bad = ReviewerKey::importKey(m_dir->filePath(QStringLiteral("bad.pem")), kReviewer,
        crypto::SecureBuffer(QByteArrayView("short")), secret(kPassphrase), kFastCost, m_clock);
    QVERIFY(!bad);
    QCOMPARE(bad.error().code, QStringLiteral("key.invalid_seed"));
}

QTEST_GUILESS_MAIN(TestReviewerKey)
#include "test_reviewer_key.moc"
