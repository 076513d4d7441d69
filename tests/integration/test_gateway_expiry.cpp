// Silence never approves: with no console connected at all, every pending action is denied by
// timeout, and within a second of its deadline.
#include "tests/support/GatewayProcess.h"
#include "tests/support/TestAgentClient.h"

#include <QTest>

using namespace countersign;
using namespace countersign::testsupport;

class TestGatewayExpiry final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void deniedByTimeoutWithinASecondWithNoConsole()
    {
        GatewayProcess gateway;
        QString error;
        QVERIFY2(gateway.start(&error), qPrintable(error));
        TestAgentClient agent(gateway.agentUrl(), gateway.fingerprint());
        constexpr int kActions = 60;
        QStringList ids;
        for (int i = 0; i < kActions; ++i) {
            const HttpResult result = agent.post(
                QStringLiteral("/v1/actions"),
                submissionBody(QStringLiteral("files"), QStringLiteral("delete"), {{QStringLiteral("path"), QStringLiteral("/srv/%1").arg(i)}}),
                gateway.agentToken(GatewayProcess::kPaymentsAgent));
            QCOMPARE(result.status, 202);
            ids.append(result.json.value(QStringLiteral("id")).toString());
            if (i % 10 == 9)
                QTest::qWait(150); // deadlines spread over about a second
        }
        QTRY_COMPARE_WITH_TIMEOUT(gateway.resolutions().size(), qsizetype(kActions), 15000);
        const QHash<QString, GatewayProcess::Resolution> resolved = gateway.resolutions();
        qint64 latest = 0;
        for (const QString &id : std::as_const(ids)) {
            const GatewayProcess::Resolution resolution = resolved.value(id);
            QCOMPARE(resolution.status, QStringLiteral("expired"));
            const qint64 lateMs = resolution.deadline.msecsTo(resolution.resolvedAt);
            QVERIFY2(lateMs >= 0 && lateMs < 1000, qPrintable(QStringLiteral("%1 expired %2 ms after its deadline").arg(id).arg(lateMs)));
            latest = qMax(latest, lateMs);
        }
        qInfo("%d actions denied by timeout, the latest %lld ms after its deadline", kActions, latest);
    }
};

QTEST_GUILESS_MAIN(TestGatewayExpiry)
#include "test_gateway_expiry.moc"
