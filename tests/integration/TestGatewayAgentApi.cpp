// The agent API of a real gateway process over HTTPS: submissions, refusals of bad input (each
// with its specific code and nothing stored), long-polls, expiry and HTTP framing limits.
#include "core/json/FieldReader.h"
#include "tests/support/GatewayProcess.h"
#include "tests/support/TestAgentClient.h"
#include "tests/support/TestConsoleClient.h"

#include <memory>

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace countersign;
using namespace countersign::testsupport;

class TestGatewayAgentApi final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void allowedCallIsAllowed();
    void pendingCallWaitsWithAuthenticatedIdentity();
    void badInputIsRefusedAndNothingStored_data();
    void badInputIsRefusedAndNothingStored();
    void framingLimits_data();
    void framingLimits();
    void pipelinedRequestsOnOneConnection();
    void incompleteRequestTimesOut();
    void onlyTheSubmitterCanReadAnAction();
    void waitParameterIsValidated_data();
    void waitParameterIsValidated();
    void unknownPathsAndMethods();
    void longPollReturnsAfterDecision();
    void shortDeadlineExpires();
    void wrongPinIsRefused();
    void logsCarryNoParametersOrTokens();

private:
    [[nodiscard]] QByteArray token(const QString &id) const { return m_gateway->agentToken(id); }
    [[nodiscard]] std::unique_ptr<TestConsoleClient> console(const QString &reviewer = GatewayProcess::kRita);
    [[nodiscard]] bool snapshotHasSession(const QString &sessionId);

    std::unique_ptr<GatewayProcess> m_gateway;
    std::unique_ptr<TestAgentClient> m_agent;
    QByteArray m_secretMarker = "SECRET-PARAMETER-VALUE-7f3a";
};

void TestGatewayAgentApi::initTestCase()
{
    m_gateway = std::make_unique<GatewayProcess>();
    QString error;
    QVERIFY2(m_gateway->start(&error), qPrintable(error));
    QCOMPARE(m_gateway->agentUrl().scheme(), QStringLiteral("https"));
    QCOMPARE(m_gateway->fingerprint().size(), 64);
    m_agent = std::make_unique<TestAgentClient>(m_gateway->agentUrl(), m_gateway->fingerprint());
}

void TestGatewayAgentApi::cleanupTestCase()
{
    m_agent.reset();
    m_gateway.reset();
}

std::unique_ptr<TestConsoleClient> TestGatewayAgentApi::console(const QString &reviewer)
{
    auto client = m_gateway->console(reviewer);
    if (!client->open())
        return nullptr;
    return client;
}

bool TestGatewayAgentApi::snapshotHasSession(const QString &sessionId)
{
    auto client = console();
    if (!client || !client->subscribe(0))
        return true; // cannot tell: the caller's QVERIFY(!...) fails
    for (const auto &pending : client->framesOf<protocol::ActionPending>()) {
        if (pending.action.identity.sessionId == sessionId)
            return true;
    }
    return false;
}

void TestGatewayAgentApi::allowedCallIsAllowed()
{
    const HttpResult result = m_agent->post(QStringLiteral("/v1/actions"),
                                            submissionBody(QStringLiteral("payments"), QStringLiteral("transfer"),
                                                           {{QStringLiteral("amount"), 50}}),
                                            token(GatewayProcess::kPaymentsAgent));
    QCOMPARE(result.status, 200);
    QCOMPARE(result.json.value(QStringLiteral("status")).toString(), QStringLiteral("allowed"));
    const QString id = result.json.value(QStringLiteral("id")).toString();
    QVERIFY(id.startsWith(QLatin1String("act-")));

    const HttpResult status = m_agent->get(QStringLiteral("/v1/actions/") + id, token(GatewayProcess::kPaymentsAgent));
    QCOMPARE(status.status, 200);
    QCOMPARE(status.json.value(QStringLiteral("status")).toString(), QStringLiteral("allowed"));
}

