// The console's decision path (countersign-test-console: the real connection, journal and
// outbox) killed with SIGKILL at 50 random moments while it signs and sends decisions against a
// real gateway, then started again on the same journal. Afterwards every decision it signed was
// either answered by the gateway or re-sent after a restart, none was re-sent twice by one run, and the
// gateway accepted each signed decision at most once and decided each action at most once.
#include "core/audit/AuditLog.h"
#include "tests/support/GatewayProcess.h"
#include "tests/support/TestAgentClient.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

using namespace countersign;
using namespace countersign::testsupport;

class TestConsoleCrash final : public QObject
{
    Q_OBJECT

    std::unique_ptr<QProcess> startConsole(const GatewayProcess &gateway, const QString &journal)
    {
        auto process = std::make_unique<QProcess>();
        process->setProgram(QStringLiteral(COUNTERSIGN_BIN_DIR "/countersign-test-console"));
        process->setArguments({QStringLiteral("--gateway"), gateway.consoleUrl().toString(),
                               QStringLiteral("--pin"), QString::fromLatin1(gateway.fingerprint()),
                               QStringLiteral("--gateway-key"),
                               QString::fromLatin1(gateway.gatewayPublicKey().toBase64(QByteArray::Base64UrlEncoding
                                                                                        | QByteArray::OmitTrailingEquals)),
                               QStringLiteral("--journal"), journal, QStringLiteral("--reviewer"), GatewayProcess::kRita,
                               QStringLiteral("--pace"), QStringLiteral("5")});
        process->setProcessChannelMode(QProcess::ForwardedErrorChannel);
        process->start();
        if (!process->waitForStarted(30'000))
            return nullptr;
        // The test key travels over a pipe, never in arguments or files.
        process->write(QByteArray(gateway.reviewerKey(GatewayProcess::kRita).seed().view().toByteArray().toHex() + '\n'));
        process->closeWriteChannel();
        return process;
    }

private Q_SLOTS:
    void decisionsSurviveKillNine()
    {
        GatewayProcess gateway;
        QString error;
        QVERIFY2(gateway.start(&error), qPrintable(error));
        constexpr int kActions = 400;
        constexpr int kKills = 50;
        TestAgentClient agent(gateway.agentUrl(), gateway.fingerprint());
        for (int i = 0; i < kActions; ++i) {
            const HttpResult result = agent.post(
                QStringLiteral("/v1/actions"),
                submissionBody(QStringLiteral("payments"), QStringLiteral("transfer"),
                               {{QStringLiteral("amount"), 20000 + i}, {QStringLiteral("currency"), QStringLiteral("EUR")}}),
                gateway.agentToken(GatewayProcess::kPaymentsAgent));
            QCOMPARE(result.status, 202);
        }

        QTemporaryDir dir;
        const QString journal = dir.filePath(QStringLiteral("journal.db"));
        const quint32 seed = QRandomGenerator::global()->generate();
        qInfo("kill seed %u", seed);
        QRandomGenerator random(seed);
        QList<QByteArray> runs; // each console run's output
        for (int kill = 0; kill < kKills; ++kill) {
            auto console = startConsole(gateway, journal);
            QVERIFY(console);
            QTest::qWait(int(random.bounded(150, 700)));
            console->kill(); // SIGKILL
            QVERIFY(console->waitForFinished(30'000));
            runs.append(console->readAllStandardOutput());
        }
        // A last run, left to finish the work.
        auto console = startConsole(gateway, journal);
        QVERIFY(console);
        QTRY_VERIFY_WITH_TIMEOUT(gateway.pendingActionIds().isEmpty(), 240'000); // generous: a loaded machine
        QTest::qWait(3000); // the answers to the last decisions, and the journal's batch (loaded machines)
        console->terminate();
        QVERIFY(console->waitForFinished(30'000));
        runs.append(console->readAllStandardOutput());
        const QByteArray output = runs.join();
        qInfo("%lld decisions signed, %lld re-sent over %d kills", qint64(output.count("signed ")), qint64(output.count("resent ")),
              kKills);

        // Each run sends an unsettled decision once, never twice: a session resends what is
        // unsettled when it comes back, and nothing more.
        for (const QByteArray &run : std::as_const(runs)) {
            QHash<QByteArray, int> resentInRun;
            for (const QByteArray &line : run.split('\n')) {
                if (line.startsWith("resent "))
                    QVERIFY2(++resentInRun[line.split(' ').value(1)] == 1, line.constData());
            }
        }

        // The journal: every signed decision answered or re-sent.
        auto log = audit::AuditLog::open(journal, {.readOnly = true});
        QVERIFY(log);
        QHash<QString, QString> signedFor; // request id -> action id
        QHash<QString, int> resent;
        QSet<QString> answered;
        QSet<QString> abandoned;
        qint64 after = 0;
        for (;;) {
            auto page = log.value()->entries(after, audit::kMaxPageSize);
            QVERIFY(page);
            for (const audit::AuditEntry &entry : page.value()) {
                const QString requestId = QJsonDocument::fromJson(entry.payload).object().value(QStringLiteral("requestId")).toString();
                if (entry.kind == QLatin1String("decision.signed"))
                    signedFor.insert(requestId, entry.subject);
                else if (entry.kind == QLatin1String("decision.resent"))
                    ++resent[requestId];
                else if (entry.kind == QLatin1String("decision.answered"))
                    answered.insert(requestId);
                else if (entry.kind == QLatin1String("decision.abandoned"))
                    abandoned.insert(requestId);
            }
            if (page.value().size() < audit::kMaxPageSize)
                break;
            after = page.value().constLast().seq;
        }
        QVERIFY(signedFor.size() >= kActions);
        for (auto it = signedFor.cbegin(); it != signedFor.cend(); ++it) {
            QVERIFY2(answered.contains(it.key()) || resent.contains(it.key()),
                     qPrintable(QStringLiteral("%1 for %2 neither answered nor re-sent").arg(it.key(), it.value())));
            QVERIFY(!abandoned.contains(it.key())); // deadlines are minutes away
        }
        QVERIFY2(!resent.isEmpty(), "no kill left a decision unanswered: the test did not exercise the outbox");

        // The gateway: every action denied, each by exactly one accepted decision.
        const QHash<QString, QString> statuses = gateway.actionStatuses();
        QCOMPARE(statuses.size(), kActions);
        for (auto it = statuses.cbegin(); it != statuses.cend(); ++it) {
            QCOMPARE(it.value(), QStringLiteral("denied"));
            int accepted = 0;
            for (const GatewayProcess::StoredDecision &stored : gateway.storedDecisions(it.key()))
                accepted += stored.accepted ? 1 : 0;
            QCOMPARE(accepted, 1);
        }
    }
};

QTEST_GUILESS_MAIN(TestConsoleCrash)
#include "test_console_crash.moc"
