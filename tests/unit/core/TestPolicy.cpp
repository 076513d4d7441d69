// Policy: loading (with every broken-file case naming its field path), token lookup, the tool
// allowlist, every condition operator and first-match rule order.
#include "core/crypto/Digest.h"
#include "core/crypto/Ed25519.h"
#include "core/crypto/Jwk.h"
#include "core/policy/Policy.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

using namespace countersign;

namespace {

QString tokenHash(const char *token)
{
    return QString::fromLatin1(crypto::sha256Hex(token));
}

// Reviewers' keys, generated once per run.
const crypto::Ed25519PublicKey &ritaKey()
{
    static const crypto::Ed25519PublicKey key = crypto::Ed25519PrivateKey::generate().value().publicKey();
    return key;
}

const crypto::Ed25519PublicKey &alexKey()
{
    static const crypto::Ed25519PublicKey key = crypto::Ed25519PrivateKey::generate().value().publicKey();
    return key;
}

QString x(const crypto::Ed25519PublicKey &key)
{
    return crypto::publicKeyToJwk(key).value(QStringLiteral("x")).toString();
}

QJsonObject basePolicy()
{
    return QJsonDocument::fromJson(QStringLiteral(R"({
        "version": "demo-1",
        "admins": [{"id": "ops@example.com", "tokenSha256": "%5"}],
        "reviewers": [{"id": "rita@example.com", "role": "reviewer", "key": {"kty": "OKP", "crv": "Ed25519", "x": "%1"}},
                      {"id": "alex@example.com", "role": "analyst", "key": {"kty": "OKP", "crv": "Ed25519", "x": "%2"}}],
        "agents": [{"id": "payments-agent", "tokenSha256": "%3", "tools": ["payments.transfer", "email.send"]},
                   {"id": "mcp-agent", "tokenSha256": "%4", "tools": ["mcp.github.create_issue"]}],
        "rules": [{"id": "payment-over-10k", "tool": "payments", "operation": "transfer",
                   "when": [{"param": "amount", "op": "gt", "value": 10000}],
                   "tier": 3, "categories": ["financial"], "irreversible": true,
                   "deadlineSeconds": 300, "approvals": 1, "reason": "Payments above 10,000 need a human"},
                  {"id": "any-payment", "tool": "payments", "tier": 2, "deadlineSeconds": 60, "approvals": 1,
                   "reason": "Other payments", "when": [{"param": "currency", "op": "ne", "value": "EUR"}]},
                  {"id": "flagged", "judgeFlagged": true, "tier": 3, "categories": ["judge-anomaly"],
                   "deadlineSeconds": 60, "approvals": 2, "reason": "A Judge flagged it"}]
    })")
                                       .arg(x(ritaKey()), x(alexKey()), tokenHash("agent-token"),
                                            tokenHash("mcp-token"), tokenHash("ops-token"))
                                       .toUtf8())
        .object();
}

QByteArray text(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

// A policy whose only rule has the single condition given.
Policy policyWithCondition(const QJsonObject &condition)
{
    QJsonObject policy = basePolicy();
    policy[QStringLiteral("rules")] = QJsonArray{QJsonObject{
        {QStringLiteral("id"), QStringLiteral("r")}, {QStringLiteral("tier"), 2},
        {QStringLiteral("deadlineSeconds"), 60}, {QStringLiteral("approvals"), 1},
        {QStringLiteral("reason"), QStringLiteral("Because")}, {QStringLiteral("when"), QJsonArray{condition}}}};
    auto loaded = Policy::fromJson(text(policy));
    if (!loaded)
        qFatal("%s", qPrintable(loaded.error().toString()));
    return loaded.value();
}

} // namespace

class TestPolicy final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void loadsTheDocumentedFormat();
    void loadsFromAFile();
    void brokenFilesNameTheField_data();
    void brokenFilesNameTheField();
    void tokensAreFoundByHash();
    void reviewersAreFoundByKeyThumbprint();
    void revokedPrincipalsAreNeverFound();
    void dualApprovalFromTierThreeByDefault();
    void allowlistIsExact();
    void operators_data();
    void operators();
    void firstMatchWins();
    void explanationQuotesNoAgentText();
};