void TestGatewayAgentApi::pendingCallWaitsWithAuthenticatedIdentity()
{
    auto client = console();
    QVERIFY(client);
    QVERIFY(client->subscribe(0));

    const HttpResult result = m_agent->post(QStringLiteral("/v1/actions"),
                                            submissionBody(QStringLiteral("payments"), QStringLiteral("transfer"),
                                                           {{QStringLiteral("amount"), 12400}}),
                                            token(GatewayProcess::kPaymentsAgent));
    QCOMPARE(result.status, 202);
    QCOMPARE(result.json.value(QStringLiteral("status")).toString(), QStringLiteral("pending"));
    QCOMPARE(result.json.value(QStringLiteral("rule")).toString(), QStringLiteral("payment-over-10k"));
    QCOMPARE(result.json.value(QStringLiteral("tier")).toInt(), 3);
    const QString id = result.json.value(QStringLiteral("id")).toString();
    const QByteArray digest = result.json.value(QStringLiteral("digest")).toString().toLatin1();
    QCOMPARE(digest.size(), 64);

    QVERIFY(client->waitUntil([&] { return client->pending(id).has_value(); }));
    const protocol::ActionPending pending = *client->pending(id);
    QCOMPARE(pending.digest, digest);
    const Action &action = pending.action;
    // agents[0] is who authenticated; the body's delegation chain follows it.
    QCOMPARE(action.identity.agents.size(), 2);
    QCOMPARE(action.identity.agents.at(0).id, GatewayProcess::kPaymentsAgent);
    QCOMPARE(action.identity.agents.at(0).instance, QStringLiteral("i-42"));
    QCOMPARE(action.identity.agents.at(1).id, QStringLiteral("orchestrator"));
    QCOMPARE(action.gatewayId, m_gateway->gatewayId());
    QCOMPARE(action.policyVersion, QStringLiteral("test-1"));
    QCOMPARE(action.impact.rule, QStringLiteral("payment-over-10k"));
    QVERIFY(action.impact.reason.contains(QLatin1String("amount 12400 > 10000")));
    QCOMPARE(action.createdAt.secsTo(action.deadline), 300);
    QCOMPARE(json::formatTimestamp(action.deadline), result.json.value(QStringLiteral("deadline")).toString());
}

