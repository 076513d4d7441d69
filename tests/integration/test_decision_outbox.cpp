// The console's decision outbox against a real gateway over real TLS, with the console "crashing"
// (everything torn down without waiting for the answer) and starting again on the same journal:
// an unanswered decision is sent once more after the restart and counted once by the gateway;
// a second restart sends nothing; one whose deadline passed in the meantime is abandoned, not
// sent.
#include "core/ServerTime.h"
#include "core/auth/SignIn.h"
#include "core/decision/SignedDecision.h"
#include "net/ConsoleJournal.h"
#include "net/DecisionOutbox.h"
#include "net/WebSocketGatewayConnection.h"
#include "tests/support/GatewayProcess.h"
#include "tests/support/TestAgentClient.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

using namespace countersign;
using namespace countersign::testsupport;

class TestDecisionOutbox final : public QObject
{
    Q_OBJECT

    std::unique_ptr<GatewayProcess> m_gateway;
    QTemporaryDir m_consoleDir;

    // What a console process holds: a connection, its journal, the outbox, its idea of time.
    struct Console
    {
        std::unique_ptr<ServerTime> time;
        std::unique_ptr<WebSocketGatewayConnection> connection;
        std::unique_ptr<ConsoleJournal> journal;
        std::unique_ptr<DecisionOutbox> outbox;
        QList<protocol::ActionPending> pending;
        QString gatewayId;
    };

    std::unique_ptr<Console> start()
    {
        auto console = std::make_unique<Console>();
        console->time = std::make_unique<ServerTime>(SystemClock::instance());
        const ConnectionSettings settings = m_gateway->connectionSettings(GatewayProcess::kRita);
        console->connection = std::make_unique<WebSocketGatewayConnection>(settings);
        Console *raw = console.get();
        connect(console->connection.get(), &GatewayConnection::helloReceived, this, [raw](const protocol::Hello &hello) {
            raw->time->sync(hello.serverTime);
            raw->gatewayId = hello.gatewayId;
        });
        connect(console->connection.get(), &GatewayConnection::actionPending, this,
                [raw](const protocol::ActionPending &frame) { raw->pending.append(frame); });
        auto journal = ConsoleJournal::open(m_consoleDir.filePath(QStringLiteral("journal.db")));
        if (!journal)
            qFatal("journal: %s", qPrintable(journal.error().toString()));
        console->journal = std::move(journal).value();
        console->journal->attach(*console->connection);
        console->outbox = std::make_unique<DecisionOutbox>(*console->connection, *console->journal, *console->time);
        return console;
    }

    protocol::Decision decide(const Console &console, const protocol::ActionPending &frame)
    {
        decision::DecisionClaims claims;
        claims.actionId = frame.action.id;
        claims.actionDigest = frame.digest;
        claims.verdict = protocol::Verdict::Deny;
        claims.reason = QStringLiteral("not this one");
        claims.reviewer = GatewayProcess::kRita;
        claims.gatewayId = console.gatewayId;
        claims.policyVersion = frame.action.policyVersion;
        protocol::Decision decision;
        decision.requestId = QStringLiteral("r-") + QUuid::createUuid().toString(QUuid::WithoutBraces);
        decision.actionId = frame.action.id;
        decision.token = decision::signDecision(claims, m_gateway->reviewerKey(GatewayProcess::kRita),
                                                SystemClock::instance())
                             .value();
        return decision;
    }

    QString submit(const QString &tool, const QString &operation, const QJsonObject &parameters)
    {
        TestAgentClient agent(m_gateway->agentUrl(), m_gateway->fingerprint());
        const HttpResult result = agent.post(QStringLiteral("/v1/actions"), submissionBody(tool, operation, parameters),
                                             m_gateway->agentToken(GatewayProcess::kPaymentsAgent));
        if (result.status != 202)
            qWarning("submission failed: %s", qPrintable(result.describe()));
        return result.json.value(QStringLiteral("id")).toString();
    }

    static bool connected(Console &console)
    {
        QSignalSpy subscribed(console.connection.get(), &GatewayConnection::subscribed);
        console.connection->start();
        return subscribed.wait(15000);
    }

private Q_SLOTS:
    void init()
    {
        m_gateway = std::make_unique<GatewayProcess>();
        QString error;
        QVERIFY2(m_gateway->start(&error), qPrintable(error));
    }