void TestPolicy::loadsTheDocumentedFormat()
{
    auto policy = Policy::fromJson(text(basePolicy()));
    QVERIFY2(policy, qPrintable(policy ? QString() : policy.error().toString()));
    QCOMPARE(policy.value().version(), QStringLiteral("demo-1"));
    QCOMPARE(policy.value().reviewers().size(), 2);
    QCOMPARE(policy.value().reviewers().at(1).role, protocol::Role::Analyst);
    QCOMPARE(policy.value().agents().at(0).tools, (QStringList{QStringLiteral("payments.transfer"), QStringLiteral("email.send")}));
    QCOMPARE(policy.value().agents().at(0).tokenSha256, crypto::sha256("agent-token"));
    const PolicyRule &rule = policy.value().rules().at(0);
    QCOMPARE(rule.id, QStringLiteral("payment-over-10k"));
    QCOMPARE(rule.tool, QStringLiteral("payments"));
    QCOMPARE(rule.when.size(), 1);
    QCOMPARE(rule.when.at(0).op, PolicyCondition::Op::Gt);
    QCOMPARE(rule.categories, QList<ImpactCategory>{ImpactCategory::Financial});
    QVERIFY(rule.irreversible);
    QCOMPARE(rule.deadlineSeconds, 300);
    QVERIFY(policy.value().rules().at(1).operation.isEmpty());
    QVERIFY(policy.value().rules().at(2).judgeFlagged);
}

void TestPolicy::loadsFromAFile()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("policy.json"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(text(basePolicy()));
    file.close();
    QVERIFY(Policy::load(path));
    auto missing = Policy::load(dir.filePath(QStringLiteral("missing.json")));
    QVERIFY(!missing);
    QCOMPARE(missing.error().code, QStringLiteral("policy.unreadable"));
}