void TestGatewayAgentApi::badInputIsRefusedAndNothingStored_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<QString>("agent"); // "" = no token, "?" = unknown token
    QTest::addColumn<QString>("session");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("code");

    const QString payments = GatewayProcess::kPaymentsAgent;
    auto valid = [](const QString &session, const QString &tool = QStringLiteral("payments"),
                    const QString &operation = QStringLiteral("transfer")) {
        return submissionBody(tool, operation, {{QStringLiteral("amount"), 99999}}, QStringLiteral("alice@example.com"), session);
    };
    auto edited = [&](const QString &session, const std::function<void(QJsonObject &)> &edit) {
        QJsonObject body = QJsonDocument::fromJson(valid(session)).object();
        edit(body);
        return QJsonDocument(body).toJson(QJsonDocument::Compact);
    };
    const QByteArray json = "application/json";

    QTest::newRow("malformed JSON") << valid(QStringLiteral("bad-1")).left(40) << json << payments
                                    << QStringLiteral("bad-1") << 400 << QStringLiteral("json.syntax");
    QTest::newRow("tool is a number") << edited(QStringLiteral("bad-2"), [](QJsonObject &b) { b[QStringLiteral("tool")] = 5; })
                                      << json << payments << QStringLiteral("bad-2") << 400 << QStringLiteral("submission.invalid");
    QTest::newRow("parameters is an array")
        << edited(QStringLiteral("bad-3"), [](QJsonObject &b) { b[QStringLiteral("parameters")] = QJsonArray{1}; })
        << json << payments << QStringLiteral("bad-3") << 400 << QStringLiteral("submission.invalid");
    QTest::newRow("unknown member")
        << edited(QStringLiteral("bad-4"), [](QJsonObject &b) { b[QStringLiteral("impact")] = QJsonObject{}; })
        << json << payments << QStringLiteral("bad-4") << 400 << QStringLiteral("submission.invalid");
    QTest::newRow("context missing")
        << edited(QStringLiteral("bad-5"), [](QJsonObject &b) { b.remove(QStringLiteral("context")); })
        << json << payments << QStringLiteral("bad-5") << 400 << QStringLiteral("submission.invalid");
    QTest::newRow("judge score out of range")
        << edited(QStringLiteral("bad-6"), [](QJsonObject &b) {
               b[QStringLiteral("judge")] = QJsonArray{QJsonObject{{QStringLiteral("judgeId"), QStringLiteral("j")},
                                                                    {QStringLiteral("verdict"), QStringLiteral("flag")},
                                                                    {QStringLiteral("category"), QStringLiteral("x")},
                                                                    {QStringLiteral("score"), 2},
                                                                    {QStringLiteral("rationale"), QStringLiteral("r")}}};
           })
        << json << payments << QStringLiteral("bad-6") << 400 << QStringLiteral("submission.invalid");
    QTest::newRow("not an object") << QByteArray("[1,2,3]") << json << payments << QString() << 400
                                   << QStringLiteral("submission.invalid");
    QTest::newRow("duplicate member")
        << QByteArray(R"({"tool":"payments","tool":"email"})") << json << payments << QString() << 400
        << QStringLiteral("json.duplicate");

    QByteArray oversized = valid(QStringLiteral("bad-7"));
    oversized.insert(oversized.indexOf("\"amount\""), "\"pad\":\"" + QByteArray(300 * 1024, 'x') + "\",");
    QTest::newRow("oversized body") << oversized << json << payments << QStringLiteral("bad-7") << 413
                                    << QStringLiteral("http.body_too_large");

    QByteArray deep = "{\"tool\":\"payments\",\"operation\":\"transfer\",\"parameters\":";
    for (int i = 0; i < 40; ++i)
        deep += "{\"a\":";
    deep += "1";
    for (int i = 0; i < 40; ++i)
        deep += "}";
    deep += "}";
    QTest::newRow("deep nesting") << deep << json << payments << QString() << 400 << QStringLiteral("json.limit");

    QByteArray badUtf8 = valid(QStringLiteral("bad-8"));
    badUtf8.replace("Alice", "Al\xff\xfe" "ce");
    QTest::newRow("invalid UTF-8") << badUtf8 << json << payments << QStringLiteral("bad-8") << 400
                                   << QStringLiteral("json.utf8");

    QTest::newRow("unknown token") << valid(QStringLiteral("bad-9")) << json << QStringLiteral("?")
                                   << QStringLiteral("bad-9") << 401 << QStringLiteral("auth.unknown_token");
    QTest::newRow("missing token") << valid(QStringLiteral("bad-10")) << json << QString()
                                   << QStringLiteral("bad-10") << 401 << QStringLiteral("auth.missing_token");
    QTest::newRow("undeclared tool") << valid(QStringLiteral("bad-11")) << json << GatewayProcess::kSupportAgent
                                     << QStringLiteral("bad-11") << 403 << QStringLiteral("policy.tool_not_declared");
    QTest::newRow("undeclared operation")
        << valid(QStringLiteral("bad-12"), QStringLiteral("payments"), QStringLiteral("refund")) << json << payments
        << QStringLiteral("bad-12") << 403 << QStringLiteral("policy.tool_not_declared");
    QTest::newRow("wrong content type") << valid(QStringLiteral("bad-13")) << QByteArray("text/plain") << payments
                                        << QStringLiteral("bad-13") << 415 << QStringLiteral("http.unsupported_media_type");
}