    void cleanup() { m_gateway.reset(); }

    void unansweredDecisionIsResentOnceAfterACrash()
    {
        const QString id = submit(QStringLiteral("payments"), QStringLiteral("transfer"),
                                  {{QStringLiteral("amount"), 25000}, {QStringLiteral("currency"), QStringLiteral("EUR")}});
        QVERIFY(!id.isEmpty());

        // Run 1: the decision is recorded and written to the socket, and the console dies
        // before any answer is read.
        QString requestId;
        {
            auto console = start();
            QVERIFY(connected(*console));
            QTRY_COMPARE(console->pending.size(), 1);
            const protocol::Decision decision = decide(*console, console->pending.constFirst());
            requestId = decision.requestId;
            QVERIFY(console->outbox->send(decision, console->pending.constFirst().action.deadline));
            QCOMPARE(console->outbox->unsettled().size(), 1);
        }

        // Run 2: it is unsettled in the journal, sent once more, and settled by the answer.
        {
            auto console = start();
            QCOMPARE(console->outbox->unsettled().keys(), QStringList{requestId});
            QSignalSpy resent(console->outbox.get(), &DecisionOutbox::resent);
            QSignalSpy results(console->connection.get(), &GatewayConnection::decisionResult);
            QVERIFY(connected(*console));
            QCOMPARE(resent.size(), 1);
            QVERIFY(results.wait(10000));
            const auto result = results.first().first().value<protocol::DecisionResult>();
            QCOMPARE(result.requestId, requestId);
            QVERIFY2(result.accepted, qPrintable(result.code + QLatin1Char(' ') + result.message));
            QVERIFY(console->outbox->unsettled().isEmpty());
        }

        // Run 3: nothing left to send.
        {
            auto console = start();
            QVERIFY(console->outbox->unsettled().isEmpty());
            QSignalSpy resent(console->outbox.get(), &DecisionOutbox::resent);
            QVERIFY(connected(*console));
            QTest::qWait(300);
            QCOMPARE(resent.size(), 0);
        }

        // The gateway counted it once, whether run 1's frame reached it or not.
        int accepted = 0;
        for (const GatewayProcess::StoredDecision &stored : m_gateway->storedDecisions(id))
            accepted += stored.accepted ? 1 : 0;
        QCOMPARE(accepted, 1);
    }

    void decisionWhoseDeadlinePassedIsAbandoned()
    {
        // files.delete waits shortDeadlineSeconds (3 s).
        const QString id = submit(QStringLiteral("files"), QStringLiteral("delete"), {{QStringLiteral("path"), QStringLiteral("/srv/a")}});
        QVERIFY(!id.isEmpty());
        QString requestId;
        QDateTime deadline;
        {
            auto console = start();
            QVERIFY(connected(*console));
            QTRY_COMPARE(console->pending.size(), 1);
            const protocol::Decision decision = decide(*console, console->pending.constFirst());
            requestId = decision.requestId;
            deadline = console->pending.constFirst().action.deadline;
            // Signed and recorded, but the connection is gone before it is written.
            console->connection->stop();
            QCOMPARE(console->outbox->send(decision, deadline).error().code, QStringLiteral("connection.offline"));
            console->connection->start();
            QSignalSpy subscribed(console->connection.get(), &GatewayConnection::subscribed);
            QVERIFY(subscribed.wait(15000));
            // Recorded this time; the console dies before the answer.
            QVERIFY(console->outbox->send(decision, deadline));
            console->connection->stop();
        }
        QTRY_VERIFY_WITH_TIMEOUT(QDateTime::currentDateTimeUtc() > deadline.addMSecs(200), 10000);
        auto console = start();
        QCOMPARE(console->outbox->unsettled().keys(), QStringList{requestId});
        QSignalSpy abandoned(console->outbox.get(), &DecisionOutbox::abandoned);
        QSignalSpy resent(console->outbox.get(), &DecisionOutbox::resent);
        QVERIFY(connected(*console));
        QCOMPARE(abandoned.size(), 1);
        QCOMPARE(resent.size(), 0);
        QVERIFY(console->outbox->unsettled().isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestDecisionOutbox)
#include "test_decision_outbox.moc"