void TestPolicy::brokenFilesNameTheField_data()
{
    QTest::addColumn<QByteArray>("document");
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("message"); // the start of the message: the path and the rule

    using Edit = std::function<void(QJsonObject &)>;
    auto edit = [](const Edit &change) {
        QJsonObject policy = basePolicy();
        change(policy);
        return text(policy);
    };
    auto editRule = [&](int index, const Edit &change) {
        return edit([=](QJsonObject &policy) {
            QJsonArray rules = policy[QStringLiteral("rules")].toArray();
            QJsonObject rule = rules[index].toObject();
            change(rule);
            rules[index] = rule;
            policy[QStringLiteral("rules")] = rules;
        });
    };
    auto editCondition = [&](const Edit &change) {
        return editRule(0, [=](QJsonObject &rule) {
            QJsonArray when = rule[QStringLiteral("when")].toArray();
            QJsonObject condition = when[0].toObject();
            change(condition);
            when[0] = condition;
            rule[QStringLiteral("when")] = when;
        });
    };
    const QString invalid = QStringLiteral("policy.invalid");

    QTest::newRow("not JSON") << QByteArray("{\"version\":") << QStringLiteral("json.syntax") << QString();
    QTest::newRow("not an object") << QByteArray("[]") << invalid << QStringLiteral("the policy must be");
    QTest::newRow("unknown top-level member")
        << edit([](QJsonObject &p) { p[QStringLiteral("owners")] = QJsonArray{}; }) << invalid << QStringLiteral("owners: unknown field");
    QTest::newRow("missing version")
        << edit([](QJsonObject &p) { p.remove(QStringLiteral("version")); }) << invalid << QStringLiteral("version: missing");
    QTest::newRow("empty condition")
        << editRule(0, [](QJsonObject &r) {
               r[QStringLiteral("when")] = QJsonArray{QJsonObject{}, QJsonObject{{QStringLiteral("param"), QStringLiteral("a")}, {QStringLiteral("op"), QStringLiteral("approx")}, {QStringLiteral("value"), 1}}};
           })
        << invalid << QStringLiteral("rules[0].when[0].param: missing");
    QTest::newRow("unknown operator in second condition")
        << editRule(2, [](QJsonObject &r) {
               r[QStringLiteral("when")] = QJsonArray{QJsonObject{{QStringLiteral("param"), QStringLiteral("a")}, {QStringLiteral("op"), QStringLiteral("gt")}, {QStringLiteral("value"), 1}},
                                                      QJsonObject{{QStringLiteral("param"), QStringLiteral("a")}, {QStringLiteral("op"), QStringLiteral("approx")}, {QStringLiteral("value"), 1}}};
           })
        << invalid << QStringLiteral("rules[2].when[1].op: unknown operator");
    QTest::newRow("escalation without a group")
        << editRule(0, [](QJsonObject &r) { r[QStringLiteral("escalation")] = QJsonObject{{QStringLiteral("atPercent"), 80}}; })
        << invalid << QStringLiteral("rules[0].escalation.group: missing");
    QTest::newRow("escalation too late")
        << editRule(0, [](QJsonObject &r) {
               r[QStringLiteral("escalation")] = QJsonObject{{QStringLiteral("group"), QStringLiteral("leads")}, {QStringLiteral("atPercent"), 99}};
           })
        << invalid << QStringLiteral("rules[0].escalation.atPercent: must be between 10 and 95");
    QTest::newRow("escalation with an unknown member")
        << editRule(0, [](QJsonObject &r) {
               r[QStringLiteral("escalation")] = QJsonObject{{QStringLiteral("group"), QStringLiteral("leads")}, {QStringLiteral("pager"), QStringLiteral("x")}};
           })
        << invalid << QStringLiteral("rules[0].escalation.pager: unknown field");
    QTest::newRow("gt with a string")
        << editCondition([](QJsonObject &c) { c[QStringLiteral("value")] = QStringLiteral("10000"); })
        << invalid << QStringLiteral("rules[0].when[0].value: must be a number");
    QTest::newRow("in without an array")
        << editCondition([](QJsonObject &c) { c[QStringLiteral("op")] = QStringLiteral("in"); })
        << invalid << QStringLiteral("rules[0].when[0].value: must be an array");
    QTest::newRow("exists without a boolean")
        << editCondition([](QJsonObject &c) { c[QStringLiteral("op")] = QStringLiteral("exists"); })
        << invalid << QStringLiteral("rules[0].when[0].value: must be true or false");
    QTest::newRow("domainNotIn with an address")
        << editCondition([](QJsonObject &c) {
               c[QStringLiteral("op")] = QStringLiteral("domainNotIn");
               c[QStringLiteral("value")] = QJsonArray{QStringLiteral("bob@example.com")};
           })
        << invalid << QStringLiteral("rules[0].when[0].value[0]: must be a domain");
    QTest::newRow("missing value")
        << editCondition([](QJsonObject &c) { c.remove(QStringLiteral("value")); })
        << invalid << QStringLiteral("rules[0].when[0].value: missing");
    QTest::newRow("tier 5") << editRule(1, [](QJsonObject &r) { r[QStringLiteral("tier")] = 5; })
                            << invalid << QStringLiteral("rules[1].tier: must be between 1 and 4");
    QTest::newRow("six approvals") << editRule(0, [](QJsonObject &r) { r[QStringLiteral("approvals")] = 6; })
                                   << invalid << QStringLiteral("rules[0].approvals: must be between 1 and 5");
    QTest::newRow("deadline 0") << editRule(0, [](QJsonObject &r) { r[QStringLiteral("deadlineSeconds")] = 0; })
                                << invalid << QStringLiteral("rules[0].deadlineSeconds");
    QTest::newRow("unknown category")
        << editRule(0, [](QJsonObject &r) { r[QStringLiteral("categories")] = QJsonArray{QStringLiteral("fun")}; })
        << invalid << QStringLiteral("rules[0].categories[0]: unknown category");
    QTest::newRow("duplicate rule id")
        << editRule(1, [](QJsonObject &r) { r[QStringLiteral("id")] = QStringLiteral("payment-over-10k"); })
        << invalid << QStringLiteral("rules[1].id: duplicate rule id");
    QTest::newRow("reserved rule id")
        << editRule(1, [](QJsonObject &r) { r[QStringLiteral("id")] = QStringLiteral("default-allow"); })
        << invalid << QStringLiteral("rules[1].id: is reserved");
    QTest::newRow("misspelled rule member")
        << editRule(0, [](QJsonObject &r) { r[QStringLiteral("aprovals")] = 2; })
        << invalid << QStringLiteral("rules[0].aprovals: unknown field");
    QTest::newRow("duplicate agent id") << edit([](QJsonObject &p) {
        QJsonArray agents = p[QStringLiteral("agents")].toArray();
        QJsonObject copy = agents[1].toObject();
        copy[QStringLiteral("id")] = QStringLiteral("payments-agent");
        agents[1] = copy;
        p[QStringLiteral("agents")] = agents;
    }) << invalid << QStringLiteral("agents[1].id: duplicate id");
    QTest::newRow("agent named like a reviewer") << edit([](QJsonObject &p) {
        QJsonArray agents = p[QStringLiteral("agents")].toArray();
        QJsonObject copy = agents[0].toObject();
        copy[QStringLiteral("id")] = QStringLiteral("rita@example.com");
        agents[0] = copy;
        p[QStringLiteral("agents")] = agents;
    }) << invalid << QStringLiteral("agents[0].id: duplicate id");
    QTest::newRow("duplicate reviewer id") << edit([](QJsonObject &p) {
        QJsonArray reviewers = p[QStringLiteral("reviewers")].toArray();
        QJsonObject copy = reviewers[1].toObject();
        copy[QStringLiteral("id")] = QStringLiteral("rita@example.com");
        reviewers[1] = copy;
        p[QStringLiteral("reviewers")] = reviewers;
    }) << invalid << QStringLiteral("reviewers[1].id: duplicate id");
    QTest::newRow("agent sharing the admin's token") << edit([](QJsonObject &p) {
        QJsonArray agents = p[QStringLiteral("agents")].toArray();
        QJsonObject copy = agents[1].toObject();
        copy[QStringLiteral("tokenSha256")] = tokenHash("ops-token");
        agents[1] = copy;
        p[QStringLiteral("agents")] = agents;
    }) << invalid << QStringLiteral("agents[1].tokenSha256: same credential as \"ops@example.com\"");
    QTest::newRow("shared reviewer key") << edit([](QJsonObject &p) {
        QJsonArray reviewers = p[QStringLiteral("reviewers")].toArray();
        QJsonObject copy = reviewers[1].toObject();
        copy[QStringLiteral("key")] = reviewers[0].toObject().value(QStringLiteral("key"));
        reviewers[1] = copy;
        p[QStringLiteral("reviewers")] = reviewers;
    }) << invalid << QStringLiteral("reviewers[1].key: same credential as \"rita@example.com\"");
    QTest::newRow("short token hash") << edit([](QJsonObject &p) {
        QJsonArray admins = p[QStringLiteral("admins")].toArray();
        QJsonObject copy = admins[0].toObject();
        copy[QStringLiteral("tokenSha256")] = QStringLiteral("abcd");
        admins[0] = copy;
        p[QStringLiteral("admins")] = admins;
    }) << invalid << QStringLiteral("admins[0].tokenSha256: must be 64 hex digits");
    QTest::newRow("private key as a reviewer key") << edit([](QJsonObject &p) {
        QJsonArray reviewers = p[QStringLiteral("reviewers")].toArray();
        QJsonObject copy = reviewers[0].toObject();
        QJsonObject jwk = copy[QStringLiteral("key")].toObject();
        jwk[QStringLiteral("d")] = QStringLiteral("nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A");
        copy[QStringLiteral("key")] = jwk;
        reviewers[0] = copy;
        p[QStringLiteral("reviewers")] = reviewers;
    }) << invalid << QStringLiteral("reviewers[0].key: ");
    QTest::newRow("reviewer without a key") << edit([](QJsonObject &p) {
        QJsonArray reviewers = p[QStringLiteral("reviewers")].toArray();
        QJsonObject copy = reviewers[0].toObject();
        copy.remove(QStringLiteral("key"));
        reviewers[0] = copy;
        p[QStringLiteral("reviewers")] = reviewers;
    }) << invalid << QStringLiteral("reviewers[0].key: missing");
    QTest::newRow("admin listed as a reviewer") << edit([](QJsonObject &p) {
        QJsonArray reviewers = p[QStringLiteral("reviewers")].toArray();
        QJsonObject copy = reviewers[0].toObject();
        copy[QStringLiteral("role")] = QStringLiteral("admin");
        reviewers[0] = copy;
        p[QStringLiteral("reviewers")] = reviewers;
    }) << invalid << QStringLiteral("reviewers[0].role: must be \"reviewer\" or \"analyst\"");
    QTest::newRow("single approval for a self-permission change")
        << editRule(0, [](QJsonObject &r) {
               r[QStringLiteral("categories")] = QJsonArray{QStringLiteral("self-permission-change")};
           })
        << invalid << QStringLiteral("rules[0].approvals: must be at least 2 for a self-permission-change rule");
    QTest::newRow("unknown role") << edit([](QJsonObject &p) {
        QJsonArray reviewers = p[QStringLiteral("reviewers")].toArray();
        QJsonObject copy = reviewers[0].toObject();
        copy[QStringLiteral("role")] = QStringLiteral("root");
        reviewers[0] = copy;
        p[QStringLiteral("reviewers")] = reviewers;
    }) << invalid << QStringLiteral("reviewers[0].role: must be");
    QTest::newRow("tool without operation") << edit([](QJsonObject &p) {
        QJsonArray agents = p[QStringLiteral("agents")].toArray();
        QJsonObject copy = agents[0].toObject();
        copy[QStringLiteral("tools")] = QJsonArray{QStringLiteral("payments")};
        agents[0] = copy;
        p[QStringLiteral("agents")] = agents;
    }) << invalid << QStringLiteral("agents[0].tools[0]: must be \"tool.operation\"");
}

