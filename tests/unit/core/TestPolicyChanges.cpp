// The policy as a document (toJson round-trips through fromJson) and the control plane's
// changes: each returns a new validated policy, refuses duplicates (revoked entries included)
// and leaves the original untouched.
#include "core/crypto/Digest.h"
#include "core/crypto/Ed25519.h"
#include "core/crypto/Jwk.h"
#include "core/json/FieldReader.h"
#include "core/json/Json.h"
#include "core/policy/Policy.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTest>

using namespace countersign;

namespace {

QString hashOf(const char *token)
{
    return QString::fromLatin1(crypto::sha256Hex(token));
}

QJsonObject freshJwk()
{
    auto key = crypto::Ed25519PrivateKey::generate();
    if (!key)
        qFatal("cannot generate a key");
    return crypto::publicKeyToJwk(key.value().publicKey());
}

QJsonObject condition(const char *param, const char *op, const QJsonValue &value)
{
    return QJsonObject{{QStringLiteral("param"), QLatin1String(param)}, {QStringLiteral("op"), QLatin1String(op)},
                       {QStringLiteral("value"), value}};
}

QJsonObject documentWithEverything(const QJsonObject &ritaKey, const QJsonObject &alexKey)
{
    const QJsonArray rules{
        QJsonObject{{QStringLiteral("id"), QStringLiteral("big-payment")}, {QStringLiteral("tool"), QStringLiteral("payments")},
                    {QStringLiteral("operation"), QStringLiteral("transfer")},
                    {QStringLiteral("when"), QJsonArray{condition("amount", "gt", 10000), condition("currency", "in", QJsonArray{QStringLiteral("EUR"), QStringLiteral("USD")}),
                                                        condition("memo", "exists", true), condition("to", "domainNotIn", QJsonArray{QStringLiteral("example.com")}),
                                                        condition("note", "ne", QJsonValue::Null)}},
                    {QStringLiteral("tier"), 3}, {QStringLiteral("categories"), QJsonArray{QStringLiteral("financial")}},
                    {QStringLiteral("irreversible"), true}, {QStringLiteral("deadlineSeconds"), 300},
                    {QStringLiteral("approvals"), 2}, {QStringLiteral("reason"), QStringLiteral("Large payments")}},
        QJsonObject{{QStringLiteral("id"), QStringLiteral("flagged")}, {QStringLiteral("judgeFlagged"), true},
                    {QStringLiteral("tier"), 2}, {QStringLiteral("deadlineSeconds"), 60}, {QStringLiteral("approvals"), 1},
                    {QStringLiteral("reason"), QStringLiteral("A Judge flagged it")}},
    };
    return QJsonObject{
        {QStringLiteral("version"), QStringLiteral("v1")},
        {QStringLiteral("admins"), QJsonArray{QJsonObject{{QStringLiteral("id"), QStringLiteral("ops@example.com")},
                                                          {QStringLiteral("tokenSha256"), hashOf("admin-token")}}}},
        {QStringLiteral("reviewers"),
         QJsonArray{QJsonObject{{QStringLiteral("id"), QStringLiteral("rita@example.com")}, {QStringLiteral("role"), QStringLiteral("reviewer")},
                                {QStringLiteral("key"), ritaKey}},
                    QJsonObject{{QStringLiteral("id"), QStringLiteral("alex@example.com")}, {QStringLiteral("role"), QStringLiteral("analyst")},
                                {QStringLiteral("key"), alexKey}, {QStringLiteral("revokedAt"), QStringLiteral("2026-11-30T10:00:00.000Z")}}}},
        {QStringLiteral("agents"),
         QJsonArray{QJsonObject{{QStringLiteral("id"), QStringLiteral("payments-agent")}, {QStringLiteral("tokenSha256"), hashOf("agent-token")},
                                {QStringLiteral("tools"), QJsonArray{QStringLiteral("payments.transfer"), QStringLiteral("email.send")}}},
                    QJsonObject{{QStringLiteral("id"), QStringLiteral("old-agent")}, {QStringLiteral("tokenSha256"), hashOf("old-token")},
                                {QStringLiteral("tools"), QJsonArray{QStringLiteral("crm.lookup")}},
                                {QStringLiteral("revokedAt"), QStringLiteral("2026-11-29T10:00:00.000Z")}}}},
        {QStringLiteral("rules"), rules},
    };
}

Policy parse(const QJsonObject &document)
{
    auto policy = Policy::fromJson(json::canonicalize(document));
    if (!policy)
        qFatal("%s", qPrintable(policy.error().toString()));
    return policy.value();
}

QByteArray canonical(const Policy &policy)
{
    return json::canonicalize(policy.toJson());
}

const QDateTime kNow = QDateTime(QDate(2026, 11, 30), QTime(12, 0, 0, 250), Qt::UTC);

} // namespace

