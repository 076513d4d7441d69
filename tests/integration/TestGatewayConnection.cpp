// The console's real connection class against a real gateway process: pinning, refusal,
// decisions, and exact resume across repeated network drops.
#include "net/WebSocketGatewayConnection.h"
#include "tests/support/GatewayProcess.h"
#include "tests/support/TestAgentClient.h"

#include <QJsonObject>
#include <QSet>
#include <QSignalSpy>
#include <QTest>

using namespace countersign;
using namespace countersign::testsupport;

namespace {

QByteArray paymentBody(int amount, const QString &session)
{
    return submissionBody(QStringLiteral("payments"), QStringLiteral("transfer"),
                          {{QStringLiteral("amount"), amount}, {QStringLiteral("currency"), QStringLiteral("EUR")}},
                          QStringLiteral("alice@example.com"), session);
}

} // namespace

class TestGatewayConnection final : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<GatewayProcess> m_gateway;

    std::unique_ptr<WebSocketGatewayConnection> connectAs(const QString &reviewer, QByteArray pin = {})
    {
        ConnectionSettings settings;
        settings.url = m_gateway->consoleUrl();
        settings.pinnedSha256 = pin.isEmpty() ? m_gateway->fingerprint() : pin;
        settings.bearerToken = m_gateway->reviewerToken(reviewer);
        settings.initialBackoffMs = 50;
        settings.maxBackoffMs = 400;
        return std::make_unique<WebSocketGatewayConnection>(settings);
    }

    QString submit(TestAgentClient &agent, int amount, const QString &session = QStringLiteral("s-1"))
    {
        const HttpResult result = agent.post(QStringLiteral("/v1/actions"), paymentBody(amount, session),
                                             m_gateway->agentToken(GatewayProcess::kPaymentsAgent));
        if (result.status != 202)
            qWarning("submission failed: %s", qPrintable(result.describe()));
        return result.json.value(QStringLiteral("id")).toString();
    }