void TestPolicy::brokenFilesNameTheField()
{
    QFETCH(QByteArray, document);
    QFETCH(QString, code);
    QFETCH(QString, message);
    auto policy = Policy::fromJson(document);
    QVERIFY(!policy);
    QCOMPARE(policy.error().code, code);
    QVERIFY2(policy.error().message.startsWith(message), qPrintable(policy.error().message));
}

void TestPolicy::tokensAreFoundByHash()
{
    const Policy policy = Policy::fromJson(text(basePolicy())).value();
    const PolicyAgent *agent = policy.agentForToken("agent-token");
    QVERIFY(agent);
    QCOMPARE(agent->id, QStringLiteral("payments-agent"));
    QCOMPARE(policy.agentForToken("mcp-token")->id, QStringLiteral("mcp-agent"));
    QVERIFY(!policy.agentForToken("agent-token "));
    QVERIFY(!policy.agentForToken(""));
    // Admin and agent tokens are separate namespaces.
    QVERIFY(!policy.agentForToken("ops-token"));
    QVERIFY(!policy.adminForToken("agent-token"));
    QCOMPARE(policy.adminForToken("ops-token")->id, QStringLiteral("ops@example.com"));
}

void TestPolicy::reviewersAreFoundByKeyThumbprint()
{
    const Policy policy = Policy::fromJson(text(basePolicy())).value();
    const QString ritaKid = QString::fromLatin1(crypto::jwkThumbprint(ritaKey()));
    const PolicyReviewer *rita = policy.reviewerForKeyId(ritaKid);
    QVERIFY(rita);
    QCOMPARE(rita->id, QStringLiteral("rita@example.com"));
    QCOMPARE(rita->role, protocol::Role::Reviewer);
    QVERIFY(rita->key.has_value());
    QCOMPARE(*rita->key, ritaKey());
    QCOMPARE(policy.reviewerForKeyId(QString::fromLatin1(crypto::jwkThumbprint(alexKey())))->role, protocol::Role::Analyst);
    QVERIFY(!policy.reviewerForKeyId(ritaKid.left(42)));
    QVERIFY(!policy.reviewerForKeyId(QString()));
}