class TestPolicyChanges final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void toJsonRoundTrips();
    void toJsonKeepsBehaviour();
    void addReviewer();
    void addReviewerRefusesDuplicates_data();
    void addReviewerRefusesDuplicates();
    void addReviewerRefusesBadInput();
    void revokeReviewer();
    void addAgent();
    void addAgentRefusesDuplicates_data();
    void addAgentRefusesDuplicates();
    void revokeAgent();
    void replaceRules();
    void replaceRulesRefusals_data();
    void replaceRulesRefusals();

private:
    QJsonObject m_ritaKey;
    QJsonObject m_alexKey;
    Policy m_policy;
};

void TestPolicyChanges::initTestCase()
{
    m_ritaKey = freshJwk();
    m_alexKey = freshJwk();
    m_policy = parse(documentWithEverything(m_ritaKey, m_alexKey));
}

void TestPolicyChanges::toJsonRoundTrips()
{
    const QJsonObject document = m_policy.toJson();
    auto again = Policy::fromJson(json::canonicalize(document));
    QVERIFY2(again, qPrintable(again.ok() ? QString() : again.error().toString()));
    QCOMPARE(canonical(again.value()), json::canonicalize(document));
    // Everything the file said is still there.
    QCOMPARE(again.value().admins().size(), 1);
    QCOMPARE(again.value().reviewers().size(), 2);
    QVERIFY(again.value().reviewers().at(1).revokedAt.isValid());
    QCOMPARE(again.value().reviewers().at(0).keyId, m_policy.reviewers().at(0).keyId);
    QCOMPARE(again.value().agents().at(1).revokedAt, m_policy.agents().at(1).revokedAt);
    QCOMPARE(again.value().rules().size(), 2);
    QCOMPARE(again.value().rules().at(0).when.size(), 5);
    QVERIFY(again.value().rules().at(1).judgeFlagged);
    QVERIFY(!document.value(QStringLiteral("reviewers")).toArray().at(0).toObject().contains(QStringLiteral("keyId")));
    QCOMPARE(document.value(QStringLiteral("admins")).toArray().at(0).toObject().value(QStringLiteral("tokenSha256")).toString(),
             hashOf("admin-token"));
}

void TestPolicyChanges::toJsonKeepsBehaviour()
{
    const Policy again = parse(m_policy.toJson());
    const QJsonObject parameters{{QStringLiteral("amount"), 20000}, {QStringLiteral("currency"), QStringLiteral("EUR")},
                                 {QStringLiteral("memo"), QStringLiteral("x")}, {QStringLiteral("to"), QStringLiteral("bob@elsewhere.org")}};
    const PolicyOutcome before = m_policy.evaluate(QStringLiteral("payments"), QStringLiteral("transfer"), parameters, false);
    const PolicyOutcome after = again.evaluate(QStringLiteral("payments"), QStringLiteral("transfer"), parameters, false);
    QVERIFY(before.needsHuman);
    QCOMPARE(after.needsHuman, before.needsHuman);
    QCOMPARE(after.explanation, before.explanation);
    QVERIFY(again.agentForToken("agent-token"));
    QVERIFY(!again.agentForToken("old-token"));
    QVERIFY(again.adminForToken("admin-token"));
}

