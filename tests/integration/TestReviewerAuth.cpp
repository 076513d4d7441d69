// Reviewer authentication and signed decisions against a real gateway process over real TLS on
// loopback: every sign-in refusal, session limits, every decision refusal (each with its own
// code, recorded with its token), and quorum with two reviewers' key pairs.
#include "core/audit/AuditLog.h"
#include "core/audit/AuditVerifier.h"
#include "core/auth/SignIn.h"
#include "core/crypto/Base64Url.h"
#include "core/crypto/Jwk.h"
#include "core/decision/SignedDecision.h"
#include "tests/support/GatewayProcess.h"
#include "tests/support/TestAgentClient.h"
#include "tests/support/TestConsoleClient.h"

#include <memory>

#include <QElapsedTimer>
#include <QHash>
#include <QTest>

using namespace countersign;
using namespace countersign::testsupport;
using protocol::Verdict;

namespace {

using SignInTweak = std::function<void(auth::SignInClaims &)>;
using DecisionTweak = std::function<void(decision::DecisionClaims &)>;

} // namespace

Q_DECLARE_METATYPE(SignInTweak)
Q_DECLARE_METATYPE(DecisionTweak)

class TestReviewerAuth final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void signInOpensASession();
    void signInRefusals_data();
    void signInRefusals();
    void signInTokensThatDoNotHold();
    void nothingBeforeSignIn();
    void aChallengeIsAnsweredOnce();
    void sessionEndsAtItsAbsoluteLimit();
    void decisionRefusals_data();
    void decisionRefusals();
    void forgedStaleAndLateDecisions();
    void replayedDecisionIsRefused();
    void quorumOfTwoKeyPairs();
    // Last: what all of the above left in the gateway's audit log.
    void everythingIsOnTheAuditTrail();

private:
    [[nodiscard]] QJsonObject submit(int amount, const QString &user = QStringLiteral("alice@example.com"));
    // Submits a payment and waits until console holds it pending: its id and digest, or nothing
    // if it never arrived.
    [[nodiscard]] std::optional<std::pair<QString, QByteArray>> submitSeen(TestConsoleClient &console, int amount);

    std::unique_ptr<GatewayProcess> m_gateway;
    std::unique_ptr<TestAgentClient> m_agent;
};

void TestReviewerAuth::initTestCase()
{
    m_gateway = std::make_unique<GatewayProcess>();
    QString error;
    QVERIFY2(m_gateway->start(&error), qPrintable(error));
    m_agent = std::make_unique<TestAgentClient>(m_gateway->agentUrl(), m_gateway->fingerprint());
}

void TestReviewerAuth::cleanupTestCase()
{
    m_agent.reset();
    m_gateway.reset();
}

QJsonObject TestReviewerAuth::submit(int amount, const QString &user)
{
    const HttpResult result = m_agent->post(QStringLiteral("/v1/actions"),
                                            submissionBody(QStringLiteral("payments"), QStringLiteral("transfer"),
                                                           {{QStringLiteral("amount"), amount}}, user),
                                            m_gateway->agentToken(GatewayProcess::kPaymentsAgent));
    if (result.status != 202)
        qWarning("submission failed: %s", qPrintable(result.describe()));
    return result.json;
}

std::optional<std::pair<QString, QByteArray>> TestReviewerAuth::submitSeen(TestConsoleClient &console, int amount)
{
    const QJsonObject submitted = submit(amount);
    const QString id = submitted.value(QStringLiteral("id")).toString();
    if (!console.waitUntil([&] { return console.pending(id).has_value(); }))
        return std::nullopt;
    return std::make_pair(id, submitted.value(QStringLiteral("digest")).toString().toLatin1());
}

