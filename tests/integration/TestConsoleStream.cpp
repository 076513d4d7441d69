// The console API of a real gateway process over wss://: live pending actions, decisions and
// their refusals, dual approval, a dropped connection resumed without loss or duplicates while
// 200 actions arrive, and pending actions surviving a gateway restart.
#include "tests/support/GatewayProcess.h"
#include "tests/support/TestAgentClient.h"
#include "tests/support/TestConsoleClient.h"

#include <memory>

#include <QSet>
#include <QTest>

using namespace countersign;
using namespace countersign::testsupport;
using protocol::Verdict;

class TestConsoleStream final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void pendingArrivesLive();
    void approveAndDenyReachTheAgent();
    void wrongDigestIsRefused();
    void dualApprovalNeedsTwoDistinctReviewers();
    void selfApprovalIsRefused();
    void onlyReviewersDecide();
    void unknownAndResolvedActionsAreRefused();
    void badFramesAreAnsweredNotFatal();
    void unenrolledKeyIsRejected();
    void resumeFromTheFutureIsRefused();
    void reconnectMidStreamLosesAndRepeatsNothing();
    void restartKeepsPendingActions();

private:
    [[nodiscard]] std::unique_ptr<TestConsoleClient> console(const QString &reviewer, GatewayProcess *gateway = nullptr);
    // Submits and returns the 202 body (empty on failure).
    [[nodiscard]] QJsonObject submitPending(const QJsonObject &parameters,
                                            const QString &userId = QStringLiteral("alice@example.com"));

    std::unique_ptr<GatewayProcess> m_gateway;
    std::unique_ptr<TestAgentClient> m_agent;
};

void TestConsoleStream::initTestCase()
{
    m_gateway = std::make_unique<GatewayProcess>();
    QString error;
    QVERIFY2(m_gateway->start(&error), qPrintable(error));
    m_agent = std::make_unique<TestAgentClient>(m_gateway->agentUrl(), m_gateway->fingerprint());
}

void TestConsoleStream::cleanupTestCase()
{
    m_agent.reset();
    m_gateway.reset();
}

std::unique_ptr<TestConsoleClient> TestConsoleStream::console(const QString &reviewer, GatewayProcess *gateway)
{
    GatewayProcess *target = gateway ? gateway : m_gateway.get();
    auto client = target->console(reviewer);
    if (!client->open())
        return nullptr;
    return client;
}

QJsonObject TestConsoleStream::submitPending(const QJsonObject &parameters, const QString &userId)
{
    const HttpResult result = m_agent->post(QStringLiteral("/v1/actions"),
                                            submissionBody(QStringLiteral("payments"), QStringLiteral("transfer"),
                                                           parameters, userId),
                                            m_gateway->agentToken(GatewayProcess::kPaymentsAgent));
    return result.status == 202 ? result.json : QJsonObject();
}

void TestConsoleStream::pendingArrivesLive()
{
    auto rita = console(GatewayProcess::kRita);
    QVERIFY(rita);
    const protocol::Hello hello = *rita->hello();
    QCOMPARE(hello.gatewayId, m_gateway->gatewayId());
    QCOMPARE(hello.reviewer, GatewayProcess::kRita);
    QCOMPARE(hello.role, protocol::Role::Reviewer);
    QCOMPARE(hello.protocolVersion, 1);
    QVERIFY(qAbs(hello.serverTime.secsTo(QDateTime::currentDateTimeUtc())) < 60);
    const auto subscribed = rita->subscribe(0);
    QVERIFY(subscribed);
    QVERIFY(subscribed->snapshot);

    const QJsonObject submitted = submitPending({{QStringLiteral("amount"), 25000}});
    QVERIFY(!submitted.isEmpty());
    const QString id = submitted.value(QStringLiteral("id")).toString();
    QVERIFY(rita->waitUntil([&] { return rita->pending(id).has_value(); }));
    const protocol::ActionPending pending = *rita->pending(id);
    QVERIFY(pending.seq > subscribed->head);
    QCOMPARE(pending.approvals, 0);
    QCOMPARE(QString::fromLatin1(pending.digest), submitted.value(QStringLiteral("digest")).toString());
    QVERIFY(rita->parseErrors().isEmpty());
}

