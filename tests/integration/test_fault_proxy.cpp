// The console's connection through a fault-injecting TCP proxy to a real gateway: 10,000 actions
// submitted while the proxy drops, resets, truncates and stalls the console's connection 100
// times. At the end the console holds exactly the gateway's pending set; every event arrived
// once, in order, without a gap; and the console came back by itself each time.
#include "core/auth/SignIn.h"
#include "net/WebSocketGatewayConnection.h"
#include "tests/support/FaultProxy.h"
#include "tests/support/GatewayProcess.h"
#include "tests/support/TestAgentClient.h"

#include <QRandomGenerator>
#include <QSet>
#include <QSignalSpy>
#include <QTest>

using namespace countersign;
using namespace countersign::testsupport;

class TestFaultProxy final : public QObject
{
    Q_OBJECT

    std::unique_ptr<GatewayProcess> m_gateway;

private Q_SLOTS:
    void init()
    {
        m_gateway = std::make_unique<GatewayProcess>();
        QString error;
        QVERIFY2(m_gateway->start(&error), qPrintable(error));
    }

    void cleanup() { m_gateway.reset(); }

    void consoleMatchesTheGatewayThroughAHundredCuts()
    {
        const int actions = qEnvironmentVariableIntValue("COUNTERSIGN_FAULT_ACTIONS") > 0
            ? qEnvironmentVariableIntValue("COUNTERSIGN_FAULT_ACTIONS")
            : 10'000;
        constexpr int kCuts = 100;
        const quint32 seed = QRandomGenerator::global()->generate();
        qInfo("fault seed %u (actions %d, cuts %d)", seed, actions, kCuts);
        QRandomGenerator random(seed);

        FaultProxy proxy(QHostAddress::LocalHost, quint16(m_gateway->consoleUrl().port()));
        QVERIFY(proxy.listen());
        QUrl url = m_gateway->consoleUrl();
        url.setPort(proxy.port());

        ConnectionSettings settings = m_gateway->connectionSettings(GatewayProcess::kRita, url);
        settings.initialBackoffMs = 20;
        settings.maxBackoffMs = 300;
        WebSocketGatewayConnection connection(settings);

        // The console's picture, kept as the queue model keeps it.
        QSet<QString> pending;
        QHash<QString, int> deliveries;
        qint64 lastSeq = 0;
        QString orderError;
        int resyncs = 0;
        int reconnects = 0;
        connect(&connection, &GatewayConnection::resyncStarted, this, [&] {
            ++resyncs;
            pending.clear();
            deliveries.clear();
            lastSeq = 0;
        });
        const auto checkSeq = [&](qint64 seq) {
            // A replay is gapless; a snapshot (after a resync) skips the seqs of resolved actions.
            if (seq <= lastSeq && orderError.isEmpty())
                orderError = QStringLiteral("seq %1 after %2").arg(seq).arg(lastSeq);
            lastSeq = seq;
        };
        connect(&connection, &GatewayConnection::actionPending, this, [&](const protocol::ActionPending &frame) {
            checkSeq(frame.seq);
            pending.insert(frame.action.id);
            ++deliveries[frame.action.id];
        });
        connect(&connection, &GatewayConnection::actionResolved, this, [&](const protocol::ActionResolved &frame) {
            checkSeq(frame.seq);
            pending.remove(frame.actionId);
        });
        connect(&connection, &GatewayConnection::stateChanged, this, [&](GatewayConnection::State state) {
            reconnects += state == GatewayConnection::State::Reconnecting ? 1 : 0;
        });
        connection.start();
        QTRY_COMPARE_WITH_TIMEOUT(connection.state(), GatewayConnection::State::Connected, 10000);

        TestAgentClient agent(m_gateway->agentUrl(), m_gateway->fingerprint());
        const int every = qMax(1, actions / kCuts);
        int cuts = 0;
        for (int i = 0; i < actions; ++i) {
            const QByteArray body = submissionBody(
                QStringLiteral("payments"), QStringLiteral("transfer"),
                {{QStringLiteral("amount"), 20000 + i}, {QStringLiteral("currency"), QStringLiteral("EUR")}},
                QStringLiteral("alice@example.com"), QStringLiteral("s-%1").arg(i % 50));
            const HttpResult result = agent.post(QStringLiteral("/v1/actions"), body,
                                                 m_gateway->agentToken(GatewayProcess::kPaymentsAgent));
            QVERIFY2(result.status == 202, qPrintable(result.describe()));
            if (i % every == every / 2 && cuts < kCuts) {
                // Each cut hits a live session: the previous one has been cut and come back.
                QTRY_VERIFY_WITH_TIMEOUT(reconnects >= cuts && connection.state() == GatewayConnection::State::Connected, 20000);
                ++cuts;
                switch (random.bounded(4)) {
                case 0: proxy.inject(FaultProxy::Fault::Drop); break;
                case 1: proxy.inject(FaultProxy::Fault::Reset); break;
                case 2: proxy.inject(FaultProxy::Fault::Truncate); break;
                default:
                    // A stall first, then the cut while bytes are held back.
                    proxy.inject(FaultProxy::Fault::Delay, int(random.bounded(50, 400)));
                    proxy.inject(FaultProxy::Fault::Reset);
                    break;
                }
            }
        }
        QCOMPARE(cuts, kCuts);

        // Settled: connected again and caught up with the gateway's head.
        QTRY_VERIFY_WITH_TIMEOUT(connection.state() == GatewayConnection::State::Connected
                                     && pending == m_gateway->pendingActionIds(),
                                 120000);
        QVERIFY2(orderError.isEmpty(), qPrintable(orderError));
        for (auto it = deliveries.cbegin(); it != deliveries.cend(); ++it)
            QVERIFY2(it.value() == 1, qPrintable(it.key() + QStringLiteral(" delivered %1 times").arg(it.value())));
        QVERIFY2(reconnects >= kCuts, qPrintable(QStringLiteral("only %1 reconnects for %2 cuts").arg(reconnects).arg(kCuts)));
        qInfo("%d actions, %d cuts, %d reconnects, %d resyncs, %lld pending", actions, cuts, reconnects, resyncs,
              qint64(pending.size()));
    }
};

QTEST_GUILESS_MAIN(TestFaultProxy)
#include "test_fault_proxy.moc"