void TestGatewayAgentApi::badInputIsRefusedAndNothingStored()
{
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, contentType);
    QFETCH(QString, agent);
    QFETCH(QString, session);
    QFETCH(int, status);
    QFETCH(QString, code);

    const qint64 storedBefore = m_gateway->storedActionCount();
    QVERIFY(storedBefore >= 0);
    QByteArray bearer;
    if (agent == QLatin1String("?"))
        bearer = "not-an-enrolled-token";
    else if (!agent.isEmpty())
        bearer = token(agent);

    const HttpResult result = m_agent->post(QStringLiteral("/v1/actions"), body, bearer, contentType);
    QVERIFY2(result.status == status, qPrintable(result.describe()));
    QCOMPARE(result.errorCode(), code);
    QVERIFY(!result.json.value(QStringLiteral("error")).toObject().value(QStringLiteral("message")).toString().isEmpty());

    // Nothing stored: not in the database, not in a console's snapshot, not readable by id.
    QCOMPARE(m_gateway->storedActionCount(), storedBefore);
    if (!session.isEmpty())
        QVERIFY(!snapshotHasSession(session));
    const HttpResult lookup = m_agent->get(QStringLiteral("/v1/actions/act-0000000000000000"),
                                           token(GatewayProcess::kPaymentsAgent));
    QCOMPARE(lookup.status, 404);
    QCOMPARE(lookup.errorCode(), QStringLiteral("action.not_found"));
}

void TestGatewayAgentApi::framingLimits_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<QByteArray>("statusLine");

    QTest::newRow("POST without Content-Length")
        << QByteArray("POST /v1/actions HTTP/1.1\r\nHost: gw\r\nContent-Type: application/json\r\n\r\n{}")
        << QByteArray("HTTP/1.1 411 ");
    QTest::newRow("chunked body")
        << QByteArray("POST /v1/actions HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n")
        << QByteArray("HTTP/1.1 501 ");
    // No body follows: the refusal comes from the header alone.
    QTest::newRow("Content-Length over the limit")
        << QByteArray("POST /v1/actions HTTP/1.1\r\nHost: gw\r\nContent-Length: 10000000\r\n\r\n")
        << QByteArray("HTTP/1.1 413 ");
    QTest::newRow("bare LF") << QByteArray("GET /v1/actions/x HTTP/1.1\nHost: gw\n\n") << QByteArray("HTTP/1.1 400 ");
    QTest::newRow("HTTP/2.0") << QByteArray("GET / HTTP/2.0\r\nHost: gw\r\n\r\n") << QByteArray("HTTP/1.1 505 ");
    QTest::newRow("no Host") << QByteArray("GET / HTTP/1.1\r\n\r\n") << QByteArray("HTTP/1.1 400 ");
    QTest::newRow("two Content-Length")
        << QByteArray("POST /v1/actions HTTP/1.1\r\nHost: gw\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n{}")
        << QByteArray("HTTP/1.1 400 ");
    QByteArray manyHeaders = "GET / HTTP/1.1\r\nHost: gw\r\n";
    for (int i = 0; i < 70; ++i)
        manyHeaders += "X-H" + QByteArray::number(i) + ": v\r\n";
    QTest::newRow("70 headers") << manyHeaders + "\r\n" << QByteArray("HTTP/1.1 431 ");
    QTest::newRow("20 KiB head") << "GET / HTTP/1.1\r\nHost: gw\r\nX-Big: " + QByteArray(20 * 1024, 'a') + "\r\n\r\n"
                                 << QByteArray("HTTP/1.1 431 ");
}

void TestGatewayAgentApi::framingLimits()
{
    QFETCH(QByteArray, request);
    QFETCH(QByteArray, statusLine);
    const QByteArray response = m_agent->rawExchange(request, 8000);
    QVERIFY2(response.startsWith(statusLine), response.left(200).constData());
    QVERIFY(response.contains("Connection: close"));
}

void TestGatewayAgentApi::pipelinedRequestsOnOneConnection()
{
    const QByteArray auth = "Authorization: Bearer " + token(GatewayProcess::kPaymentsAgent) + "\r\n";
    const QByteArray one = "GET /v1/actions/act-1 HTTP/1.1\r\nHost: gw\r\n" + auth + "\r\n";
    const QByteArray last = "GET /v1/actions/act-2 HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n" + auth + "\r\n";
    const QByteArray response = m_agent->rawExchange(one + one + last, 8000);
    QCOMPARE(response.count("HTTP/1.1 404 "), 3);
    QCOMPARE(response.count("action.not_found"), 3);
}