void TestReviewerAuth::signInOpensASession()
{
    auto rita = m_gateway->console(GatewayProcess::kRita);
    const auto challenge = rita->openForChallenge();
    QVERIFY(challenge);
    QCOMPARE(challenge->gatewayId, m_gateway->gatewayId());
    QCOMPARE(challenge->channelBinding, QLatin1String(auth::kChannelBindingServerEndPoint));
    QCOMPARE(crypto::base64UrlDecode(challenge->nonce.toLatin1()).value().size(), auth::kChallengeNonceBytes);
    // The binding the console computes from what it saw is the pinned certificate's hash.
    const auth::SignInClaims claims = rita->signInClaims(*challenge);
    QCOMPARE(claims.channelBinding.toHex(), m_gateway->fingerprint());
    QVERIFY(rita->signIn(auth::signSignIn(claims, m_gateway->reviewerKey(GatewayProcess::kRita), SystemClock::instance()).value()));
    const auto hello = rita->hello();
    QCOMPARE(hello->reviewer, GatewayProcess::kRita);
    QCOMPARE(hello->role, protocol::Role::Reviewer);
    QVERIFY(hello->sessionId.startsWith(QLatin1String("ses-")));
    QCOMPARE(hello->sessionIdleSeconds, 600);
    QVERIFY(qAbs(hello->sessionExpiresAt.secsTo(hello->serverTime) + 3600) <= 1);

    // Each connection has its own challenge.
    auto again = m_gateway->console(GatewayProcess::kRita);
    const auto second = again->openForChallenge();
    QVERIFY(second);
    QVERIFY(second->nonce != challenge->nonce);
}

void TestReviewerAuth::signInRefusals_data()
{
    QTest::addColumn<QString>("reviewer");
    QTest::addColumn<SignInTweak>("tweak");
    QTest::addColumn<QString>("code");
    const SignInTweak none;
    QTest::newRow("key not enrolled") << GatewayProcess::kMallory << none << "auth.unknown_key";
    QTest::newRow("another reviewer's name") << GatewayProcess::kRita
                                             << SignInTweak([](auth::SignInClaims &c) { c.reviewer = GatewayProcess::kSam; })
                                             << "auth.subject_mismatch";
    QTest::newRow("another gateway") << GatewayProcess::kRita
                                     << SignInTweak([](auth::SignInClaims &c) { c.gatewayId = QStringLiteral("gw-000000000000"); })
                                     << "auth.wrong_audience";
    QTest::newRow("another connection's nonce")
        << GatewayProcess::kRita
        << SignInTweak([](auth::SignInClaims &c) { c.nonce = auth::newChallengeNonce(); }) << "auth.wrong_nonce";
    // What a relay that terminates TLS with its own certificate would forward.
    QTest::newRow("another certificate")
        << GatewayProcess::kRita
        << SignInTweak([](auth::SignInClaims &c) { c.channelBinding = auth::serverEndPointBinding("a relay's certificate"); })
        << "auth.channel_binding";
    QTest::newRow("no channel binding")
        << GatewayProcess::kRita
        << SignInTweak([](auth::SignInClaims &c) {
               c.channelBindingType = QLatin1String(auth::kChannelBindingNone);
               c.channelBinding.clear();
           })
        << "auth.channel_binding";
}

void TestReviewerAuth::signInRefusals()
{
    QFETCH(QString, reviewer);
    QFETCH(SignInTweak, tweak);
    QFETCH(QString, code);
    auto console = m_gateway->console(reviewer);
    console->tamperSignIn = tweak;
    QVERIFY(!console->open());
    QVERIFY(console->waitUntil([&] { return !console->isConnected(); }));
    QVERIFY(console->lastError());
    QCOMPARE(console->lastError()->code, code);
    QVERIFY(!console->hello());
    QVERIFY(console->framesOf<protocol::ActionPending>().isEmpty());
    QCOMPARE(console->closeCode(), QWebSocketProtocol::CloseCodePolicyViolated);
    QVERIFY(m_gateway->logText().contains(QByteArray("sign-in refused code=" + code.toLatin1())));
}

