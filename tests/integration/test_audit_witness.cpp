// The console as a witness of a real gateway's audit log, over real TLS: it holds the first
// checkpoint, accepts a grown log only with a consistency proof it verified, keeps its journal
// of what it was shown and witnessed, and raises the alarm when the gateway is restarted on a
// rolled-back copy of its audit log and grows it again with other entries (history rewritten).
#include "core/audit/AuditLog.h"
#include "core/audit/AuditVerifier.h"
#include "core/auth/SignIn.h"
#include "net/AuditWitness.h"
#include "net/ConsoleJournal.h"
#include "net/WebSocketGatewayConnection.h"
#include "tests/support/GatewayProcess.h"
#include "tests/support/TestAgentClient.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace countersign;
using namespace countersign::testsupport;

class TestAuditWitness final : public QObject
{
    Q_OBJECT

    std::unique_ptr<GatewayProcess> m_gateway;
    QTemporaryDir m_consoleDir;

    // One console session: a connection as rita with a witness over the shared journal.
    struct Console
    {
        std::unique_ptr<WebSocketGatewayConnection> connection;
        std::unique_ptr<AuditWitness> witness;
    };

    Console openConsole(ConsoleJournal &journal)
    {
        const ConnectionSettings settings = m_gateway->connectionSettings(GatewayProcess::kRita);
        Console console;
        console.connection = std::make_unique<WebSocketGatewayConnection>(settings);
        journal.attach(*console.connection);
        console.witness = std::make_unique<AuditWitness>(
            *console.connection, journal, crypto::Ed25519PublicKey::fromRaw(m_gateway->gatewayPublicKey()).value());
        return console;
    }

    void submit(int count, int from)
    {
        TestAgentClient agent(m_gateway->agentUrl(), m_gateway->fingerprint());
        for (int i = 0; i < count; ++i) {
            const QByteArray body = submissionBody(QStringLiteral("payments"), QStringLiteral("transfer"),
                                                   {{QStringLiteral("amount"), 20000 + from + i},
                                                    {QStringLiteral("currency"), QStringLiteral("EUR")}});
            const HttpResult result = agent.post(QStringLiteral("/v1/actions"), body,
                                                 m_gateway->agentToken(GatewayProcess::kPaymentsAgent));
            QCOMPARE(result.status, 202);
        }
    }

    QString auditPath() const { return QDir(m_gateway->dataDir()).filePath(QStringLiteral("audit.db")); }

    static void copyLog(const QString &from, const QString &to)
    {
        for (const QString &suffix : {QString(), QStringLiteral("-wal"), QStringLiteral("-shm")}) {
            QFile::remove(to + suffix);
            if (QFile::exists(from + suffix))
                QVERIFY(QFile::copy(from + suffix, to + suffix));
        }
    }

    QList<audit::AuditEntry> journalEntries(const QString &kind)
    {
        auto log = audit::AuditLog::open(m_consoleDir.filePath(QStringLiteral("journal.db")), {.readOnly = true});
        if (!log)
            return {};
        audit::EntryFilter filter;
        filter.kinds = {kind};
        return log.value()->entries(0, 1000, filter).value();
    }

private Q_SLOTS:
    void init()
    {
        m_gateway = std::make_unique<GatewayProcess>();
        QString error;
        QVERIFY2(m_gateway->start(&error), qPrintable(error));
    }

    void cleanup() { m_gateway.reset(); }