void TestPolicy::revokedPrincipalsAreNeverFound()
{
    QJsonObject document = basePolicy();
    QJsonArray reviewers = document[QStringLiteral("reviewers")].toArray();
    QJsonObject rita = reviewers[0].toObject();
    rita[QStringLiteral("revokedAt")] = QStringLiteral("2026-11-30T10:00:00Z");
    reviewers[0] = rita;
    document[QStringLiteral("reviewers")] = reviewers;
    QJsonArray agents = document[QStringLiteral("agents")].toArray();
    QJsonObject agent = agents[0].toObject();
    agent[QStringLiteral("revokedAt")] = QStringLiteral("2026-11-30T10:00:00Z");
    agents[0] = agent;
    document[QStringLiteral("agents")] = agents;

    auto policy = Policy::fromJson(text(document));
    QVERIFY2(policy, qPrintable(policy ? QString() : policy.error().toString()));
    QVERIFY(policy.value().reviewers().at(0).revokedAt.isValid());
    QVERIFY(!policy.value().reviewerForKeyId(QString::fromLatin1(crypto::jwkThumbprint(ritaKey()))));
    QVERIFY(!policy.value().agentForToken("agent-token"));
    QVERIFY(policy.value().agentForToken("mcp-token"));
}

void TestPolicy::dualApprovalFromTierThreeByDefault()
{
    QJsonObject document = basePolicy();
    QJsonArray rules = document[QStringLiteral("rules")].toArray();
    for (qsizetype i = 0; i < rules.size(); ++i) {
        QJsonObject rule = rules[i].toObject();
        rule.remove(QStringLiteral("approvals"));
        rules[i] = rule;
    }
    document[QStringLiteral("rules")] = rules;
    const Policy policy = Policy::fromJson(text(document)).value();
    QCOMPARE(policy.rules().at(0).tier, 3);
    QCOMPARE(policy.rules().at(0).approvals, 2);
    QCOMPARE(policy.rules().at(1).tier, 2);
    QCOMPARE(policy.rules().at(1).approvals, 1);
    // An explicit count wins.
    QCOMPARE(Policy::fromJson(text(basePolicy())).value().rules().at(0).approvals, 1);
}

