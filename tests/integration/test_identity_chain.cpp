// Who is behind an action, through a real gateway process (IAM-01): what the console receives
// for a submission with claimed links, with an application's user assertion, and after an RFC
// 8693 token exchange down to a sub-agent; verdicts a Judge signed against verdicts the agent
// wrote; and every way a token or a verdict is refused, over real TLS.
#include "core/audit/AuditLog.h"
#include "core/crypto/Base64Url.h"
#include "core/identity/IdentityToken.h"
#include "core/json/Json.h"
#include "core/judge/SignedVerdict.h"
#include "tests/support/GatewayProcess.h"
#include "tests/support/TestAgentClient.h"
#include "tests/support/TestConsoleClient.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>
#include <QUrlQuery>

using namespace countersign;
using namespace countersign::testsupport;

namespace {

const QByteArray kForm = "application/x-www-form-urlencoded";

QByteArray body(const QJsonObject &context, const QJsonObject &parameters = {{"amount", 12400}})
{
    return QJsonDocument(QJsonObject{{"tool", "payments"}, {"operation", "transfer"},
                                     {"parameters", parameters}, {"context", context}})
        .toJson(QJsonDocument::Compact);
}

QJsonObject tokenContext(const QByteArray &token, const QString &instance = QStringLiteral("i-42"))
{
    return {{"identityToken", QString::fromLatin1(token)}, {"agentInstance", instance}};
}

QByteArray exchangeForm(const QByteArray &subjectToken, const QString &audience, const QString &instance = {},
                        const QString &grant = QStringLiteral("urn:ietf:params:oauth:grant-type:token-exchange"))
{
    QUrlQuery form;
    form.addQueryItem("grant_type", grant);
    form.addQueryItem("subject_token", QString::fromLatin1(subjectToken));
    form.addQueryItem("subject_token_type", "urn:ietf:params:oauth:token-type:jwt");
    form.addQueryItem("audience", audience);
    if (!instance.isEmpty())
        form.addQueryItem("actor_instance", instance);
    return form.toString(QUrl::FullyEncoded).toUtf8();
}

} // namespace