void TestConsoleStream::approveAndDenyReachTheAgent()
{
    auto rita = console(GatewayProcess::kRita);
    QVERIFY(rita);
    QVERIFY(rita->subscribe(0));
    const QByteArray bearer = m_gateway->agentToken(GatewayProcess::kPaymentsAgent);
    const QString approveId = submitPending({{QStringLiteral("amount"), 11000}}).value(QStringLiteral("id")).toString();
    const QString denyId = submitPending({{QStringLiteral("amount"), 12000}}).value(QStringLiteral("id")).toString();
    QVERIFY(!approveId.isEmpty() && !denyId.isEmpty());
    QNetworkReply *approvePoll = m_agent->getAsync(QStringLiteral("/v1/actions/%1?wait=30").arg(approveId), bearer);
    QNetworkReply *denyPoll = m_agent->getAsync(QStringLiteral("/v1/actions/%1?wait=30").arg(denyId), bearer);
    QVERIFY(rita->waitUntil([&] { return rita->pending(approveId) && rita->pending(denyId); }));

    auto approved = rita->decide(approveId, rita->pending(approveId)->digest, Verdict::Approve, QStringLiteral("invoice matches"));
    QVERIFY(approved && approved->accepted);
    auto denied = rita->decide(denyId, rita->pending(denyId)->digest, Verdict::Deny, QStringLiteral("unknown payee"));
    QVERIFY(denied && denied->accepted);

    const HttpResult approveOutcome = TestAgentClient::wait(approvePoll, 30'000);
    QCOMPARE(approveOutcome.json.value(QStringLiteral("status")).toString(), QStringLiteral("approved"));
    QCOMPARE(approveOutcome.json.value(QStringLiteral("reason")).toString(), QStringLiteral("invoice matches"));
    const HttpResult denyOutcome = TestAgentClient::wait(denyPoll, 30'000);
    QCOMPARE(denyOutcome.json.value(QStringLiteral("status")).toString(), QStringLiteral("denied"));
    QCOMPARE(denyOutcome.json.value(QStringLiteral("reason")).toString(), QStringLiteral("unknown payee"));
    QCOMPARE(denyOutcome.json.value(QStringLiteral("decidedBy")).toString(), GatewayProcess::kRita);

    QVERIFY(rita->waitUntil([&] { return rita->resolved(approveId) && rita->resolved(denyId); }));
    QCOMPARE(rita->resolved(approveId)->outcome, protocol::Outcome::Approved);
    QCOMPARE(rita->resolved(denyId)->outcome, protocol::Outcome::Denied);
    QCOMPARE(rita->resolved(denyId)->reason, QStringLiteral("unknown payee"));
}

void TestConsoleStream::wrongDigestIsRefused()
{
    auto rita = console(GatewayProcess::kRita);
    QVERIFY(rita);
    const QString id = submitPending({{QStringLiteral("amount"), 13000}}).value(QStringLiteral("id")).toString();
    QVERIFY(!id.isEmpty());
    const auto result = rita->decide(id, QByteArray(64, 'e'), Verdict::Approve, QString());
    QVERIFY(result);
    QVERIFY(!result->accepted);
    QCOMPARE(result->code, QStringLiteral("decision.digest_mismatch"));
    const HttpResult status = m_agent->get(QStringLiteral("/v1/actions/") + id,
                                           m_gateway->agentToken(GatewayProcess::kPaymentsAgent));
    QCOMPARE(status.json.value(QStringLiteral("status")).toString(), QStringLiteral("pending"));
}

void TestConsoleStream::dualApprovalNeedsTwoDistinctReviewers()
{
    auto rita = console(GatewayProcess::kRita);
    auto sam = console(GatewayProcess::kSam);
    QVERIFY(rita && sam);
    QVERIFY(rita->subscribe(0));
    const QJsonObject submitted = submitPending({{QStringLiteral("amount"), 150000}});
    QCOMPARE(submitted.value(QStringLiteral("rule")).toString(), QStringLiteral("payment-dual"));
    const QString id = submitted.value(QStringLiteral("id")).toString();
    const QByteArray digest = submitted.value(QStringLiteral("digest")).toString().toLatin1();

    auto first = rita->decide(id, digest, Verdict::Approve, QStringLiteral("first"));
    QVERIFY(first && first->accepted);
    QVERIFY(rita->waitUntil([&] {
        for (const auto &update : rita->framesOf<protocol::ActionUpdated>()) {
            if (update.actionId == id)
                return update.approvals == 1 && update.approvedBy == QStringList{GatewayProcess::kRita};
        }
        return false;
    }));
    QVERIFY(!rita->resolved(id));

    auto again = rita->decide(id, digest, Verdict::Approve, QStringLiteral("again"));
    QVERIFY(again && !again->accepted);
    QCOMPARE(again->code, QStringLiteral("decision.duplicate_approval"));

    auto second = sam->decide(id, digest, Verdict::Approve, QStringLiteral("second"));
    QVERIFY(second && second->accepted);
    QVERIFY(rita->waitUntil([&] { return rita->resolved(id).has_value(); }));
    QCOMPARE(rita->resolved(id)->outcome, protocol::Outcome::Approved);
    QCOMPARE(rita->resolved(id)->decidedBy, GatewayProcess::kRita + QLatin1Char(',') + GatewayProcess::kSam);
}

void TestConsoleStream::selfApprovalIsRefused()
{
    auto rita = console(GatewayProcess::kRita);
    QVERIFY(rita);
    const QJsonObject submitted = submitPending({{QStringLiteral("amount"), 14000}}, GatewayProcess::kRita);
    const QString id = submitted.value(QStringLiteral("id")).toString();
    const auto result = rita->decide(id, submitted.value(QStringLiteral("digest")).toString().toLatin1(),
                                     Verdict::Approve, QString());
    QVERIFY(result && !result->accepted);
    QCOMPARE(result->code, QStringLiteral("decision.self_approval"));
}

void TestConsoleStream::onlyReviewersDecide()
{
    auto alex = console(GatewayProcess::kAlex);
    QVERIFY(alex);
    QCOMPARE(alex->hello()->role, protocol::Role::Analyst);
    const QJsonObject submitted = submitPending({{QStringLiteral("amount"), 16000}});
    const auto result = alex->decide(submitted.value(QStringLiteral("id")).toString(),
                                     submitted.value(QStringLiteral("digest")).toString().toLatin1(), Verdict::Approve, QString());
    QVERIFY(result && !result->accepted);
    QCOMPARE(result->code, QStringLiteral("decision.forbidden_role"));
}

void TestConsoleStream::unknownAndResolvedActionsAreRefused()
{
    auto rita = console(GatewayProcess::kRita);
    QVERIFY(rita);
    auto unknown = rita->decide(QStringLiteral("act-ffffffffffffffff"), QByteArray(64, 'a'), Verdict::Deny, QStringLiteral("x"));
    QVERIFY(unknown && !unknown->accepted);
    QCOMPARE(unknown->code, QStringLiteral("decision.unknown_action"));

    const QJsonObject submitted = submitPending({{QStringLiteral("amount"), 17000}});
    const QString id = submitted.value(QStringLiteral("id")).toString();
    const QByteArray digest = submitted.value(QStringLiteral("digest")).toString().toLatin1();
    auto denied = rita->decide(id, digest, Verdict::Deny, QStringLiteral("no"));
    QVERIFY(denied && denied->accepted);
    auto late = rita->decide(id, digest, Verdict::Approve, QString());
    QVERIFY(late && !late->accepted);
    QCOMPARE(late->code, QStringLiteral("decision.already_resolved"));
}

void TestConsoleStream::badFramesAreAnsweredNotFatal()
{
    auto rita = console(GatewayProcess::kRita);
    QVERIFY(rita);
    rita->sendText(QStringLiteral("this is not json"));
    QVERIFY(rita->waitUntil([&] { return rita->lastError().has_value(); }));
    QCOMPARE(rita->lastError()->code, QStringLiteral("json.syntax"));
    rita->sendText(QStringLiteral(R"({"type":"launch"})"));
    QVERIFY(rita->waitUntil([&] { return rita->framesOf<protocol::ErrorFrame>().size() == 2; }));
    QCOMPARE(rita->lastError()->code, QStringLiteral("frame.unknown_type"));
    QVERIFY(rita->isConnected());

    rita->send(protocol::Ping{QStringLiteral("n-1")});
    QVERIFY(rita->waitUntil([&] { return !rita->framesOf<protocol::Pong>().isEmpty(); }));
    QCOMPARE(rita->framesOf<protocol::Pong>().first().nonce, QStringLiteral("n-1"));

    // Ten bad frames and the gateway stops listening to this console.
    for (int i = 0; i < 8; ++i)
        rita->sendText(QStringLiteral("{"));
    QVERIFY(rita->waitUntil([&] { return !rita->isConnected(); }));
    QCOMPARE(rita->closeCode(), QWebSocketProtocol::CloseCodePolicyViolated);
}

void TestConsoleStream::unenrolledKeyIsRejected()
{
    auto intruder = m_gateway->console(GatewayProcess::kMallory);
    QVERIFY(!intruder->open());
    QVERIFY(intruder->waitUntil([&] { return !intruder->isConnected(); }));
    QVERIFY(intruder->lastError());
    QCOMPARE(intruder->lastError()->code, QStringLiteral("auth.unknown_key"));
    QCOMPARE(intruder->closeCode(), QWebSocketProtocol::CloseCodePolicyViolated);
    QVERIFY(intruder->framesOf<protocol::ActionPending>().isEmpty());
}

void TestConsoleStream::resumeFromTheFutureIsRefused()
{
    auto rita = console(GatewayProcess::kRita);
    QVERIFY(rita);
    QVERIFY(!rita->subscribe(rita->hello()->head + 100));
    QCOMPARE(rita->lastError()->code, QStringLiteral("resume.unknown_sequence"));
    QVERIFY(rita->subscribe(0)); // and the console can start over
}

void TestConsoleStream::reconnectMidStreamLosesAndRepeatsNothing()
{
    // A gateway of its own, so that only this test's actions are in the stream.
    GatewayProcess gateway;
    QString error;
    QVERIFY2(gateway.start(&error), qPrintable(error));
    TestAgentClient agent(gateway.agentUrl(), gateway.fingerprint());
    auto first = console(GatewayProcess::kRita, &gateway);
    QVERIFY(first);
    const auto subscribed = first->subscribe(0);
    QVERIFY(subscribed);
    const qint64 startHead = subscribed->head;

    constexpr int kActions = 200;
    QList<QNetworkReply *> replies;
    for (int i = 0; i < kActions; ++i) {
        replies.append(agent.postAsync(QStringLiteral("/v1/actions"),
                                       submissionBody(QStringLiteral("payments"), QStringLiteral("transfer"),
                                                      {{QStringLiteral("amount"), 20000 + i}}),
                                       gateway.agentToken(GatewayProcess::kPaymentsAgent)));
    }

    // Drop the connection, without a close handshake, a quarter of the way through.
    QVERIFY(first->waitUntil([&] { return first->framesOf<protocol::ActionPending>().size() >= kActions / 4; }, 60'000));
    first->abort();
    const QList<protocol::ActionPending> beforeDrop = first->framesOf<protocol::ActionPending>();
    const qint64 resumeFrom = first->lastSeq();
    QVERIFY(beforeDrop.size() < kActions);

    QSet<QString> submittedIds;
    for (QNetworkReply *reply : std::as_const(replies)) {
        const HttpResult result = TestAgentClient::wait(reply, 60'000);
        QVERIFY2(result.status == 202, qPrintable(result.describe()));
        submittedIds.insert(result.json.value(QStringLiteral("id")).toString());
    }
    QCOMPARE(submittedIds.size(), kActions);

    auto second = console(GatewayProcess::kRita, &gateway);
    QVERIFY(second);
    const auto resumed = second->subscribe(resumeFrom);
    QVERIFY(resumed);
    QVERIFY(!resumed->snapshot);
    QVERIFY(second->waitUntil([&] {
        return beforeDrop.size() + second->framesOf<protocol::ActionPending>().size() >= kActions;
    }, 60'000));
    QTest::qWait(200); // anything extra (a duplicate) would arrive now

    // Exactly once each, and gapless: seqs run startHead+1 … on the first connection and
    // continue at resumeFrom+1 on the second.
    QList<QString> received;
    qint64 expectedSeq = startHead + 1;
    for (const auto &frame : beforeDrop) {
        QCOMPARE(frame.seq, expectedSeq++);
        received.append(frame.action.id);
    }
    QCOMPARE(expectedSeq - 1, resumeFrom);
    for (const auto &frame : second->framesOf<protocol::ActionPending>()) {
        QCOMPARE(frame.seq, expectedSeq++);
        received.append(frame.action.id);
    }
    QCOMPARE(received.size(), kActions);
    QCOMPARE(QSet<QString>(received.cbegin(), received.cend()), submittedIds);
    QVERIFY(first->parseErrors().isEmpty());
    QVERIFY(second->parseErrors().isEmpty());
}

void TestConsoleStream::restartKeepsPendingActions()
{
    GatewayProcess gateway;
    QString error;
    QVERIFY2(gateway.start(&error), qPrintable(error));
    const QByteArray bearer = gateway.agentToken(GatewayProcess::kPaymentsAgent);
    TestAgentClient agent(gateway.agentUrl(), gateway.fingerprint());
    const HttpResult kept = agent.post(QStringLiteral("/v1/actions"),
                                       submissionBody(QStringLiteral("payments"), QStringLiteral("transfer"),
                                                      {{QStringLiteral("amount"), 42000}}),
                                       bearer);
    QCOMPARE(kept.status, 202);
    const HttpResult quick = agent.post(QStringLiteral("/v1/actions"),
                                        submissionBody(QStringLiteral("files"), QStringLiteral("delete"),
                                                       {{QStringLiteral("path"), QStringLiteral("/tmp/x")}}),
                                        bearer);
    QCOMPARE(quick.status, 202);
    const QString keptId = kept.json.value(QStringLiteral("id")).toString();
    const QString quickId = quick.json.value(QStringLiteral("id")).toString();
    const QByteArray fingerprint = gateway.fingerprint();
    const QString gatewayId = gateway.gatewayId();

    // Down for longer than the short deadline: that action must come back expired, not pending.
    gateway.stop();
    QTest::qWait(3500);
    QVERIFY2(gateway.start(&error), qPrintable(error));
    QCOMPARE(gateway.fingerprint(), fingerprint);
    QCOMPARE(gateway.gatewayId(), gatewayId);

    auto rita = console(GatewayProcess::kRita, &gateway);
    QVERIFY(rita);
    QVERIFY(rita->subscribe(0));
    QVERIFY(rita->pending(keptId));
    QCOMPARE(QString::fromLatin1(rita->pending(keptId)->digest), kept.json.value(QStringLiteral("digest")).toString());
    QVERIFY(!rita->pending(quickId));

    TestAgentClient agentAfter(gateway.agentUrl(), gateway.fingerprint());
    const HttpResult expired = agentAfter.get(QStringLiteral("/v1/actions/") + quickId, bearer);
    QCOMPARE(expired.json.value(QStringLiteral("status")).toString(), QStringLiteral("expired"));
    const auto approved = rita->decide(keptId, rita->pending(keptId)->digest, Verdict::Approve, QStringLiteral("after restart"));
    QVERIFY(approved && approved->accepted);
    const HttpResult status = agentAfter.get(QStringLiteral("/v1/actions/") + keptId, bearer);
    QCOMPARE(status.json.value(QStringLiteral("status")).toString(), QStringLiteral("approved"));
}

QTEST_GUILESS_MAIN(TestConsoleStream)
#include "TestConsoleStream.moc"