void TestPolicy::allowlistIsExact()
{
    const Policy policy = Policy::fromJson(text(basePolicy())).value();
    const PolicyAgent &payments = policy.agents().at(0);
    QVERIFY(policy.authorizeTool(payments, QStringLiteral("payments"), QStringLiteral("transfer")));
    QVERIFY(policy.authorizeTool(payments, QStringLiteral("email"), QStringLiteral("send")));
    const Status refused = policy.authorizeTool(payments, QStringLiteral("payments"), QStringLiteral("refund"));
    QVERIFY(!refused);
    QCOMPARE(refused.error().code, QStringLiteral("policy.tool_not_declared"));
    QVERIFY(refused.error().message.contains(QLatin1String("payments.refund")));
    QVERIFY(refused.error().message.contains(QLatin1String("payments-agent")));
    QVERIFY(!policy.authorizeTool(payments, QStringLiteral("Payments"), QStringLiteral("transfer")));
    QVERIFY(!policy.authorizeTool(payments, QStringLiteral("payments.transfer"), QString()));

    // A dotted tool name is split at its last dot and cannot be re-split another way.
    const PolicyAgent &mcp = policy.agents().at(1);
    QVERIFY(policy.authorizeTool(mcp, QStringLiteral("mcp.github"), QStringLiteral("create_issue")));
    QVERIFY(!policy.authorizeTool(mcp, QStringLiteral("mcp"), QStringLiteral("github.create_issue")));
}

