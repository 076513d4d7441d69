// The gateway killed with SIGKILL at random moments while agents submit and a reviewer decides,
// then started again on the same data: every submission it acknowledged (202) is still there,
// every decision it accepted is recorded and in effect, and what fell due while it was down is
// denied by timeout the moment it starts, before anyone can decide it.
#include "tests/support/GatewayProcess.h"
#include "tests/support/TestAgentClient.h"
#include "tests/support/TestConsoleClient.h"

#include <QRandomGenerator>
#include <QTest>
#include <QTimer>

using namespace countersign;
using namespace countersign::testsupport;

class TestGatewayCrash final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void acknowledgedWorkSurvivesKillNine()
    {
        GatewayProcess gateway;
        QString error;
        QVERIFY2(gateway.start(&error), qPrintable(error));
        const quint32 seed = QRandomGenerator::global()->generate();
        qInfo("kill seed %u", seed);
        QRandomGenerator random(seed);

        QHash<QString, bool> acknowledged;   // id -> is a quick-deadline deletion
        QHash<QString, QByteArray> accepted; // id -> the accepted deny's token
        constexpr int kRounds = 12;
        int submissions = 0;
        for (int round = 0; round < kRounds; ++round) {
            auto console = gateway.console(GatewayProcess::kRita);
            QVERIFY(console->open());
            QVERIFY(console->subscribe(0));
            TestAgentClient agent(gateway.agentUrl(), gateway.fingerprint());

            bool killed = false;
            QTimer::singleShot(int(random.bounded(80, 700)), [&] {
                gateway.kill();
                killed = true;
            });
            QStringList undecided;
            for (int i = 0; !killed; ++i) {
                if (i % 3 == 2 && !undecided.isEmpty()) {
                    const QString id = undecided.takeFirst();
                    if (!console->waitUntil([&] { return console->pending(id).has_value() || killed; }, 3000) || killed)
                        break;
                    const auto result = console->decide(id, console->pending(id)->digest, protocol::Verdict::Deny,
                                                        QStringLiteral("round %1").arg(round), {}, 3000);
                    if (result && result->accepted)
                        accepted.insert(id, console->sentDecisions().constLast());
                    continue;
                }
                const bool quick = i % 3 == 1;
                const QByteArray body = quick
                    ? submissionBody(QStringLiteral("files"), QStringLiteral("delete"),
                                     {{QStringLiteral("path"), QStringLiteral("/srv/r%1/%2").arg(round).arg(i)}})
                    : submissionBody(QStringLiteral("payments"), QStringLiteral("transfer"),
                                     {{QStringLiteral("amount"), 20000 + submissions}, {QStringLiteral("currency"), QStringLiteral("EUR")}});
                const HttpResult result = agent.post(QStringLiteral("/v1/actions"), body,
                                                     gateway.agentToken(GatewayProcess::kPaymentsAgent), "application/json", 3000);
                if (result.status != 202)
                    break; // killed mid-request: not acknowledged, so nothing is owed
                const QString id = result.json.value(QStringLiteral("id")).toString();
                acknowledged.insert(id, quick);
                ++submissions;
                if (!quick)
                    undecided.append(id);
            }
            QTRY_VERIFY_WITH_TIMEOUT(killed, 10000);
            console.reset();

            if (round == kRounds - 1) {
                // Down long enough for every quick deletion to fall due.
                QTest::qWait((GatewayProcess::Options{}.shortDeadlineSeconds + 1) * 1000);
            }
            QVERIFY2(gateway.start(&error), qPrintable(error));
            const QHash<QString, QString> statuses = gateway.actionStatuses();
            for (auto it = acknowledged.cbegin(); it != acknowledged.cend(); ++it)
                QVERIFY2(statuses.contains(it.key()), qPrintable(QStringLiteral("acknowledged %1 lost in round %2").arg(it.key()).arg(round)));
            for (auto it = accepted.cbegin(); it != accepted.cend(); ++it) {
                QCOMPARE(statuses.value(it.key()), QStringLiteral("denied"));
                bool recorded = false;
                for (const GatewayProcess::StoredDecision &stored : gateway.storedDecisions(it.key()))
                    recorded = recorded || (stored.accepted && stored.token == it.value());
                QVERIFY2(recorded, qPrintable(QStringLiteral("accepted decision for %1 lost").arg(it.key())));
            }
        }

        // Read at once after the last start: everything that fell due while it was down is
        // already denied by timeout.
        const QHash<QString, QString> statuses = gateway.actionStatuses();
        int expired = 0;
        for (auto it = acknowledged.cbegin(); it != acknowledged.cend(); ++it) {
            if (it.value() && !accepted.contains(it.key())) {
                QCOMPARE(statuses.value(it.key()), QStringLiteral("expired"));
                ++expired;
            }
        }
        QVERIFY(expired > 0);
        QVERIFY2(!accepted.isEmpty(), "no decision was accepted before a kill");
        qInfo("%d rounds: %lld submissions acknowledged, %lld decisions accepted, %d expired on start", kRounds,
              qint64(acknowledged.size()), qint64(accepted.size()), expired);
    }
};

QTEST_GUILESS_MAIN(TestGatewayCrash)
#include "test_gateway_crash.moc"