void TestReviewerAuth::signInTokensThatDoNotHold()
{
    const crypto::Ed25519PrivateKey &key = m_gateway->reviewerKey(GatewayProcess::kRita);
    auto attempt = [&](const std::function<QByteArray(const auth::SignInClaims &)> &makeToken) {
        auto console = m_gateway->console(GatewayProcess::kRita);
        const auto challenge = console->openForChallenge();
        if (!challenge)
            return QStringLiteral("no challenge");
        if (console->signIn(makeToken(console->signInClaims(*challenge))))
            return QStringLiteral("signed in");
        console->waitUntil([&] { return !console->isConnected(); });
        return console->lastError() ? console->lastError()->code : QStringLiteral("no error frame");
    };
    // The signature no longer matches the statement.
    QCOMPARE(attempt([&](const auth::SignInClaims &claims) {
                 QByteArray token = auth::signSignIn(claims, key, SystemClock::instance()).value();
                 const qsizetype dot = token.lastIndexOf('.');
                 QByteArray signature = crypto::base64UrlDecode(token.mid(dot + 1)).value();
                 signature[0] = static_cast<char>(signature[0] ^ 0x80);
                 return QByteArray(token.left(dot + 1) + crypto::base64UrlEncode(signature));
             }),
             QStringLiteral("auth.bad_signature"));
    QCOMPARE(attempt([](const auth::SignInClaims &) { return QByteArray("rita@example.com:hunter2"); }),
             QStringLiteral("auth.malformed"));
    // Signed by a machine whose clock is ten minutes behind.
    QCOMPARE(attempt([&](const auth::SignInClaims &claims) {
                 const ManualClock behind(QDateTime::currentDateTimeUtc().addSecs(-600));
                 return auth::signSignIn(claims, key, behind).value();
             }),
             QStringLiteral("auth.stale"));
    // A decision token is not a sign-in.
    QCOMPARE(attempt([&](const auth::SignInClaims &) {
                 decision::DecisionClaims claims;
                 claims.actionId = QStringLiteral("act-1");
                 claims.actionDigest = QByteArray(64, 'a');
                 claims.verdict = Verdict::Approve;
                 claims.reviewer = GatewayProcess::kRita;
                 claims.gatewayId = m_gateway->gatewayId();
                 claims.policyVersion = GatewayProcess::kPolicyVersion;
                 return decision::signDecision(claims, key, SystemClock::instance()).value();
             }),
             QStringLiteral("auth.malformed"));
}

void TestReviewerAuth::nothingBeforeSignIn()
{
    auto console = m_gateway->console(GatewayProcess::kRita);
    QVERIFY(console->openForChallenge());
    console->send(protocol::Subscribe{0});
    QVERIFY(console->waitUntil([&] { return !console->isConnected(); }));
    QCOMPARE(console->lastError()->code, QStringLiteral("auth.required"));
    QVERIFY(console->framesOf<protocol::ActionPending>().isEmpty());
    QVERIFY(console->framesOf<protocol::Subscribed>().isEmpty());
}

void TestReviewerAuth::aChallengeIsAnsweredOnce()
{
    // A sign-in captured on one connection is worthless on another: its nonce is not the new
    // connection's challenge.
    auto first = m_gateway->console(GatewayProcess::kRita);
    const auto challenge = first->openForChallenge();
    QVERIFY(challenge);
    const QByteArray token =
        auth::signSignIn(first->signInClaims(*challenge), m_gateway->reviewerKey(GatewayProcess::kRita), SystemClock::instance()).value();
    QVERIFY(first->signIn(token));

    auto second = m_gateway->console(GatewayProcess::kRita);
    QVERIFY(second->openForChallenge());
    QVERIFY(!second->signIn(token));
    QCOMPARE(second->lastError()->code, QStringLiteral("auth.wrong_nonce"));
    // And a signed-in connection does not sign in twice.
    first->send(protocol::SignIn{token});
    QVERIFY(first->waitUntil([&] { return first->lastError().has_value(); }));
    QCOMPARE(first->lastError()->code, QStringLiteral("auth.already_signed_in"));
}