void TestPolicy::operators_data()
{
    QTest::addColumn<QByteArray>("condition");
    QTest::addColumn<QByteArray>("parameters");
    QTest::addColumn<bool>("matches");

    const QByteArray gt = R"({"param":"amount","op":"gt","value":10000})";
    QTest::newRow("gt above") << gt << QByteArray(R"({"amount":10001})") << true;
    QTest::newRow("gt equal") << gt << QByteArray(R"({"amount":10000})") << false;
    QTest::newRow("gt absent") << gt << QByteArray(R"({})") << false;
    QTest::newRow("gt on a string goes to a human") << gt << QByteArray(R"({"amount":"20000"})") << true;
    QTest::newRow("gte equal") << QByteArray(R"({"param":"amount","op":"gte","value":10})") << QByteArray(R"({"amount":10})") << true;
    QTest::newRow("gte below") << QByteArray(R"({"param":"amount","op":"gte","value":10})") << QByteArray(R"({"amount":9.99})") << false;
    QTest::newRow("lt below") << QByteArray(R"({"param":"amount","op":"lt","value":0})") << QByteArray(R"({"amount":-1})") << true;
    QTest::newRow("lt equal") << QByteArray(R"({"param":"amount","op":"lt","value":0})") << QByteArray(R"({"amount":0})") << false;
    QTest::newRow("lte equal") << QByteArray(R"({"param":"amount","op":"lte","value":0})") << QByteArray(R"({"amount":0})") << true;
    QTest::newRow("lte above") << QByteArray(R"({"param":"amount","op":"lte","value":0})") << QByteArray(R"({"amount":1})") << false;
    QTest::newRow("nested path") << QByteArray(R"({"param":"payment.amount","op":"gt","value":5})")
                                 << QByteArray(R"({"payment":{"amount":6}})") << true;

    const QByteArray eq = R"({"param":"mode","op":"eq","value":"wire"})";
    QTest::newRow("eq same") << eq << QByteArray(R"({"mode":"wire"})") << true;
    QTest::newRow("eq other") << eq << QByteArray(R"({"mode":"card"})") << false;
    QTest::newRow("eq absent") << eq << QByteArray(R"({})") << false;
    QTest::newRow("eq object") << QByteArray(R"({"param":"o","op":"eq","value":{"a":[1,2]}})")
                               << QByteArray(R"({"o":{"a":[1,2]}})") << true;
    const QByteArray ne = R"({"param":"currency","op":"ne","value":"EUR"})";
    QTest::newRow("ne other") << ne << QByteArray(R"({"currency":"USD"})") << true;
    QTest::newRow("ne same") << ne << QByteArray(R"({"currency":"EUR"})") << false;
    QTest::newRow("ne absent") << ne << QByteArray(R"({})") << true;
    QTest::newRow("ne type differs") << QByteArray(R"({"param":"n","op":"ne","value":1})") << QByteArray(R"({"n":"1"})") << true;

    const QByteArray in = R"({"param":"region","op":"in","value":["us","eu"]})";
    QTest::newRow("in listed") << in << QByteArray(R"({"region":"eu"})") << true;
    QTest::newRow("in not listed") << in << QByteArray(R"({"region":"apac"})") << false;
    QTest::newRow("in absent") << in << QByteArray(R"({})") << false;
    QTest::newRow("in number") << QByteArray(R"({"param":"n","op":"in","value":[1,2]})") << QByteArray(R"({"n":2})") << true;

    const QByteArray exists = R"({"param":"attachment","op":"exists","value":true})";
    QTest::newRow("exists present") << exists << QByteArray(R"({"attachment":null})") << true;
    QTest::newRow("exists absent") << exists << QByteArray(R"({})") << false;
    QTest::newRow("exists false absent") << QByteArray(R"({"param":"a","op":"exists","value":false})") << QByteArray(R"({})") << true;
    QTest::newRow("exists false present") << QByteArray(R"({"param":"a","op":"exists","value":false})") << QByteArray(R"({"a":1})") << false;

    const QByteArray domains = R"({"param":"to","op":"domainNotIn","value":["Example.com","corp.example.org"]})";
    QTest::newRow("domain inside") << domains << QByteArray(R"({"to":"bob@example.com"})") << false;
    QTest::newRow("domain case-insensitive") << domains << QByteArray(R"({"to":"Bob@EXAMPLE.COM"})") << false;
    QTest::newRow("domain outside") << domains << QByteArray(R"({"to":"eve@evil.test"})") << true;
    QTest::newRow("subdomain is outside") << domains << QByteArray(R"({"to":"eve@mail.example.com"})") << true;
    QTest::newRow("last @ counts") << domains << QByteArray(R"({"to":"eve@example.com@evil.test"})") << true;
    QTest::newRow("all inside") << domains << QByteArray(R"({"to":["a@example.com","b@corp.example.org"]})") << false;
    QTest::newRow("any outside") << domains << QByteArray(R"({"to":["a@example.com","b@evil.test"]})") << true;
    QTest::newRow("no @ is outside") << domains << QByteArray(R"({"to":"example.com"})") << true;
    QTest::newRow("not a string goes to a human") << domains << QByteArray(R"({"to":{"address":"a@example.com"}})") << true;
    QTest::newRow("array with a number goes to a human") << domains << QByteArray(R"({"to":["a@example.com",5]})") << true;
    QTest::newRow("absent") << domains << QByteArray(R"({})") << false;
}