private Q_SLOTS:
    void init()
    {
        m_gateway = std::make_unique<GatewayProcess>();
        QString error;
        QVERIFY2(m_gateway->start(&error), qPrintable(error));
    }

    void cleanup() { m_gateway.reset(); }

    void connectsReceivesAndDecides()
    {
        auto connection = connectAs(GatewayProcess::kRita);
        QSignalSpy hello(connection.get(), &GatewayConnection::helloReceived);
        QSignalSpy pending(connection.get(), &GatewayConnection::actionPending);
        QSignalSpy results(connection.get(), &GatewayConnection::decisionResult);
        QSignalSpy resolved(connection.get(), &GatewayConnection::actionResolved);
        connection->start();
        QTRY_COMPARE_WITH_TIMEOUT(connection->state(), GatewayConnection::State::Connected, 10000);
        QCOMPARE(hello.count(), 1);
        QCOMPARE(hello.first().first().value<protocol::Hello>().reviewer, GatewayProcess::kRita);

        TestAgentClient agent(m_gateway->agentUrl(), m_gateway->fingerprint());
        const QString id = submit(agent, 25000);
        QVERIFY(!id.isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(pending.count(), 1, 10000);
        const auto frame = pending.first().first().value<protocol::ActionPending>();
        QCOMPARE(frame.action.id, id);
        QCOMPARE(frame.digest, frame.action.digest());

        // Offline decisions fail at once and say so; live ones are answered by the gateway.
        const Status sent = connection->sendDecision(
            {QStringLiteral("r-1"), id, frame.digest, protocol::Verdict::Approve, QStringLiteral("vendor confirmed")});
        QVERIFY(sent.ok());
        QTRY_COMPARE_WITH_TIMEOUT(results.count(), 1, 10000);
        const auto result = results.first().first().value<protocol::DecisionResult>();
        QVERIFY2(result.accepted, qPrintable(result.code + QLatin1Char(' ') + result.message));
        QTRY_COMPARE_WITH_TIMEOUT(resolved.count(), 1, 10000);
        QCOMPARE(resolved.first().first().value<protocol::ActionResolved>().outcome, protocol::Outcome::Approved);

        const HttpResult outcome = agent.get(QStringLiteral("/v1/actions/") + id, m_gateway->agentToken(GatewayProcess::kPaymentsAgent));
        QCOMPARE(outcome.json.value(QStringLiteral("status")).toString(), QStringLiteral("approved"));

        connection->stop();
        const Status offline = connection->sendDecision(
            {QStringLiteral("r-2"), id, frame.digest, protocol::Verdict::Deny, QStringLiteral("too late")});
        QVERIFY(!offline.ok());
        QCOMPARE(offline.error().code, QStringLiteral("connection.offline"));
    }

    void wrongPinIsRefusedAndNamed()
    {
        const QByteArray wrong(64, 'a');
        auto connection = connectAs(GatewayProcess::kRita, wrong);
        QSignalSpy pending(connection.get(), &GatewayConnection::actionPending);
        connection->start();
        QTRY_COMPARE_WITH_TIMEOUT(connection->state(), GatewayConnection::State::Refused, 10000);
        // Both fingerprints are named so a person can compare them with the administrator's.
        QVERIFY2(connection->stateDetail().contains(displayFingerprint(m_gateway->fingerprint())),
                 qPrintable(connection->stateDetail()));
        QVERIFY(connection->stateDetail().contains(displayFingerprint(wrong)));
        // No automatic retry against a gateway that cannot be trusted.
        QTest::qWait(600);
        QCOMPARE(connection->state(), GatewayConnection::State::Refused);
        QCOMPARE(pending.count(), 0);
    }

    void unknownTokenIsRefused()
    {
        ConnectionSettings settings;
        settings.url = m_gateway->consoleUrl();
        settings.pinnedSha256 = m_gateway->fingerprint();
        settings.bearerToken = "not-an-enrolled-token";
        WebSocketGatewayConnection connection(settings);
        connection.start();
        QTRY_COMPARE_WITH_TIMEOUT(connection.state(), GatewayConnection::State::Refused, 10000);
        QVERIFY2(connection.stateDetail().contains(QStringLiteral("refused")), qPrintable(connection.stateDetail()));
    }

    void resumesExactlyAcrossDrops()
    {
        auto connection = connectAs(GatewayProcess::kRita);
        QHash<QString, int> seen;
        qint64 lastSeq = 0;
        bool ordered = true;
        connect(connection.get(), &GatewayConnection::actionPending, this, [&](const protocol::ActionPending &f) {
            ++seen[f.action.id];
            ordered = ordered && f.seq > lastSeq;
            lastSeq = f.seq;
        });
        connect(connection.get(), &GatewayConnection::resyncStarted, this, [&] { lastSeq = 0; });
        int reconnects = 0;
        connect(connection.get(), &GatewayConnection::stateChanged, this, [&](GatewayConnection::State state) {
            reconnects += state == GatewayConnection::State::Reconnecting ? 1 : 0;
        });
        connection->start();
        QTRY_COMPARE_WITH_TIMEOUT(connection->state(), GatewayConnection::State::Connected, 10000);

        TestAgentClient agent(m_gateway->agentUrl(), m_gateway->fingerprint());
        QSet<QString> submitted;
        constexpr int kActions = 120;
        for (int i = 0; i < kActions; ++i) {
            const QString id = submit(agent, 20000 + i, QStringLiteral("s-%1").arg(i));
            QVERIFY(!id.isEmpty());
            submitted.insert(id);
            if (i % 15 == 7) {
                // Drop a live connection; the next submissions happen while it is down, and it
                // must come back by itself and catch up.
                QTRY_COMPARE_WITH_TIMEOUT(connection->state(), GatewayConnection::State::Connected, 10000);
                connection->simulateNetworkDrop();
            }
        }
        QTRY_COMPARE_WITH_TIMEOUT(seen.size(), kActions, 30000);
        QTRY_COMPARE_WITH_TIMEOUT(connection->state(), GatewayConnection::State::Connected, 10000);
        QCOMPARE(QSet<QString>(seen.keyBegin(), seen.keyEnd()), submitted);
        for (auto it = seen.cbegin(); it != seen.cend(); ++it)
            QVERIFY2(it.value() == 1, qPrintable(it.key() + QStringLiteral(" delivered %1 times").arg(it.value())));
        QVERIFY(ordered);
        QVERIFY2(reconnects >= 7, qPrintable(QStringLiteral("only %1 reconnects").arg(reconnects)));
    }
};

QTEST_GUILESS_MAIN(TestGatewayConnection)
#include "TestGatewayConnection.moc"