void TestGatewayAgentApi::incompleteRequestTimesOut()
{
    QElapsedTimer elapsed;
    elapsed.start();
    const QByteArray response = m_agent->rawExchange("GET /v1/actions/x HTTP/1.1\r\nHost: gw\r\n", 20'000);
    QVERIFY2(response.startsWith("HTTP/1.1 408 "), response.constData());
    QVERIFY(elapsed.elapsed() >= 9'000);
}

void TestGatewayAgentApi::onlyTheSubmitterCanReadAnAction()
{
    const HttpResult submitted = m_agent->post(QStringLiteral("/v1/actions"),
                                               submissionBody(QStringLiteral("email"), QStringLiteral("send"),
                                                              {{QStringLiteral("to"), QStringLiteral("bob@example.com")}}),
                                               token(GatewayProcess::kSupportAgent));
    QCOMPARE(submitted.status, 200);
    const QString path = QStringLiteral("/v1/actions/") + submitted.json.value(QStringLiteral("id")).toString();
    QCOMPARE(m_agent->get(path, token(GatewayProcess::kSupportAgent)).status, 200);
    const HttpResult other = m_agent->get(path, token(GatewayProcess::kPaymentsAgent));
    QCOMPARE(other.status, 404);
    QCOMPARE(other.errorCode(), QStringLiteral("action.not_found"));
    QCOMPARE(m_agent->get(path, "nope").errorCode(), QStringLiteral("auth.unknown_token"));
}

void TestGatewayAgentApi::waitParameterIsValidated_data()
{
    QTest::addColumn<QString>("query");
    QTest::newRow("61") << QStringLiteral("wait=61");
    QTest::newRow("negative") << QStringLiteral("wait=-1");
    QTest::newRow("text") << QStringLiteral("wait=abc");
    QTest::newRow("huge") << QStringLiteral("wait=99999999999999999999");
    QTest::newRow("unknown parameter") << QStringLiteral("since=1");
}

void TestGatewayAgentApi::waitParameterIsValidated()
{
    QFETCH(QString, query);
    const HttpResult result = m_agent->get(QStringLiteral("/v1/actions/act-1?") + query, token(GatewayProcess::kPaymentsAgent));
    QCOMPARE(result.status, 400);
    QCOMPARE(result.errorCode(), QStringLiteral("request.invalid"));
}

void TestGatewayAgentApi::unknownPathsAndMethods()
{
    const QByteArray bearer = token(GatewayProcess::kPaymentsAgent);
    HttpResult result = m_agent->get(QStringLiteral("/v2/actions"), bearer);
    QCOMPARE(result.status, 404);
    QCOMPARE(result.errorCode(), QStringLiteral("http.not_found"));
    result = m_agent->get(QStringLiteral("/v1/actions"), bearer);
    QCOMPARE(result.status, 405);
    result = m_agent->send("DELETE", QStringLiteral("/v1/actions/act-1"), bearer);
    QCOMPARE(result.status, 405);
    QCOMPARE(result.errorCode(), QStringLiteral("http.method_not_allowed"));
}

void TestGatewayAgentApi::longPollReturnsAfterDecision()
{
    auto client = console();
    QVERIFY(client);
    QVERIFY(client->subscribe(0));
    const QByteArray bearer = token(GatewayProcess::kPaymentsAgent);
    const HttpResult submitted = m_agent->post(QStringLiteral("/v1/actions"),
                                               submissionBody(QStringLiteral("payments"), QStringLiteral("transfer"),
                                                              {{QStringLiteral("amount"), 20000}}),
                                               bearer);
    QCOMPARE(submitted.status, 202);
    const QString id = submitted.json.value(QStringLiteral("id")).toString();

    QElapsedTimer elapsed;
    elapsed.start();
    QNetworkReply *poll = m_agent->getAsync(QStringLiteral("/v1/actions/") + id + QStringLiteral("?wait=40"), bearer);
    QVERIFY(client->waitUntil([&] { return client->pending(id).has_value(); }));
    QTest::qWait(300); // the long-poll is being held
    QVERIFY(!poll->isFinished());

    const auto decision = client->decide(id, client->pending(id)->digest, protocol::Verdict::Approve,
                                         QStringLiteral("confirmed with finance"));
    QVERIFY(decision);
    QVERIFY2(decision->accepted, qPrintable(decision->code + QLatin1Char(' ') + decision->message));

    const HttpResult outcome = TestAgentClient::wait(poll, 30'000);
    QCOMPARE(outcome.status, 200);
    QCOMPARE(outcome.json.value(QStringLiteral("status")).toString(), QStringLiteral("approved"));
    QCOMPARE(outcome.json.value(QStringLiteral("reason")).toString(), QStringLiteral("confirmed with finance"));
    QCOMPARE(outcome.json.value(QStringLiteral("decidedBy")).toString(), GatewayProcess::kRita);
    QVERIFY(outcome.json.contains(QStringLiteral("resolvedAt")));
    QVERIFY(elapsed.elapsed() < 30'000);
}

void TestGatewayAgentApi::shortDeadlineExpires()
{
    const QByteArray bearer = token(GatewayProcess::kPaymentsAgent);
    const HttpResult submitted = m_agent->post(QStringLiteral("/v1/actions"),
                                               submissionBody(QStringLiteral("files"), QStringLiteral("delete"),
                                                              {{QStringLiteral("path"), QStringLiteral("/srv/reports")}}),
                                               bearer);
    QCOMPARE(submitted.status, 202);
    QCOMPARE(submitted.json.value(QStringLiteral("rule")).toString(), QStringLiteral("files-delete-quick"));
    const QString id = submitted.json.value(QStringLiteral("id")).toString();

    const HttpResult outcome = m_agent->get(QStringLiteral("/v1/actions/") + id + QStringLiteral("?wait=20"), bearer, 30'000);
    QCOMPARE(outcome.status, 200);
    QCOMPARE(outcome.json.value(QStringLiteral("status")).toString(), QStringLiteral("expired"));
    QCOMPARE(outcome.json.value(QStringLiteral("decidedBy")).toString(), QStringLiteral("gateway"));
    QVERIFY(outcome.json.value(QStringLiteral("reason")).toString().contains(QLatin1String("fail-safe")));
}

void TestGatewayAgentApi::wrongPinIsRefused()
{
    TestAgentClient impostor(m_gateway->agentUrl(), QByteArray(64, 'a'));
    const HttpResult result = impostor.get(QStringLiteral("/v1/actions/act-1"), token(GatewayProcess::kPaymentsAgent), 10'000);
    QCOMPARE(result.status, 0);
    QVERIFY(result.networkError != QNetworkReply::NoError);
}

void TestGatewayAgentApi::logsCarryNoParametersOrTokens()
{
    const QByteArray bearer = token(GatewayProcess::kPaymentsAgent);
    const HttpResult submitted = m_agent->post(QStringLiteral("/v1/actions"),
                                               submissionBody(QStringLiteral("payments"), QStringLiteral("transfer"),
                                                              {{QStringLiteral("amount"), 15000},
                                                               {QStringLiteral("memo"), QString::fromLatin1(m_secretMarker)}}),
                                               bearer);
    QCOMPARE(submitted.status, 202);
    const QByteArray log = m_gateway->logText();
    QVERIFY(log.contains(submitted.json.value(QStringLiteral("id")).toString().toLatin1()));
    QVERIFY(!log.contains(m_secretMarker));
    QVERIFY(!log.contains(bearer));
    QVERIFY(!log.contains("Alice"));
}

QTEST_GUILESS_MAIN(TestGatewayAgentApi)
#include "TestGatewayAgentApi.moc"
