// The verifier in-process: progress reports and cancellation on a log of some size, the reading
// of the reviewer list as the control plane prints it, and a chain that was rewritten whole
// (every hash recomputed after an edit) caught by the signed checkpoint that came before.
#include "core/audit/AuditVerifier.h"

#include "core/audit/AuditLog.h"
#include "core/crypto/Jwk.h"
#include "tests/support/RawSqlite.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <sqlite3.h>

using namespace countersign;
using namespace countersign::audit;
using countersign::testsupport::execRaw;

namespace {

constexpr int kEntries = 20'000;

NewEntry entryNumber(int i)
{
    return NewEntry{QStringLiteral("policy.outcome"), QStringLiteral("gateway"), QStringLiteral("act-%1").arg(i),
                    QJsonObject{{QStringLiteral("n"), i}}};
}

} // namespace

class TestAuditVerifier final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void reportsProgressAndVerifies();
    void cancelStopsEarly();
    void rewrittenChainIsCaughtByTheEarlierCheckpoint();
    void reviewerListIsRead();
    void reviewerListErrorsNameTheEntry_data();
    void reviewerListErrorsNameTheEntry();

private:
    QTemporaryDir m_dir;
    QString m_path;
    std::optional<crypto::Ed25519PrivateKey> m_gateway;
};

void TestAuditVerifier::initTestCase()
{
    m_gateway.emplace(crypto::Ed25519PrivateKey::generate().value());
    m_path = m_dir.filePath(QStringLiteral("big.db"));
    auto log = AuditLog::open(m_path);
    QVERIFY(log);
    QList<NewEntry> batch;
    for (int i = 1; i <= kEntries; ++i) {
        batch.append(entryNumber(i));
        if (batch.size() == 1000) {
            QVERIFY(log.value()->appendBatch(batch));
            batch.clear();
            if (i == 5000)
                QVERIFY(log.value()->writeCheckpoint(QStringLiteral("countersign.test/gw"), *m_gateway));
        }
    }
    QVERIFY(log.value()->writeCheckpoint(QStringLiteral("countersign.test/gw"), *m_gateway));
}

void TestAuditVerifier::reportsProgressAndVerifies()
{
    VerifyOptions options;
    options.gatewayKey = m_gateway->publicKey();
    QList<QPair<qint64, qint64>> calls;
    options.progress = [&calls](qint64 done, qint64 total) {
        calls.append({done, total});
        return true;
    };
    const auto report = verifyLog(m_path, options);
    QVERIFY(report);
    QVERIFY2(report.value().ok, qPrintable(report.value().reason));
    QCOMPARE(report.value().entriesChecked, kEntries);
    QCOMPARE(report.value().checkpointsChecked, 2);
    QVERIFY(calls.size() >= 4);
    QCOMPARE(calls.last(), (QPair<qint64, qint64>{kEntries, kEntries}));
    for (qsizetype i = 1; i < calls.size(); ++i)
        QVERIFY(calls.at(i).first > calls.at(i - 1).first);
}

void TestAuditVerifier::cancelStopsEarly()
{
    VerifyOptions options;
    int calls = 0;
    options.progress = [&calls](qint64, qint64) { return ++calls < 2; };
    const auto report = verifyLog(m_path, options);
    QVERIFY(report);
    QVERIFY(report.value().cancelled);
    QVERIFY(!report.value().ok);
    QVERIFY(report.value().entriesChecked < kEntries);
    QCOMPARE(calls, 2);
}

void TestAuditVerifier::rewrittenChainIsCaughtByTheEarlierCheckpoint()
{
    // Someone with write access rebuilds a consistent history from entry 100 on (a new log with
    // different content, every hash right) and copies the checkpoints over. Only the signed
    // checkpoint at 5000 can tell: its root is not that of the rewritten first 5000 entries.
    const QString forged = m_dir.filePath(QStringLiteral("forged.db"));
    {
        auto log = AuditLog::open(forged);
        QVERIFY(log);
        QList<NewEntry> batch;
        for (int i = 1; i <= kEntries; ++i) {
            NewEntry entry = entryNumber(i);
            if (i == 100)
                entry.subject = QStringLiteral("act-rewritten");
            batch.append(entry);
        }
        QVERIFY(log.value()->appendBatch(batch));
    }
    const QByteArray attach = QByteArray("ATTACH DATABASE '") + m_path.toUtf8()
        + "' AS original; INSERT INTO checkpoints SELECT * FROM original.checkpoints;";
    QCOMPARE(execRaw(forged, attach.constData()), SQLITE_OK);
    VerifyOptions options;
    options.gatewayKey = m_gateway->publicKey();
    const auto report = verifyLog(forged, options);
    QVERIFY(report);
    QVERIFY(!report.value().ok);
    QCOMPARE(report.value().code, QStringLiteral("audit.checkpoint_root"));
    QCOMPARE(report.value().firstBadSeq, 5000);
}

void TestAuditVerifier::reviewerListIsRead()
{
    const auto rita = crypto::Ed25519PrivateKey::generate().value();
    const QJsonObject list{
        {QStringLiteral("reviewers"),
         QJsonArray{QJsonObject{{QStringLiteral("id"), QStringLiteral("rita@example.com")},
                                {QStringLiteral("role"), QStringLiteral("reviewer")},
                                {QStringLiteral("key"), crypto::publicKeyToJwk(rita.publicKey())},
                                {QStringLiteral("keyId"), QStringLiteral("a stale or forged thumbprint is ignored")},
                                {QStringLiteral("revokedAt"), QStringLiteral("2026-02-01T00:00:00.000Z")}}}}};
    const auto reviewers = parseReviewerKeys(QJsonDocument(list).toJson());
    QVERIFY2(reviewers, qPrintable(reviewers ? QString() : reviewers.error().toString()));
    QCOMPARE(reviewers.value().size(), 1);
    QCOMPARE(reviewers.value().first().id, QStringLiteral("rita@example.com"));
    QCOMPARE(reviewers.value().first().keyId.toLatin1(), crypto::jwkThumbprint(rita.publicKey()));
    // A bare array of the same objects reads the same.
    const auto bare = parseReviewerKeys(QJsonDocument(list.value(QStringLiteral("reviewers")).toArray()).toJson());
    QVERIFY(bare);
    QCOMPARE(bare.value().first().key, rita.publicKey());
}

void TestAuditVerifier::reviewerListErrorsNameTheEntry_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("named");
    QTest::newRow("not json") << QByteArray("{reviewers") << "json.syntax" << "";
    QTest::newRow("wrong shape") << QByteArray("{\"people\":[]}") << "audit.invalid_reviewers" << "reviewers";
    QTest::newRow("no id") << QByteArray("{\"reviewers\":[{\"key\":{}}]}") << "audit.invalid_reviewers" << "reviewers[0]";
    QTest::newRow("bad key") << QByteArray("{\"reviewers\":[{\"id\":\"a\",\"key\":{\"kty\":\"RSA\"}}]}") << "audit.invalid_reviewers"
                             << "reviewers[0]";
}

void TestAuditVerifier::reviewerListErrorsNameTheEntry()
{
    QFETCH(QByteArray, text);
    QFETCH(QString, code);
    QFETCH(QString, named);
    const auto reviewers = parseReviewerKeys(text);
    QVERIFY(!reviewers);
    QCOMPARE(reviewers.error().code, code);
    QVERIFY2(reviewers.error().message.contains(named), qPrintable(reviewers.error().message));
}

QTEST_GUILESS_MAIN(TestAuditVerifier)
#include "test_audit_verifier.moc"