void TestReviewerAuth::sessionEndsAtItsAbsoluteLimit()
{
    GatewayProcess::Options options;
    options.sessionMaxSeconds = 2;
    GatewayProcess gateway(options);
    QString error;
    QVERIFY2(gateway.start(&error), qPrintable(error));
    auto rita = gateway.console(GatewayProcess::kRita);
    QVERIFY(rita->open());
    QVERIFY(rita->subscribe(0));
    // Activity does not extend the absolute limit.
    QElapsedTimer elapsed;
    elapsed.start();
    while (rita->isConnected() && elapsed.elapsed() < 8000) {
        rita->send(protocol::Ping{QStringLiteral("keep-busy")});
        rita->waitUntil([] { return false; }, 200);
    }
    QVERIFY(!rita->isConnected());
    QVERIFY2(elapsed.elapsed() < 4000, qPrintable(QString::number(elapsed.elapsed())));
    QCOMPARE(rita->lastError()->code, QStringLiteral("session.expired"));
    // An expiry is not a refusal: the console may sign in again.
    QCOMPARE(rita->closeCode(), QWebSocketProtocol::CloseCodeNormal);
    auto again = gateway.console(GatewayProcess::kRita);
    QVERIFY(again->open());
}

void TestReviewerAuth::decisionRefusals_data()
{
    QTest::addColumn<QString>("reviewer");
    QTest::addColumn<QString>("signer"); // whose key signs
    QTest::addColumn<QString>("user");   // the action's requesting user
    QTest::addColumn<DecisionTweak>("tweak");
    QTest::addColumn<QString>("code");
    const QString alice = QStringLiteral("alice@example.com");
    const DecisionTweak none;
    QTest::newRow("signed with another key") << GatewayProcess::kRita << GatewayProcess::kSam << alice << none
                                             << "decision.wrong_key";
    QTest::newRow("analyst") << GatewayProcess::kAlex << GatewayProcess::kAlex << alice << none << "decision.forbidden_role";
    QTest::newRow("wrong subject") << GatewayProcess::kRita << GatewayProcess::kRita << alice
                                   << DecisionTweak([](decision::DecisionClaims &c) { c.reviewer = GatewayProcess::kSam; })
                                   << "decision.subject_mismatch";
    QTest::newRow("another gateway") << GatewayProcess::kRita << GatewayProcess::kRita << alice
                                     << DecisionTweak([](decision::DecisionClaims &c) { c.gatewayId = QStringLiteral("gw-000000000000"); })
                                     << "decision.wrong_audience";
    QTest::newRow("another action's id inside") << GatewayProcess::kRita << GatewayProcess::kRita << alice
                                                << DecisionTweak([](decision::DecisionClaims &c) { c.actionId = QStringLiteral("act-0000000000000000"); })
                                                << "decision.action_mismatch";
    QTest::newRow("what was not shown") << GatewayProcess::kRita << GatewayProcess::kRita << alice
                                        << DecisionTweak([](decision::DecisionClaims &c) { c.actionDigest = QByteArray(64, 'e'); })
                                        << "decision.digest_mismatch";
    QTest::newRow("another policy version") << GatewayProcess::kRita << GatewayProcess::kRita << alice
                                            << DecisionTweak([](decision::DecisionClaims &c) { c.policyVersion = QStringLiteral("test-0"); })
                                            << "decision.policy_mismatch";
    QTest::newRow("own request") << GatewayProcess::kRita << GatewayProcess::kRita << GatewayProcess::kRita << none
                                 << "decision.self_approval";
}

void TestReviewerAuth::decisionRefusals()
{
    QFETCH(QString, reviewer);
    QFETCH(QString, signer);
    QFETCH(QString, user);
    QFETCH(DecisionTweak, tweak);
    QFETCH(QString, code);
    auto console = m_gateway->console(reviewer);
    QVERIFY(console->open());
    QVERIFY(console->subscribe(0));
    const QJsonObject submitted = submit(25000, user);
    const QString id = submitted.value(QStringLiteral("id")).toString();
    const QByteArray digest = submitted.value(QStringLiteral("digest")).toString().toLatin1();
    QVERIFY(console->waitUntil([&] { return console->pending(id).has_value(); }));
    const QByteArray token = console->signDecision(id, digest, Verdict::Approve, QStringLiteral("looks fine"), tweak,
                                                   &m_gateway->reviewerKey(signer));
    const auto result = console->sendDecision(id, token);
    QVERIFY(result);
    QVERIFY(!result->accepted);
    QCOMPARE(result->code, code);
    QVERIFY(!result->message.isEmpty());
    // Nothing happened to the action, and the refusal is on record with the token as sent.
    const HttpResult outcome = m_agent->get(QStringLiteral("/v1/actions/") + id, m_gateway->agentToken(GatewayProcess::kPaymentsAgent));
    QCOMPARE(outcome.json.value(QStringLiteral("status")).toString(), QStringLiteral("pending"));
    const auto records = m_gateway->storedDecisions(id);
    QCOMPARE(records.size(), 1);
    QCOMPARE(records.first().code, code);
    QCOMPARE(records.first().token, token);
    QVERIFY(!records.first().accepted);
}