void TestPolicyChanges::addReviewer()
{
    QJsonObject key = freshJwk();
    key.insert(QStringLiteral("kid"), QStringLiteral("ignored"));
    auto next = m_policy.withReviewer(QStringLiteral("sam@example.com"), protocol::Role::Analyst, key);
    QVERIFY2(next, qPrintable(next.ok() ? QString() : next.error().toString()));
    const PolicyReviewer *sam = next.value().reviewerById(QStringLiteral("sam@example.com"));
    QVERIFY(sam);
    QCOMPARE(sam->role, protocol::Role::Analyst);
    QVERIFY(!sam->revokedAt.isValid());
    QCOMPARE(next.value().reviewerForKeyId(sam->keyId), sam);
    // Stored in its minimal form.
    const QJsonArray reviewers = next.value().toJson().value(QStringLiteral("reviewers")).toArray();
    QVERIFY(!reviewers.last().toObject().value(QStringLiteral("key")).toObject().contains(QStringLiteral("kid")));
    // The original is untouched.
    QVERIFY(!m_policy.reviewerById(QStringLiteral("sam@example.com")));
    QCOMPARE(m_policy.reviewers().size(), 2);
}

void TestPolicyChanges::addReviewerRefusesDuplicates_data()
{
    QTest::addColumn<QString>("id");
    QTest::addColumn<bool>("sameKeyAsRita");
    QTest::addColumn<bool>("sameKeyAsAlex");
    QTest::addColumn<QString>("code");
    QTest::newRow("active id") << QStringLiteral("rita@example.com") << false << false << QStringLiteral("policy.duplicate_id");
    QTest::newRow("revoked id") << QStringLiteral("alex@example.com") << false << false << QStringLiteral("policy.duplicate_id");
    QTest::newRow("agent id") << QStringLiteral("payments-agent") << false << false << QStringLiteral("policy.duplicate_id");
    QTest::newRow("revoked agent id") << QStringLiteral("old-agent") << false << false << QStringLiteral("policy.duplicate_id");
    QTest::newRow("admin id") << QStringLiteral("ops@example.com") << false << false << QStringLiteral("policy.duplicate_id");
    QTest::newRow("active key") << QStringLiteral("new@example.com") << true << false << QStringLiteral("policy.duplicate_key");
    QTest::newRow("revoked key") << QStringLiteral("new@example.com") << false << true << QStringLiteral("policy.duplicate_key");
}

void TestPolicyChanges::addReviewerRefusesDuplicates()
{
    QFETCH(QString, id);
    QFETCH(bool, sameKeyAsRita);
    QFETCH(bool, sameKeyAsAlex);
    QFETCH(QString, code);
    const QJsonObject key = sameKeyAsRita ? m_ritaKey : sameKeyAsAlex ? m_alexKey : freshJwk();
    auto next = m_policy.withReviewer(id, protocol::Role::Reviewer, key);
    QVERIFY(!next);
    QCOMPARE(next.error().code, code);
    QVERIFY2(next.error().message.contains(sameKeyAsRita || sameKeyAsAlex ? QStringLiteral("key") : id),
             qPrintable(next.error().message));
    if (sameKeyAsAlex)
        QVERIFY(next.error().message.contains(QStringLiteral("revoked")));
}

void TestPolicyChanges::addReviewerRefusesBadInput()
{
    QJsonObject privateKey = freshJwk();
    privateKey.insert(QStringLiteral("d"), QStringLiteral("AAAA"));
    auto withPrivate = m_policy.withReviewer(QStringLiteral("x@example.com"), protocol::Role::Reviewer, privateKey);
    QVERIFY(!withPrivate);
    QCOMPARE(withPrivate.error().code, QStringLiteral("policy.invalid"));
    QVERIFY(withPrivate.error().message.startsWith(QStringLiteral("key: ")));

    auto admin = m_policy.withReviewer(QStringLiteral("x@example.com"), protocol::Role::Admin, freshJwk());
    QVERIFY(!admin);
    QVERIFY(admin.error().message.startsWith(QStringLiteral("role: ")));

    auto badId = m_policy.withReviewer(QStringLiteral("no spaces allowed"), protocol::Role::Reviewer, freshJwk());
    QVERIFY(!badId);
    QCOMPARE(badId.error().code, QStringLiteral("policy.invalid"));
    QVERIFY2(badId.error().message.contains(QStringLiteral(".id")), qPrintable(badId.error().message));
}