void TestPolicy::operators()
{
    QFETCH(QByteArray, condition);
    QFETCH(QByteArray, parameters);
    QFETCH(bool, matches);
    const Policy policy = policyWithCondition(QJsonDocument::fromJson(condition).object());
    const PolicyOutcome outcome = policy.evaluate(QStringLiteral("t"), QStringLiteral("o"),
                                                  QJsonDocument::fromJson(parameters).object(), false);
    QCOMPARE(outcome.needsHuman, matches);
    QCOMPARE(outcome.rule != nullptr, matches);
}

void TestPolicy::firstMatchWins()
{
    const Policy policy = Policy::fromJson(text(basePolicy())).value();
    const auto evaluate = [&](const QString &tool, const QString &operation, const char *parameters, bool flagged) {
        return policy.evaluate(tool, operation, QJsonDocument::fromJson(parameters).object(), flagged);
    };
    // Both the first and the second rule match: the first decides.
    PolicyOutcome outcome = evaluate(QStringLiteral("payments"), QStringLiteral("transfer"), R"({"amount":20000,"currency":"USD"})", true);
    QVERIFY(outcome.needsHuman);
    QCOMPARE(outcome.rule->id, QStringLiteral("payment-over-10k"));
    QCOMPARE(outcome.explanation, QStringLiteral("Payments above 10,000 need a human: amount 20000 > 10000"));

    outcome = evaluate(QStringLiteral("payments"), QStringLiteral("refund"), R"({"amount":20000,"currency":"USD"})", false);
    QCOMPARE(outcome.rule->id, QStringLiteral("any-payment")); // operation absent = any

    // Nothing else matches; only a Judge's flag sends it to the third rule.
    QVERIFY(!evaluate(QStringLiteral("email"), QStringLiteral("send"), R"({})", false).needsHuman);
    outcome = evaluate(QStringLiteral("email"), QStringLiteral("send"), R"({})", true);
    QCOMPARE(outcome.rule->id, QStringLiteral("flagged"));
    QCOMPARE(outcome.rule->approvals, 2);

    // No rule: allowed without a human.
    outcome = evaluate(QStringLiteral("payments"), QStringLiteral("transfer"), R"({"amount":5,"currency":"EUR"})", false);
    QVERIFY(!outcome.needsHuman);
    QVERIFY(!outcome.rule);
}

void TestPolicy::explanationQuotesNoAgentText()
{
    const Policy policy = policyWithCondition(QJsonDocument::fromJson(
        R"({"param":"to","op":"domainNotIn","value":["example.com"]})").object());
    const PolicyOutcome outcome = policy.evaluate(
        QStringLiteral("t"), QStringLiteral("o"),
        QJsonDocument::fromJson(R"({"to":"approved-by-security@evil.test"})").object(), false);
    QVERIFY(outcome.needsHuman);
    QVERIFY(!outcome.explanation.contains(QLatin1String("approved-by-security")));
    QVERIFY(outcome.explanation.contains(QLatin1String("outside example.com")));
}

QTEST_GUILESS_MAIN(TestPolicy)
#include "TestPolicy.moc"