class TestIdentityChain final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        m_gateway = std::make_unique<GatewayProcess>();
        QString error;
        QVERIFY2(m_gateway->start(&error), qPrintable(error));
        m_agent = std::make_unique<TestAgentClient>(m_gateway->agentUrl(), m_gateway->fingerprint());
        m_console = m_gateway->console(GatewayProcess::kRita);
        QVERIFY(m_console->open());
        QVERIFY(m_console->subscribe(0));
    }

    void cleanupTestCase()
    {
        m_console.reset();
        m_gateway.reset();
    }

    void claimedLinksStayClaimed()
    {
        // The body names the user, the application and a parent: only the acting agent is
        // verified, by its bearer token.
        const Action action = submitAndReceive(
            submissionBody("payments", "transfer", {{"amount", 12400}}, "alice@example.com", "s-claimed"),
            GatewayProcess::kPaymentsAgent);
        const IdentityContext &identity = action.identity;
        QCOMPARE(identity.user, (Principal{"alice@example.com", "Alice", false}));
        QCOMPARE(identity.application, (Principal{"crm-app", {}, false}));
        QCOMPARE(identity.agents.size(), 2);
        QCOMPARE(identity.agents.at(0).id, GatewayProcess::kPaymentsAgent);
        QVERIFY(identity.agents.at(0).verified);
        QCOMPARE(identity.agents.at(1).id, GatewayProcess::kOrchestrator);
        QVERIFY(!identity.agents.at(1).verified);
        // The orchestrator (enrolled, declares only invoices.read) never declared what the
        // payments agent holds: the chain says so even when the parent is only claimed.
        QCOMPARE(identity.agents.at(0).undeclaredTools,
                 (QStringList{"payments.transfer", "email.send", "files.delete"}));
    }

    void userAssertionVerifiesUserAndApplication()
    {
        const QByteArray assertion = userAssertion(GatewayProcess::kPaymentsAgent);
        const Action action = submitAndReceive(body(tokenContext(assertion)), GatewayProcess::kPaymentsAgent);
        const IdentityContext &identity = action.identity;
        QCOMPARE(identity.user, (Principal{"alice@example.com", "Alice Martin", true}));
        QCOMPARE(identity.application, (Principal{GatewayProcess::kFinancePortal, {}, true}));
        QCOMPARE(identity.agents, (QList<AgentIdentity>{{GatewayProcess::kPaymentsAgent, "i-42", true}}));
        QCOMPARE(identity.sessionId, QStringLiteral("s-verified"));
    }

    void tokenExchangeVerifiesTheParent()
    {
        // The application launched the orchestrator; the orchestrator hands the payment to the
        // payments agent through the gateway's token exchange.
        const QByteArray assertion = userAssertion(GatewayProcess::kOrchestrator);
        const HttpResult exchanged = m_agent->post("/v1/token", exchangeForm(assertion, GatewayProcess::kPaymentsAgent, "i-7"),
                                                   m_gateway->agentToken(GatewayProcess::kOrchestrator), kForm);
        QVERIFY2(exchanged.status == 200, qPrintable(exchanged.describe()));
        QCOMPARE(exchanged.json.value("issued_token_type").toString(), QStringLiteral("urn:ietf:params:oauth:token-type:jwt"));
        QCOMPARE(exchanged.json.value("token_type").toString(), QStringLiteral("N_A"));
        QVERIFY(exchanged.json.value("expires_in").toInt() > 0);
        const QByteArray delegation = exchanged.json.value("access_token").toString().toLatin1();

        const Action action = submitAndReceive(body(tokenContext(delegation)), GatewayProcess::kPaymentsAgent);
        const IdentityContext &identity = action.identity;
        QVERIFY(identity.user.verified);
        QVERIFY(identity.application.verified);
        QVERIFY(identity.agents.at(0).verified);
        QCOMPARE(identity.agents.size(), 2);
        QCOMPARE(identity.agents.at(1), (AgentIdentity{GatewayProcess::kOrchestrator, "i-7", true}));
        QVERIFY(identity.agents.at(0).undeclaredTools.contains("payments.transfer"));
        QCOMPARE(identity.application.id, GatewayProcess::kFinancePortal);

        // On the published action the chain has the RFC 8693 shape.
        const QJsonObject published = action.toJson().value("identity").toObject();
        QCOMPARE(published.value("sub").toString(), QStringLiteral("alice@example.com"));
        const QJsonObject acting = published.value("act").toObject();
        QCOMPARE(acting.value("sub").toString(), GatewayProcess::kPaymentsAgent);
        QCOMPARE(acting.value("act").toObject().value("sub").toString(), GatewayProcess::kOrchestrator);
        QCOMPARE(acting.value("act").toObject().value("act").toObject().value("sub").toString(), GatewayProcess::kFinancePortal);

        // The delegation is on the audit log, with who handed over to whom.
        QVERIFY(auditHas("identity.delegated", GatewayProcess::kOrchestrator, GatewayProcess::kPaymentsAgent));

        // The delegation token is the payments agent's alone.
        const HttpResult stolen = m_agent->post("/v1/actions", body(tokenContext(delegation)),
                                                m_gateway->agentToken(GatewayProcess::kSupportAgent));
        // (support-agent has not declared payments: the tool check comes first.)
        QCOMPARE(stolen.status, 403);
        const QByteArray mail = QJsonDocument(QJsonObject{{"tool", "email"}, {"operation", "send"},
                                                          {"parameters", QJsonObject{{"to", "x@elsewhere.org"}}},
                                                          {"context", tokenContext(delegation)}})
                                    .toJson(QJsonDocument::Compact);
        const HttpResult replayed = m_agent->post("/v1/actions", mail, m_gateway->agentToken(GatewayProcess::kSupportAgent));
        QCOMPARE(replayed.status, 403);
        QCOMPARE(replayed.errorCode(), QStringLiteral("identity.invalid_token"));
        QVERIFY(replayed.json.value("error").toObject().value("message").toString().contains("another agent"));
    }

    void badTokensRefuseTheSubmission_data()
    {
        QTest::addColumn<QByteArray>("submission");
        QTest::addColumn<QString>("message");
        const QByteArray good = userAssertion(GatewayProcess::kPaymentsAgent);
        QList<QByteArray> parts = good.split('.');
        QJsonObject claims = json::parse(crypto::base64UrlDecode(parts.at(1)).value()).value().toObject();
        claims.insert("sub", "ceo@example.com");
        parts[1] = crypto::base64UrlEncode(json::canonicalize(claims));
        QTest::newRow("tampered") << body(tokenContext(parts.join('.'))) << "signature";
        QTest::newRow("for another agent") << body(tokenContext(userAssertion(GatewayProcess::kOrchestrator)))
                                           << "may_act: the token was issued for another agent";
        QTest::newRow("revoked application")
            << body(tokenContext(userAssertion(GatewayProcess::kPaymentsAgent, GatewayProcess::kRetiredPortal)))
            << "whose key is revoked";
        QTest::newRow("not a token") << body(tokenContext("not-a-jws")) << "";
    }

    void badTokensRefuseTheSubmission()
    {
        QFETCH(QByteArray, submission);
        QFETCH(QString, message);
        const qint64 before = m_gateway->storedActionCount();
        const HttpResult result = m_agent->post("/v1/actions", submission, m_gateway->agentToken(GatewayProcess::kPaymentsAgent));
        QCOMPARE(result.status, 403);
        QCOMPARE(result.errorCode(), QStringLiteral("identity.invalid_token"));
        QVERIFY2(result.json.value("error").toObject().value("message").toString().contains(message), qPrintable(result.describe()));
        // Refused, not downgraded to a claim: nothing was stored.
        QCOMPARE(m_gateway->storedActionCount(), before);
    }

    void claimsAndTokenTogetherAreRefused()
    {
        QJsonObject context = tokenContext(userAssertion(GatewayProcess::kPaymentsAgent));
        context.insert("user", QJsonObject{{"id", "ceo@example.com"}});
        const HttpResult result = m_agent->post("/v1/actions", body(context), m_gateway->agentToken(GatewayProcess::kPaymentsAgent));
        QCOMPARE(result.status, 400);
        QCOMPARE(result.json.value("error").toObject().value("message").toString(),
                 QStringLiteral("context.user: not allowed with context.identityToken, which names it"));
    }

    void identityInParametersIsNotIdentity()
    {
        // Whatever the parameters say about who is asking, the chain is the token's.
        const Action action = submitAndReceive(body(tokenContext(userAssertion(GatewayProcess::kPaymentsAgent)),
                                                    {{"amount", 12400}, {"requestedBy", "ceo@example.com"},
                                                     {"user", QJsonObject{{"id", "ceo@example.com"}}}}),
                                               GatewayProcess::kPaymentsAgent);
        QCOMPARE(action.identity.user.id, QStringLiteral("alice@example.com"));
        QVERIFY(!QJsonDocument(action.toJson().value("identity").toObject()).toJson().contains("ceo@"));
    }

    void tokenExchangeRefusals_data()
    {
        QTest::addColumn<QByteArray>("form");
        QTest::addColumn<QString>("agent");
        QTest::addColumn<QString>("error");
        const QByteArray assertion = userAssertion(GatewayProcess::kOrchestrator);
        QTest::newRow("wrong grant") << exchangeForm(assertion, GatewayProcess::kPaymentsAgent, {}, "client_credentials")
                                     << GatewayProcess::kOrchestrator << "unsupported_grant_type";
        QTest::newRow("unknown audience") << exchangeForm(assertion, "nobody") << GatewayProcess::kOrchestrator << "invalid_target";
        QTest::newRow("to itself") << exchangeForm(assertion, GatewayProcess::kOrchestrator) << GatewayProcess::kOrchestrator
                                   << "invalid_target";
        QTest::newRow("someone else's token") << exchangeForm(assertion, GatewayProcess::kPaymentsAgent)
                                              << GatewayProcess::kSupportAgent << "invalid_grant";
        QTest::newRow("repeated parameter") << QByteArray(exchangeForm(assertion, GatewayProcess::kPaymentsAgent) + "&audience=x")
                                            << GatewayProcess::kOrchestrator << "invalid_request";
        QTest::newRow("unknown parameter") << QByteArray(exchangeForm(assertion, GatewayProcess::kPaymentsAgent) + "&scope=all")
                                           << GatewayProcess::kOrchestrator << "invalid_request";
        QTest::newRow("bad instance") << exchangeForm(assertion, GatewayProcess::kPaymentsAgent, "i 7")
                                      << GatewayProcess::kOrchestrator << "invalid_request";
    }

    void tokenExchangeRefusals()
    {
        QFETCH(QByteArray, form);
        QFETCH(QString, agent);
        QFETCH(QString, error);
        const HttpResult result = m_agent->post("/v1/token", form, m_gateway->agentToken(agent), kForm);
        QCOMPARE(result.status, 400);
        QCOMPARE(result.json.value("error").toString(), error);
        QVERIFY(!result.json.value("error_description").toString().isEmpty());
        QVERIFY(!result.json.contains("access_token"));
    }

    void signedVerdictsAreVerifiedAndUnsignedOnesAreNot()
    {
        const QJsonObject parameters{{"amount", 500}};
        QJsonObject submission = QJsonDocument::fromJson(body(tokenContext(userAssertion(GatewayProcess::kPaymentsAgent)),
                                                              parameters)).object();
        const JudgeVerdict flag{GatewayProcess::kJudge, JudgeOutcome::Flag, "prompt-injection", 0.93, "Instruction came from a document", false};
        const JudgeVerdict claimedPass{"judge-unknown", JudgeOutcome::Pass, "financial", 0.1, "Looks fine", false};
        submission.insert("judge", QJsonArray{QString::fromLatin1(signedVerdict(flag, judge::callDigest("payments", "transfer", parameters))),
                                              QJsonObject{{"judgeId", claimedPass.judgeId}, {"verdict", "pass"}, {"category", claimedPass.category},
                                                          {"score", claimedPass.score}, {"rationale", claimedPass.rationale}}});
        // 500 is under every payment rule: only the signed flag sends it to a human.
        const Action action = submitAndReceive(QJsonDocument(submission).toJson(QJsonDocument::Compact), GatewayProcess::kPaymentsAgent);
        QCOMPARE(action.impact.rule, QStringLiteral("judge-flagged"));
        QCOMPARE(action.judges.size(), 2);
        JudgeVerdict expectedFlag = flag;
        expectedFlag.verified = true;
        QCOMPARE(action.judges.at(0), expectedFlag);
        QCOMPARE(action.judges.at(1), claimedPass);
    }

    void unsignedFlagStillSendsToAHuman()
    {
        QJsonObject submission = QJsonDocument::fromJson(body(tokenContext(userAssertion(GatewayProcess::kPaymentsAgent)),
                                                              {{"amount", 500}})).object();
        submission.insert("judge", QJsonArray{QJsonObject{{"judgeId", "judge-unknown"}, {"verdict", "flag"}, {"category", "x"},
                                                          {"score", 0.7}, {"rationale", ""}}});
        const Action action = submitAndReceive(QJsonDocument(submission).toJson(QJsonDocument::Compact), GatewayProcess::kPaymentsAgent);
        QCOMPARE(action.impact.rule, QStringLiteral("judge-flagged"));
        QVERIFY(!action.judges.at(0).verified);
    }

    void forgedOrMovedVerdictsAreRefused_data()
    {
        QTest::addColumn<int>("which");
        QTest::addColumn<QString>("message");
        QTest::newRow("verdict about another call") << 0 << "call: the verdict is about another tool call";
        QTest::newRow("signed by an unenrolled key") << 1 << "signed by a key no enrolled Judge holds";
        QTest::newRow("for another gateway") << 2 << "aud: names another gateway";
    }

    void forgedOrMovedVerdictsAreRefused()
    {
        QFETCH(int, which);
        QFETCH(QString, message);
        const QJsonObject parameters{{"amount", 12400}};
        const JudgeVerdict pass{GatewayProcess::kJudge, JudgeOutcome::Pass, "financial", 0.05, "Consistent", false};
        QByteArray token;
        const crypto::Ed25519PrivateKey unenrolled = crypto::Ed25519PrivateKey::generate().value();
        if (which == 0) // a pass the Judge gave for a smaller payment, moved onto this one
            token = signedVerdict(pass, judge::callDigest("payments", "transfer", {{"amount", 12}}));
        else if (which == 1)
            token = signedVerdict(pass, judge::callDigest("payments", "transfer", parameters), &unenrolled);
        else
            token = signedVerdict(pass, judge::callDigest("payments", "transfer", parameters), nullptr, "gw-other");
        QJsonObject submission = QJsonDocument::fromJson(body(tokenContext(userAssertion(GatewayProcess::kPaymentsAgent)),
                                                              parameters)).object();
        submission.insert("judge", QJsonArray{QString::fromLatin1(token)});
        const qint64 before = m_gateway->storedActionCount();
        const HttpResult result = m_agent->post("/v1/actions", QJsonDocument(submission).toJson(QJsonDocument::Compact),
                                                m_gateway->agentToken(GatewayProcess::kPaymentsAgent));
        QCOMPARE(result.status, 403);
        QCOMPARE(result.errorCode(), QStringLiteral("judge.invalid_verdict"));
        QCOMPARE(result.json.value("error").toObject().value("message").toString(), message);
        QCOMPARE(m_gateway->storedActionCount(), before);
    }

    void tokenExchangeNeedsAnAgent()
    {
        const HttpResult anonymous = m_agent->post("/v1/token", exchangeForm(userAssertion(GatewayProcess::kOrchestrator),
                                                                             GatewayProcess::kPaymentsAgent),
                                                   QByteArray(), kForm);
        QCOMPARE(anonymous.status, 401);
        const HttpResult json = m_agent->post("/v1/token", "{}", m_gateway->agentToken(GatewayProcess::kOrchestrator));
        QCOMPARE(json.status, 415);
    }