void TestPolicyChanges::revokeReviewer()
{
    const QString keyId = m_policy.reviewerById(QStringLiteral("rita@example.com"))->keyId;
    QVERIFY(m_policy.reviewerForKeyId(keyId));
    auto next = m_policy.withReviewerRevoked(QStringLiteral("rita@example.com"), kNow);
    QVERIFY2(next, qPrintable(next.ok() ? QString() : next.error().toString()));
    QVERIFY(!next.value().reviewerForKeyId(keyId));
    QCOMPARE(next.value().reviewerById(QStringLiteral("rita@example.com"))->revokedAt, kNow);
    QVERIFY(m_policy.reviewerForKeyId(keyId)); // the original is untouched

    auto again = next.value().withReviewerRevoked(QStringLiteral("rita@example.com"), kNow);
    QVERIFY(!again);
    QCOMPARE(again.error().code, QStringLiteral("policy.already_revoked"));
    auto unknown = m_policy.withReviewerRevoked(QStringLiteral("nobody@example.com"), kNow);
    QVERIFY(!unknown);
    QCOMPARE(unknown.error().code, QStringLiteral("policy.not_found"));
    // An agent is not a reviewer.
    auto agent = m_policy.withReviewerRevoked(QStringLiteral("payments-agent"), kNow);
    QVERIFY(!agent);
    QCOMPARE(agent.error().code, QStringLiteral("policy.not_found"));
    // A revoked reviewer's key stays taken.
    auto reenrol = next.value().withReviewer(QStringLiteral("rita2@example.com"), protocol::Role::Reviewer, m_ritaKey);
    QVERIFY(!reenrol);
    QCOMPARE(reenrol.error().code, QStringLiteral("policy.duplicate_key"));
}

void TestPolicyChanges::addAgent()
{
    auto next = m_policy.withAgent(QStringLiteral("mail-agent"), hashOf("mail-token").toUpper(),
                                   {QStringLiteral("email.send")});
    QVERIFY2(next, qPrintable(next.ok() ? QString() : next.error().toString()));
    const PolicyAgent *agent = next.value().agentForToken("mail-token");
    QVERIFY(agent);
    QCOMPARE(agent->id, QStringLiteral("mail-agent"));
    QVERIFY(next.value().authorizeTool(*agent, QStringLiteral("email"), QStringLiteral("send")));
    QVERIFY(!m_policy.agentForToken("mail-token"));

    auto badTool = m_policy.withAgent(QStringLiteral("x-agent"), hashOf("x"), {QStringLiteral("notatool")});
    QVERIFY(!badTool);
    QCOMPARE(badTool.error().code, QStringLiteral("policy.invalid"));
    QVERIFY2(badTool.error().message.contains(QStringLiteral("tools[0]")), qPrintable(badTool.error().message));
    auto badHash = m_policy.withAgent(QStringLiteral("x-agent"), QStringLiteral("abc"), {QStringLiteral("a.b")});
    QVERIFY(!badHash);
    QVERIFY(badHash.error().message.startsWith(QStringLiteral("tokenSha256: ")));
}

void TestPolicyChanges::addAgentRefusesDuplicates_data()
{
    QTest::addColumn<QString>("id");
    QTest::addColumn<QString>("hash");
    QTest::addColumn<QString>("code");
    QTest::newRow("active id") << QStringLiteral("payments-agent") << hashOf("n1") << QStringLiteral("policy.duplicate_id");
    QTest::newRow("revoked id") << QStringLiteral("old-agent") << hashOf("n2") << QStringLiteral("policy.duplicate_id");
    QTest::newRow("reviewer id") << QStringLiteral("rita@example.com") << hashOf("n3") << QStringLiteral("policy.duplicate_id");
    QTest::newRow("active token") << QStringLiteral("n-agent") << hashOf("agent-token") << QStringLiteral("policy.duplicate_key");
    QTest::newRow("revoked token") << QStringLiteral("n-agent") << hashOf("old-token") << QStringLiteral("policy.duplicate_key");
    QTest::newRow("admin token") << QStringLiteral("n-agent") << hashOf("admin-token") << QStringLiteral("policy.duplicate_key");
}

void TestPolicyChanges::addAgentRefusesDuplicates()
{
    QFETCH(QString, id);
    QFETCH(QString, hash);
    QFETCH(QString, code);
    auto next = m_policy.withAgent(id, hash, {QStringLiteral("a.b")});
    QVERIFY(!next);
    QCOMPARE(next.error().code, code);
}