    void witnessesAGrowingLogAndCatchesARewrittenOne()
    {
        auto journal = ConsoleJournal::open(m_consoleDir.filePath(QStringLiteral("journal.db")));
        QVERIFY2(journal, journal ? "" : qPrintable(journal.error().toString()));
        QString error;

        // 1. Two actions; then the gateway is stopped and its audit log copied: the "backup".
        submit(2, 0);
        m_gateway->stop();
        const QString backup = m_consoleDir.filePath(QStringLiteral("audit-backup.db"));
        copyLog(auditPath(), backup);
        QVERIFY2(m_gateway->restart(&error), qPrintable(error));

        // 2. The console's first checkpoint is held on trust.
        qint64 firstSize = 0;
        {
            Console console = openConsole(*journal.value());
            QSignalSpy witnessed(console.witness.get(), &AuditWitness::witnessed);
            QSignalSpy shown(console.connection.get(), &GatewayConnection::actionPending);
            console.connection->start();
            QVERIFY(witnessed.wait(15000));
            firstSize = witnessed.first().first().toLongLong();
            QVERIFY(firstSize >= 3);
            QCOMPARE(console.witness->last()->checkpoint.size, firstSize);
            QTRY_COMPARE(shown.size(), 2);
            console.connection->stop();
        }

        // 3. The log grows; the next session's checkpoint is accepted with a proof it verified.
        submit(3, 10);
        qint64 secondSize = 0;
        {
            Console console = openConsole(*journal.value());
            QSignalSpy witnessed(console.witness.get(), &AuditWitness::witnessed);
            QSignalSpy alarms(console.witness.get(), &AuditWitness::alarmRaised);
            console.connection->start();
            QVERIFY(witnessed.wait(15000));
            secondSize = witnessed.first().first().toLongLong();
            QVERIFY2(secondSize > firstSize + 3, qPrintable(QString::number(secondSize)));
            QCOMPARE(alarms.size(), 0);
            console.connection->stop();
        }
        const QList<audit::AuditEntry> held = journalEntries(QString::fromLatin1(AuditWitness::kWitnessed));
        QCOMPARE(held.size(), 2);
        const QJsonObject accepted = QJsonDocument::fromJson(held.last().payload).object();
        QCOMPARE(accepted.value(QStringLiteral("previousSize")).toInteger(), firstSize);
        QVERIFY(!accepted.value(QStringLiteral("proof")).toArray().isEmpty());

        // 4. The gateway is made to rewrite history: restarted on the backup, it grows the log
        // past what the console witnessed, with other entries, and signs it with its real key.
        m_gateway->stop();
        copyLog(backup, auditPath());
        QVERIFY2(m_gateway->restart(&error), qPrintable(error));
        submit(int(secondSize) + 2, 100);
        {
            Console console = openConsole(*journal.value());
            QSignalSpy witnessed(console.witness.get(), &AuditWitness::witnessed);
            QSignalSpy alarms(console.witness.get(), &AuditWitness::alarmRaised);
            console.connection->start();
            QVERIFY(alarms.wait(15000));
            const auto alarm = alarms.first().first().value<WitnessAlarm>();
            QCOMPARE(alarm.code, QStringLiteral("audit.inconsistent"));
            QVERIFY2(alarm.detail.contains(QStringLiteral("%1 entries this console witnessed").arg(secondSize)),
                     qPrintable(alarm.detail));
            QCOMPARE(witnessed.size(), 0);
            // What it held before stays what it holds.
            QCOMPARE(console.witness->last()->checkpoint.size, secondSize);
            console.connection->stop();
        }

        // 5. The evidence: both signed notes and the gateway's proof, in a journal that itself
        // verifies, with what the console was shown and nothing in it that is not.
        const QList<audit::AuditEntry> evidence = journalEntries(QString::fromLatin1(AuditWitness::kInconsistent));
        QCOMPARE(evidence.size(), 1);
        const QJsonObject kept = QJsonDocument::fromJson(evidence.first().payload).object();
        const auto witnessedNote = audit::readSignedCheckpoint(kept.value(QStringLiteral("witnessedNote")).toString().toUtf8(),
                                                               QStringLiteral("countersign/") + m_gateway->gatewayId(),
                                                               crypto::Ed25519PublicKey::fromRaw(m_gateway->gatewayPublicKey()).value());
        QVERIFY(witnessedNote);
        QCOMPARE(witnessedNote.value().checkpoint.size, secondSize);
        QVERIFY(kept.contains(QStringLiteral("newNote")));
        QVERIFY(kept.contains(QStringLiteral("proof")));
        QVERIFY(!journalEntries(QStringLiteral("action.shown")).isEmpty());
        journal.value().reset();
        auto report = audit::verifyLog(m_consoleDir.filePath(QStringLiteral("journal.db")), {});
        QVERIFY(report);
        QVERIFY2(report.value().ok, qPrintable(report.value().reason));
    }
};

QTEST_GUILESS_MAIN(TestAuditWitness)
#include "test_audit_witness.moc"