void TestReviewerAuth::forgedStaleAndLateDecisions()
{
    auto rita = m_gateway->console(GatewayProcess::kRita);
    QVERIFY(rita->open());
    QVERIFY(rita->subscribe(0));
    const QJsonObject submitted = submit(25000);
    const QString id = submitted.value(QStringLiteral("id")).toString();
    const QByteArray digest = submitted.value(QStringLiteral("digest")).toString().toLatin1();
    QVERIFY(rita->waitUntil([&] { return rita->pending(id).has_value(); }));

    // A deny turned into an approval after signing.
    const QByteArray deny = rita->signDecision(id, digest, Verdict::Deny, QStringLiteral("no"));
    QList<QByteArray> parts = deny.split('.');
    QByteArray payload = crypto::base64UrlDecode(parts.at(1)).value();
    payload.replace("\"verdict\":\"deny\"", "\"verdict\":\"approve\"");
    parts[1] = crypto::base64UrlEncode(payload);
    auto forged = rita->sendDecision(id, parts.join('.'));
    QCOMPARE(forged->code, QStringLiteral("decision.bad_signature"));

    // Signed ten minutes ago (a console clock far behind, or a token kept back).
    decision::DecisionClaims claims;
    claims.actionId = id;
    claims.actionDigest = digest;
    claims.verdict = Verdict::Approve;
    claims.reviewer = GatewayProcess::kRita;
    claims.gatewayId = m_gateway->gatewayId();
    claims.policyVersion = GatewayProcess::kPolicyVersion;
    const ManualClock behind(QDateTime::currentDateTimeUtc().addSecs(-600));
    const auto stale = rita->sendDecision(id, decision::signDecision(claims, m_gateway->reviewerKey(GatewayProcess::kRita), behind).value());
    QCOMPARE(stale->code, QStringLiteral("decision.stale"));

    // After the deadline (files.delete waits 3 s here): too late, and denied by the timeout.
    const HttpResult quick = m_agent->post(QStringLiteral("/v1/actions"),
                                           submissionBody(QStringLiteral("files"), QStringLiteral("delete"),
                                                          {{QStringLiteral("path"), QStringLiteral("/srv/reports")}}),
                                           m_gateway->agentToken(GatewayProcess::kPaymentsAgent));
    QCOMPARE(quick.status, 202);
    const QString quickId = quick.json.value(QStringLiteral("id")).toString();
    QVERIFY(rita->waitUntil([&] { return rita->pending(quickId).has_value(); }));
    const QByteArray onTime = rita->signDecision(quickId, quick.json.value(QStringLiteral("digest")).toString().toLatin1(),
                                                 Verdict::Approve, QString());
    QVERIFY(rita->waitUntil([&] { return rita->resolved(quickId).has_value(); }, 10'000));
    const auto late = rita->sendDecision(quickId, onTime);
    QVERIFY(late && !late->accepted);
    QVERIFY2(late->code == QLatin1String("decision.already_resolved") || late->code == QLatin1String("decision.too_late"),
             qPrintable(late->code));
    QCOMPARE(rita->resolved(quickId)->outcome, protocol::Outcome::Expired);
}

void TestReviewerAuth::replayedDecisionIsRefused()
{
    auto rita = m_gateway->console(GatewayProcess::kRita);
    QVERIFY(rita->open());
    QVERIFY(rita->subscribe(0));
    const auto first = submitSeen(*rita, 25000);
    QVERIFY(first);
    const QString id = first->first;
    const QByteArray digest = first->second;
    const auto accepted = rita->decide(id, digest, Verdict::Deny, QStringLiteral("unknown vendor"));
    QVERIFY(accepted && accepted->accepted);
    const QString nonce =
        decision::verifyDecision(rita->sentDecisions().last(), m_gateway->reviewerKey(GatewayProcess::kRita).publicKey()).value().nonce;

    // The same nonce on another action, even validly signed, is a replay.
    const QJsonObject second = submit(25000);
    const QString otherId = second.value(QStringLiteral("id")).toString();
    QVERIFY(rita->waitUntil([&] { return rita->pending(otherId).has_value(); }));
    const auto replay = rita->decide(otherId, second.value(QStringLiteral("digest")).toString().toLatin1(), Verdict::Approve,
                                     QString(), [&](decision::DecisionClaims &c) { c.nonce = nonce; });
    QVERIFY(replay && !replay->accepted);
    QCOMPARE(replay->code, QStringLiteral("decision.replayed"));

    // The decided action's own token again, on another connection: acknowledged, no effect.
    auto later = m_gateway->console(GatewayProcess::kRita);
    QVERIFY(later->open());
    const auto resent = later->sendDecision(id, rita->sentDecisions().first());
    QVERIFY(resent && resent->accepted);
    QCOMPARE(resent->message, QStringLiteral("already recorded"));
}

void TestReviewerAuth::quorumOfTwoKeyPairs()
{
    auto rita = m_gateway->console(GatewayProcess::kRita);
    auto sam = m_gateway->console(GatewayProcess::kSam);
    QVERIFY(rita->open() && sam->open());
    QVERIFY(rita->subscribe(0) && sam->subscribe(0));
    const QJsonObject submitted = submit(150000);
    QCOMPARE(submitted.value(QStringLiteral("rule")).toString(), QStringLiteral("payment-dual"));
    const QString id = submitted.value(QStringLiteral("id")).toString();
    const QByteArray digest = submitted.value(QStringLiteral("digest")).toString().toLatin1();
    QVERIFY(sam->waitUntil([&] { return sam->pending(id).has_value(); }));

    QVERIFY(rita->decide(id, digest, Verdict::Approve, QString())->accepted);
    // Sam sees the live tally and who signed; the agent still hears "pending".
    QVERIFY(sam->waitUntil([&] {
        const auto updates = sam->framesOf<protocol::ActionUpdated>();
        return !updates.isEmpty() && updates.last().actionId == id && updates.last().approvedBy == QStringList{GatewayProcess::kRita};
    }));
    const QByteArray token = m_gateway->agentToken(GatewayProcess::kPaymentsAgent);
    QCOMPARE(m_agent->get(QStringLiteral("/v1/actions/") + id, token).json.value(QStringLiteral("status")).toString(),
             QStringLiteral("pending"));
    QVERIFY(sam->decide(id, digest, Verdict::Approve, QString())->accepted);
    QCOMPARE(m_agent->get(QStringLiteral("/v1/actions/") + id, token).json.value(QStringLiteral("status")).toString(),
             QStringLiteral("approved"));
    // Both signed decisions are kept, each verifiable with its reviewer's key.
    const auto records = m_gateway->storedDecisions(id);
    QCOMPARE(records.size(), 2);
    QVERIFY(decision::verifyDecision(records.at(0).token, m_gateway->reviewerKey(GatewayProcess::kRita).publicKey()));
    QVERIFY(decision::verifyDecision(records.at(1).token, m_gateway->reviewerKey(GatewayProcess::kSam).publicKey()));

    // One deny breaks the quorum at once.
    const QJsonObject vetoed = submit(150000);
    const QString vetoedId = vetoed.value(QStringLiteral("id")).toString();
    const QByteArray vetoedDigest = vetoed.value(QStringLiteral("digest")).toString().toLatin1();
    QVERIFY(rita->waitUntil([&] { return rita->pending(vetoedId).has_value(); }));
    QVERIFY(rita->decide(vetoedId, vetoedDigest, Verdict::Approve, QString())->accepted);
    QVERIFY(sam->decide(vetoedId, vetoedDigest, Verdict::Deny, QStringLiteral("beneficiary changed yesterday"))->accepted);
    QCOMPARE(m_agent->get(QStringLiteral("/v1/actions/") + vetoedId, token).json.value(QStringLiteral("status")).toString(),
             QStringLiteral("denied"));
}

void TestReviewerAuth::everythingIsOnTheAuditTrail()
{
    // Its own events, so it also holds when run alone: a sign-in refused, a session with a
    // decision accepted and one refused, then closed.
    {
        auto refused = m_gateway->console(GatewayProcess::kRita);
        refused->tamperSignIn = [](auth::SignInClaims &c) { c.gatewayId = QStringLiteral("gw-elsewhere"); };
        QVERIFY(!refused->open());
        QVERIFY(refused->waitUntil([&] { return !refused->isConnected(); }));
        auto rita = m_gateway->console(GatewayProcess::kRita);
        QVERIFY(rita->open());
        QVERIFY(rita->subscribe(0));
        const auto submitted = submitSeen(*rita, 25000);
        QVERIFY(submitted);
        const auto accepted = rita->decide(submitted->first, submitted->second, Verdict::Deny, QStringLiteral("unknown vendor"));
        QVERIFY(accepted && accepted->accepted);
        const auto again = rita->decide(submitted->first, submitted->second, Verdict::Approve, QString());
        QVERIFY(again && !again->accepted);
    }
    QVERIFY(QTest::qWaitFor([&] { return m_gateway->logText().contains("session closed"); }, 5000));

    const QString path = m_gateway->dataDir() + QStringLiteral("/audit.db");
    audit::AuditLog::Options readOnly;
    readOnly.readOnly = true;
    auto log = audit::AuditLog::open(path, readOnly);
    QVERIFY2(log, qPrintable(log ? QString() : log.error().toString()));
    QHash<QString, int> kinds;
    bool consoleAuthFailure = false;
    qint64 after = 0;
    for (;;) {
        auto page = log.value()->entries(after, 1000);
        QVERIFY(page);
        if (page.value().isEmpty())
            break;
        for (const audit::AuditEntry &entry : page.value()) {
            ++kinds[entry.kind];
            consoleAuthFailure = consoleAuthFailure
                || (entry.kind == QLatin1String("auth.failed") && entry.payload.contains("\"plane\":\"console\""));
            // A sign-in that did not hold names nobody: the token is not taken for an identity.
            if (entry.kind == QLatin1String("auth.failed"))
                QCOMPARE(entry.actor, QStringLiteral("unauthenticated"));
        }
        after = page.value().last().seq;
    }
    for (const char *kind : {"control.change", "submission.accepted", "session.opened", "session.closed", "auth.failed",
                             "decision.accepted", "decision.refused"})
        QVERIFY2(kinds.value(QLatin1String(kind)) > 0, kind);
    QVERIFY(consoleAuthFailure);

    // It verifies, every accepted decision against the reviewers' keys.
    audit::VerifyOptions options;
    QList<audit::EnrolledReviewer> enrolled;
    for (const QString &id : {GatewayProcess::kRita, GatewayProcess::kSam}) {
        const crypto::Ed25519PublicKey key = m_gateway->reviewerKey(id).publicKey();
        enrolled.append(audit::EnrolledReviewer{id, QString::fromLatin1(crypto::jwkThumbprint(key)), key});
    }
    options.reviewers = enrolled;
    const auto report = audit::verifyLog(path, options);
    QVERIFY(report);
    QVERIFY2(report.value().ok, qPrintable(report.value().reason));
    QCOMPARE(report.value().decisionsChecked, kinds.value(QStringLiteral("decision.accepted")));
}

QTEST_GUILESS_MAIN(TestReviewerAuth)
#include "TestReviewerAuth.moc"