private:
    QByteArray userAssertion(const QString &mayAct, const QString &application = GatewayProcess::kFinancePortal) const
    {
        identity::UserAssertion assertion;
        assertion.application = application;
        assertion.user = Principal{"alice@example.com", "Alice Martin", true};
        assertion.gatewayId = m_gateway->gatewayId();
        assertion.sessionId = QStringLiteral("s-verified");
        assertion.issuedAt = QDateTime::currentDateTimeUtc();
        assertion.expiresAt = assertion.issuedAt.addSecs(600);
        assertion.mayAct = mayAct;
        return identity::signUserAssertion(assertion, m_gateway->signerKey(application));
    }

    QByteArray signedVerdict(const JudgeVerdict &verdict, const QByteArray &call,
                             const crypto::Ed25519PrivateKey *key = nullptr, const QString &gatewayId = {}) const
    {
        judge::VerdictStatement statement;
        statement.verdict = verdict;
        statement.gatewayId = gatewayId.isEmpty() ? m_gateway->gatewayId() : gatewayId;
        statement.callDigest = call;
        statement.issuedAt = QDateTime::currentDateTimeUtc();
        statement.expiresAt = statement.issuedAt.addSecs(300);
        return judge::signVerdict(statement, key ? *key : m_gateway->signerKey(GatewayProcess::kJudge));
    }

    Action submitAndReceive(const QByteArray &submission, const QString &agent)
    {
        const HttpResult result = m_agent->post("/v1/actions", submission, m_gateway->agentToken(agent));
        if (result.status != 202)
            qFatal("submission not pending: %s", qPrintable(result.describe()));
        const QString id = result.json.value("id").toString();
        if (!m_console->waitUntil([&] { return m_console->pending(id).has_value(); }))
            qFatal("the console never received %s", qPrintable(id));
        return m_console->pending(id)->action;
    }

    bool auditHas(const QString &kind, const QString &actor, const QString &subject) const
    {
        audit::AuditLog::Options readOnly;
        readOnly.readOnly = true;
        auto log = audit::AuditLog::open(m_gateway->dataDir() + QStringLiteral("/audit.db"), readOnly);
        if (!log)
            return false;
        audit::EntryFilter filter;
        filter.kinds = {kind};
        auto entries = log.value()->entries(0, 1000, filter);
        if (!entries)
            return false;
        for (const audit::AuditEntry &entry : entries.value()) {
            if (entry.actor == actor && entry.subject == subject)
                return true;
        }
        return false;
    }

    std::unique_ptr<GatewayProcess> m_gateway;
    std::unique_ptr<TestAgentClient> m_agent;
    std::unique_ptr<TestConsoleClient> m_console;
};

QTEST_MAIN(TestIdentityChain)
#include "test_identity_chain.moc"