void TestPolicyChanges::revokeAgent()
{
    QVERIFY(m_policy.agentForToken("agent-token"));
    auto next = m_policy.withAgentRevoked(QStringLiteral("payments-agent"), kNow);
    QVERIFY2(next, qPrintable(next.ok() ? QString() : next.error().toString()));
    QVERIFY(!next.value().agentForToken("agent-token"));
    QCOMPARE(next.value().agentById(QStringLiteral("payments-agent"))->revokedAt, kNow);
    auto again = next.value().withAgentRevoked(QStringLiteral("payments-agent"), kNow);
    QVERIFY(!again);
    QCOMPARE(again.error().code, QStringLiteral("policy.already_revoked"));
    auto unknown = m_policy.withAgentRevoked(QStringLiteral("rita@example.com"), kNow);
    QVERIFY(!unknown);
    QCOMPARE(unknown.error().code, QStringLiteral("policy.not_found"));
}

void TestPolicyChanges::replaceRules()
{
    const QJsonObject rules{
        {QStringLiteral("version"), QStringLiteral("v2")},
        {QStringLiteral("rules"), QJsonArray{QJsonObject{{QStringLiteral("id"), QStringLiteral("all-mail")}, {QStringLiteral("tool"), QStringLiteral("email")},
                                                         {QStringLiteral("tier"), 2}, {QStringLiteral("deadlineSeconds"), 120},
                                                         {QStringLiteral("approvals"), 1}, {QStringLiteral("reason"), QStringLiteral("All mail")}}}}};
    auto next = m_policy.withRules(rules);
    QVERIFY2(next, qPrintable(next.ok() ? QString() : next.error().toString()));
    QCOMPARE(next.value().version(), QStringLiteral("v2"));
    QCOMPARE(next.value().rules().size(), 1);
    QCOMPARE(next.value().rulesJson().value(QStringLiteral("rules")).toArray().at(0).toObject().value(QStringLiteral("id")).toString(),
             QStringLiteral("all-mail"));
    // People and agents are unchanged.
    QCOMPARE(next.value().reviewers().size(), m_policy.reviewers().size());
    QCOMPARE(next.value().agents().size(), m_policy.agents().size());
    QCOMPARE(m_policy.version(), QStringLiteral("v1"));
}

void TestPolicyChanges::replaceRulesRefusals_data()
{
    QTest::addColumn<QJsonObject>("body");
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("path");
    const QJsonObject rule{{QStringLiteral("id"), QStringLiteral("r")}, {QStringLiteral("tier"), 2}, {QStringLiteral("deadlineSeconds"), 60},
                           {QStringLiteral("approvals"), 1}, {QStringLiteral("reason"), QStringLiteral("x")}};
    QJsonObject badTier = rule;
    badTier.insert(QStringLiteral("tier"), 9);
    QTest::newRow("same version") << QJsonObject{{QStringLiteral("version"), QStringLiteral("v1")}, {QStringLiteral("rules"), QJsonArray{rule}}}
                                  << QStringLiteral("policy.same_version") << QStringLiteral("version");
    QTest::newRow("no version") << QJsonObject{{QStringLiteral("rules"), QJsonArray{rule}}} << QStringLiteral("policy.invalid") << QStringLiteral("version");
    QTest::newRow("no rules") << QJsonObject{{QStringLiteral("version"), QStringLiteral("v9")}} << QStringLiteral("policy.invalid") << QStringLiteral("rules");
    QTest::newRow("agents smuggled") << QJsonObject{{QStringLiteral("version"), QStringLiteral("v9")}, {QStringLiteral("rules"), QJsonArray{rule}},
                                                    {QStringLiteral("agents"), QJsonArray{}}}
                                     << QStringLiteral("policy.invalid") << QStringLiteral("agents");
    QTest::newRow("bad rule") << QJsonObject{{QStringLiteral("version"), QStringLiteral("v9")}, {QStringLiteral("rules"), QJsonArray{badTier}}}
                              << QStringLiteral("policy.invalid") << QStringLiteral("rules[0].tier");
}

void TestPolicyChanges::replaceRulesRefusals()
{
    QFETCH(QJsonObject, body);
    QFETCH(QString, code);
    QFETCH(QString, path);
    auto next = m_policy.withRules(body);
    QVERIFY(!next);
    QCOMPARE(next.error().code, code);
    QVERIFY2(next.error().message.contains(path), qPrintable(next.error().message));
}

QTEST_GUILESS_MAIN(TestPolicyChanges)
#include "TestPolicyChanges.moc"
