// The control plane end to end (IAM-02, IAM-03, IAM-08): a real gateway process over real TLS,
// administered through the real `countersign-gateway admin` command line. Reviewers and agents
// are enrolled and revoked, rules replaced, every change recorded with who, what, before,
// after and why and kept across a restart; only admin tokens open it; and neither the agent
// listener nor the console WebSocket can reach it.
#include "core/crypto/Base64Url.h"
#include "core/crypto/Digest.h"
#include "core/crypto/Jwk.h"
#include "tests/support/GatewayProcess.h"
#include "tests/support/TestAgentClient.h"
#include "tests/support/TestConsoleClient.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

using namespace countersign;
using namespace countersign::testsupport;

namespace {

struct CliResult
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;

    [[nodiscard]] QJsonValue json() const
    {
        const QJsonDocument document = QJsonDocument::fromJson(out);
        return document.isArray() ? QJsonValue(document.array()) : QJsonValue(document.object());
    }
    [[nodiscard]] QString describe() const
    {
        return QStringLiteral("exit %1\nstdout: %2\nstderr: %3")
            .arg(exitCode)
            .arg(QString::fromUtf8(out.left(2000)), QString::fromUtf8(err.left(2000)));
    }
};

QJsonObject findById(const QJsonArray &entries, const QString &id)
{
    for (const QJsonValue &entry : entries) {
        if (entry.toObject().value(QStringLiteral("id")).toString() == id)
            return entry.toObject();
    }
    return {};
}

QJsonObject findChange(const QJsonArray &changes, const QString &command, const QString &target)
{
    for (const QJsonValue &change : changes) {
        const QJsonObject object = change.toObject();
        if (object.value(QStringLiteral("command")).toString() == command
            && object.value(QStringLiteral("target")).toString() == target)
            return object;
    }
    return {};
}

} // namespace

class TestControlPlane final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void listsReviewersWithTheirKeys();
    // Before the tests below change the rules and agents.
    void aDecisionVerifiesWithJwcryptoAgainstTheListedKey();
    void enrolsAReviewerWhoCanThenSignIn();
    void refusesDuplicateReviewers();
    void revokingAReviewerEndsTheirSession();
    void enrolsAndRevokesAgents();
    void showsAndReplacesTheRules();
    void onlyAdminTokensOpenTheControlPlane();
    void cliExitCodes();
    void tokenFromAFileDescriptor();
    void changesAreRecordedWithWhoWhatAndWhy();
    void changesSurviveARestart();
    void adminPathsDoNotExistOnTheAgentListener();
    void consoleWebSocketCannotAdminister();
    void secretsStayOutOfTheLog();
    // Last: what all of the above left in the audit log, as an analyst checks it.
    void theAuditTrailVerifiesWithCountersignAudit();

private:
    [[nodiscard]] CliResult admin(const QStringList &arguments, const QByteArray &token,
                                  bool useReadyFile = true, const QByteArray &standardInput = {});
    [[nodiscard]] CliResult admin(const QStringList &arguments)
    {
        return admin(arguments, m_gateway->adminToken());
    }
    // Feeds standardInput to a started process and collects what it said and its exit code.
    [[nodiscard]] static CliResult finish(QProcess &process, const QByteArray &standardInput = {});
    [[nodiscard]] QString writeFile(const QString &name, const QByteArray &content);
    [[nodiscard]] int changeCount();
    [[nodiscard]] HttpResult submit(const QByteArray &agentToken, const QString &tool, const QString &operation,
                                    const QJsonObject &parameters);

    std::unique_ptr<GatewayProcess> m_gateway;
    QTemporaryDir m_files;
    QList<QByteArray> m_agentTokensIssued;
};

void TestControlPlane::initTestCase()
{
    m_gateway = std::make_unique<GatewayProcess>();
    QString error;
    QVERIFY2(m_gateway->start(&error), qPrintable(error));
    const QUrl control = m_gateway->controlUrl();
    QCOMPARE(control.scheme(), QStringLiteral("https"));
    QCOMPARE(control.host(), QStringLiteral("127.0.0.1")); // loopback unless the operator says otherwise
    QVERIFY(control.port() > 0);
    QVERIFY(control.port() != m_gateway->agentUrl().port());
    QVERIFY(control.port() != m_gateway->consoleUrl().port());
}

void TestControlPlane::cleanupTestCase()
{
    m_gateway.reset();
}

CliResult TestControlPlane::admin(const QStringList &arguments, const QByteArray &token, bool useReadyFile,
                                  const QByteArray &standardInput)
{
    QProcess process;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.remove(QStringLiteral("COUNTERSIGN_ADMIN_TOKEN"));
    // Sanitizer builds only: see the file for why this client's exit may report OpenSSL's
    // per-thread state of Qt's network thread.
    environment.insert(QStringLiteral("LSAN_OPTIONS"),
                       QStringLiteral("suppressions=" COUNTERSIGN_SOURCE_DIR "/tests/sanitizer/qt-network-thread.supp"));
    if (!token.isEmpty())
        environment.insert(QStringLiteral("COUNTERSIGN_ADMIN_TOKEN"), QString::fromLatin1(token));
    process.setProcessEnvironment(environment);
    QStringList all{QStringLiteral("admin")};
    if (useReadyFile)
        all << QStringLiteral("--ready-file") << m_gateway->readyFilePath();
    all << arguments;
    process.start(QStringLiteral(COUNTERSIGN_BIN_DIR "/countersign-gateway"), all);
    return finish(process, standardInput);
}

CliResult TestControlPlane::finish(QProcess &process, const QByteArray &standardInput)
{
    CliResult result;
    if (!process.waitForStarted(10'000))
        return result;
    if (!standardInput.isEmpty())
        process.write(standardInput);
    process.closeWriteChannel();
    if (!process.waitForFinished(60'000)) {
        process.kill();
        process.waitForFinished();
        return result;
    }
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -2;
    result.out = process.readAllStandardOutput();
    result.err = process.readAllStandardError();
    return result;
}

QString TestControlPlane::writeFile(const QString &name, const QByteArray &content)
{
    const QString path = m_files.filePath(name);
    QFile file(path);
    if (file.open(QIODevice::WriteOnly))
        file.write(content);
    return path;
}

int TestControlPlane::changeCount()
{
    const CliResult result = admin({QStringLiteral("changes")});
    return result.exitCode == 0 ? static_cast<int>(result.json().toArray().size()) : -1;
}

HttpResult TestControlPlane::submit(const QByteArray &agentToken, const QString &tool, const QString &operation,
                                    const QJsonObject &parameters)
{
    TestAgentClient agent(m_gateway->agentUrl(), m_gateway->fingerprint());
    return agent.post(QStringLiteral("/v1/actions"), submissionBody(tool, operation, parameters), agentToken);
}

void TestControlPlane::listsReviewersWithTheirKeys()
{
    const CliResult result = admin({QStringLiteral("reviewers"), QStringLiteral("list")});
    QVERIFY2(result.exitCode == 0, qPrintable(result.describe()));
    const QJsonArray reviewers = result.json().toArray();
    QCOMPARE(reviewers.size(), 3);
    const QJsonObject rita = findById(reviewers, GatewayProcess::kRita);
    QCOMPARE(rita.value(QStringLiteral("role")).toString(), QStringLiteral("reviewer"));
    const QJsonObject expectedKey = crypto::publicKeyToJwk(m_gateway->reviewerKey(GatewayProcess::kRita).publicKey());
    QCOMPARE(rita.value(QStringLiteral("key")).toObject(), expectedKey);
    QCOMPARE(rita.value(QStringLiteral("keyId")).toString(),
             QString::fromLatin1(crypto::jwkThumbprint(m_gateway->reviewerKey(GatewayProcess::kRita).publicKey())));
    QVERIFY(!rita.contains(QStringLiteral("revokedAt")));
    QCOMPARE(findById(reviewers, GatewayProcess::kAlex).value(QStringLiteral("role")).toString(), QStringLiteral("analyst"));
}

void TestControlPlane::enrolsAReviewerWhoCanThenSignIn()
{
    // Mallory holds a key the gateway does not know.
    auto before = m_gateway->console(GatewayProcess::kMallory);
    QVERIFY(!before->open());

    const QString pem = writeFile(QStringLiteral("mallory.pem"), m_gateway->reviewerKey(GatewayProcess::kMallory).publicKey().toPem());
    const CliResult added = admin({QStringLiteral("reviewers"), QStringLiteral("add"), QStringLiteral("--id"), GatewayProcess::kMallory,
                                   QStringLiteral("--role"), QStringLiteral("reviewer"), QStringLiteral("--key"), pem,
                                   QStringLiteral("--why"), QStringLiteral("SEC-101 new on-call reviewer")});
    QVERIFY2(added.exitCode == 0, qPrintable(added.describe()));
    QCOMPARE(added.json().toObject().value(QStringLiteral("id")).toString(), GatewayProcess::kMallory);

    const CliResult listed = admin({QStringLiteral("reviewers"), QStringLiteral("list")});
    QVERIFY2(listed.exitCode == 0, qPrintable(listed.describe()));
    const QJsonObject mallory = findById(listed.json().toArray(), GatewayProcess::kMallory);
    QCOMPARE(mallory.value(QStringLiteral("role")).toString(), QStringLiteral("reviewer"));
    QCOMPARE(mallory.value(QStringLiteral("key")).toObject(),
             crypto::publicKeyToJwk(m_gateway->reviewerKey(GatewayProcess::kMallory).publicKey()));

    // In force at once, without a restart.
    auto after = m_gateway->console(GatewayProcess::kMallory);
    QVERIFY(after->open());
    QCOMPARE(after->hello()->reviewer, GatewayProcess::kMallory);

    // A JWK file works as well as PEM; the enrolment can be an analyst.
    auto analystKey = crypto::Ed25519PrivateKey::generate();
    QVERIFY(analystKey);
    const QString jwk = writeFile(QStringLiteral("ann.jwk"),
                                  QJsonDocument(crypto::publicKeyToJwk(analystKey.value().publicKey())).toJson());
    const CliResult analyst = admin({QStringLiteral("reviewers"), QStringLiteral("add"), QStringLiteral("--id"), QStringLiteral("ann@example.com"),
                                     QStringLiteral("--role"), QStringLiteral("analyst"), QStringLiteral("--key"), jwk,
                                     QStringLiteral("--why"), QStringLiteral("SEC-102 audit season")});
    QVERIFY2(analyst.exitCode == 0, qPrintable(analyst.describe()));
    QCOMPARE(analyst.json().toObject().value(QStringLiteral("role")).toString(), QStringLiteral("analyst"));
}

void TestControlPlane::refusesDuplicateReviewers()
{
    const int changes = changeCount();
    const QString ritaPem = writeFile(QStringLiteral("rita.pem"), m_gateway->reviewerKey(GatewayProcess::kRita).publicKey().toPem());
    const CliResult sameKey = admin({QStringLiteral("reviewers"), QStringLiteral("add"), QStringLiteral("--id"), QStringLiteral("rita2@example.com"),
                                     QStringLiteral("--role"), QStringLiteral("reviewer"), QStringLiteral("--key"), ritaPem,
                                     QStringLiteral("--why"), QStringLiteral("second identity")});
    QCOMPARE(sameKey.exitCode, 1);
    QVERIFY2(sameKey.err.contains("policy.duplicate_key"), qPrintable(sameKey.describe()));

    auto fresh = crypto::Ed25519PrivateKey::generate();
    QVERIFY(fresh);
    const QString freshPem = writeFile(QStringLiteral("fresh.pem"), fresh.value().publicKey().toPem());
    const CliResult sameId = admin({QStringLiteral("reviewers"), QStringLiteral("add"), QStringLiteral("--id"), GatewayProcess::kRita,
                                    QStringLiteral("--role"), QStringLiteral("reviewer"), QStringLiteral("--key"), freshPem,
                                    QStringLiteral("--why"), QStringLiteral("replace rita's key")});
    QCOMPARE(sameId.exitCode, 1);
    QVERIFY2(sameId.err.contains("policy.duplicate_id"), qPrintable(sameId.describe()));
    // An agent's name cannot become a reviewer's.
    const CliResult agentId = admin({QStringLiteral("reviewers"), QStringLiteral("add"), QStringLiteral("--id"), GatewayProcess::kPaymentsAgent,
                                     QStringLiteral("--role"), QStringLiteral("reviewer"), QStringLiteral("--key"), freshPem,
                                     QStringLiteral("--why"), QStringLiteral("self approval")});
    QCOMPARE(agentId.exitCode, 1);
    QVERIFY2(agentId.err.contains("policy.duplicate_id"), qPrintable(agentId.describe()));
    QCOMPARE(changeCount(), changes);
}

void TestControlPlane::revokingAReviewerEndsTheirSession()
{
    auto session = m_gateway->console(GatewayProcess::kMallory);
    QVERIFY(session->open());
    const CliResult revoked = admin({QStringLiteral("reviewers"), QStringLiteral("revoke"), GatewayProcess::kMallory,
                                     QStringLiteral("--why"), QStringLiteral("SEC-103 key reported lost")});
    QVERIFY2(revoked.exitCode == 0, qPrintable(revoked.describe()));
    QVERIFY(session->waitUntil([&] { return !session->isConnected(); }));
    QVERIFY(session->lastError());
    QCOMPARE(session->lastError()->code, QStringLiteral("session.revoked"));
    auto again = m_gateway->console(GatewayProcess::kMallory);
    QVERIFY(!again->open());
    again->waitUntil([&] { return !again->isConnected(); });
    QVERIFY(again->lastError());
    QCOMPARE(again->lastError()->code, QStringLiteral("auth.revoked_key"));

    const CliResult listed = admin({QStringLiteral("reviewers"), QStringLiteral("list")});
    QVERIFY(findById(listed.json().toArray(), GatewayProcess::kMallory).contains(QStringLiteral("revokedAt")));

    const CliResult twice = admin({QStringLiteral("reviewers"), QStringLiteral("revoke"), GatewayProcess::kMallory,
                                   QStringLiteral("--why"), QStringLiteral("again")});
    QCOMPARE(twice.exitCode, 1);
    QVERIFY2(twice.err.contains("policy.already_revoked"), qPrintable(twice.describe()));
    const CliResult unknown = admin({QStringLiteral("reviewers"), QStringLiteral("revoke"), QStringLiteral("nobody@example.com"),
                                     QStringLiteral("--why"), QStringLiteral("typo")});
    QCOMPARE(unknown.exitCode, 1);
    QVERIFY2(unknown.err.contains("policy.not_found"), qPrintable(unknown.describe()));

    // A revoked key is never enrolled again, under any name.
    const QString pem = writeFile(QStringLiteral("mallory.pem"), m_gateway->reviewerKey(GatewayProcess::kMallory).publicKey().toPem());
    const CliResult reenrol = admin({QStringLiteral("reviewers"), QStringLiteral("add"), QStringLiteral("--id"), QStringLiteral("mallory2@example.com"),
                                     QStringLiteral("--role"), QStringLiteral("reviewer"), QStringLiteral("--key"), pem,
                                     QStringLiteral("--why"), QStringLiteral("found it")});
    QCOMPARE(reenrol.exitCode, 1);
    QVERIFY2(reenrol.err.contains("policy.duplicate_key"), qPrintable(reenrol.describe()));
}

void TestControlPlane::enrolsAndRevokesAgents()
{
    const CliResult added = admin({QStringLiteral("agents"), QStringLiteral("add"), QStringLiteral("--id"), QStringLiteral("ci-agent"),
                                   QStringLiteral("--tools"), QStringLiteral("crm.lookup,email.send"),
                                   QStringLiteral("--why"), QStringLiteral("SEC-104 CI pipeline")});
    QVERIFY2(added.exitCode == 0, qPrintable(added.describe()));
    // The token is printed once, alone, on stdout; the gateway keeps only its hash.
    const QByteArray token = added.out.trimmed();
    QVERIFY2(token.size() >= 40 && !token.contains('\n'), qPrintable(added.describe()));
    m_agentTokensIssued.append(token);

    const CliResult listed = admin({QStringLiteral("agents"), QStringLiteral("list")});
    QVERIFY2(listed.exitCode == 0, qPrintable(listed.describe()));
    const QJsonObject agent = findById(listed.json().toArray(), QStringLiteral("ci-agent"));
    QCOMPARE(agent.value(QStringLiteral("tokenSha256")).toString(), QString::fromLatin1(crypto::sha256Hex(token)));
    QCOMPARE(agent.value(QStringLiteral("tools")).toArray(), (QJsonArray{QStringLiteral("crm.lookup"), QStringLiteral("email.send")}));
    QVERIFY(!listed.out.contains(token));

    // The new token works at once, for the declared tools only.
    const HttpResult lookup = submit(token, QStringLiteral("crm"), QStringLiteral("lookup"),
                                     {{QStringLiteral("customer"), QStringLiteral("c-1")}});
    QVERIFY2(lookup.status == 200, qPrintable(lookup.describe()));
    const HttpResult undeclared = submit(token, QStringLiteral("payments"), QStringLiteral("transfer"),
                                         {{QStringLiteral("amount"), 5}});
    QCOMPARE(undeclared.status, 403);

    const CliResult revoked = admin({QStringLiteral("agents"), QStringLiteral("revoke"), QStringLiteral("ci-agent"),
                                     QStringLiteral("--why"), QStringLiteral("SEC-105 pipeline retired")});
    QVERIFY2(revoked.exitCode == 0, qPrintable(revoked.describe()));
    // Refused at once, on the very next request.
    const HttpResult refused = submit(token, QStringLiteral("crm"), QStringLiteral("lookup"),
                                      {{QStringLiteral("customer"), QStringLiteral("c-1")}});
    QCOMPARE(refused.status, 401);
    QCOMPARE(refused.errorCode(), QStringLiteral("auth.unknown_token"));
    // Other agents are untouched.
    const HttpResult other = submit(m_gateway->agentToken(GatewayProcess::kSupportAgent),
                                    QStringLiteral("crm"), QStringLiteral("lookup"), {{QStringLiteral("customer"), QStringLiteral("c-1")}});
    QCOMPARE(other.status, 200);

    const CliResult reuse = admin({QStringLiteral("agents"), QStringLiteral("add"), QStringLiteral("--id"), QStringLiteral("ci-agent"),
                                   QStringLiteral("--tools"), QStringLiteral("crm.lookup"), QStringLiteral("--why"), QStringLiteral("again")});
    QCOMPARE(reuse.exitCode, 1);
    QVERIFY2(reuse.err.contains("policy.duplicate_id"), qPrintable(reuse.describe()));
    const CliResult badTool = admin({QStringLiteral("agents"), QStringLiteral("add"), QStringLiteral("--id"), QStringLiteral("odd-agent"),
                                     QStringLiteral("--tools"), QStringLiteral("notatool"), QStringLiteral("--why"), QStringLiteral("test")});
    QCOMPARE(badTool.exitCode, 1);
    QVERIFY2(badTool.err.contains("policy.invalid") && badTool.err.contains("tools[0]"), qPrintable(badTool.describe()));
}

void TestControlPlane::showsAndReplacesTheRules()
{
    const CliResult shown = admin({QStringLiteral("policy"), QStringLiteral("show")});
    QVERIFY2(shown.exitCode == 0, qPrintable(shown.describe()));
    const QJsonObject before = shown.json().toObject();
    QCOMPARE(before.value(QStringLiteral("version")).toString(), GatewayProcess::kPolicyVersion);
    QCOMPARE(before.value(QStringLiteral("rules")).toArray().size(), 5);
    QVERIFY(!before.contains(QStringLiteral("agents")));

    const QByteArray paymentsToken = m_gateway->agentToken(GatewayProcess::kPaymentsAgent);
    const QJsonObject payment{{QStringLiteral("amount"), 20000}, {QStringLiteral("currency"), QStringLiteral("EUR")}};
    QCOMPARE(submit(paymentsToken, QStringLiteral("payments"), QStringLiteral("transfer"), payment).status, 202);

    const QJsonObject rules{
        {QStringLiteral("version"), QStringLiteral("test-2")},
        {QStringLiteral("rules"), QJsonArray{QJsonObject{{QStringLiteral("id"), QStringLiteral("all-payments")},
                                                         {QStringLiteral("tool"), QStringLiteral("payments")},
                                                         {QStringLiteral("when"), QJsonArray{QJsonObject{{QStringLiteral("param"), QStringLiteral("amount")},
                                                                                                         {QStringLiteral("op"), QStringLiteral("gt")},
                                                                                                         {QStringLiteral("value"), 50000}}}},
                                                         {QStringLiteral("tier"), 3}, {QStringLiteral("deadlineSeconds"), 300},
                                                         {QStringLiteral("approvals"), 1}, {QStringLiteral("reason"), QStringLiteral("Above 50,000")}}}}};
    const QString file = writeFile(QStringLiteral("rules.json"), QJsonDocument(rules).toJson());
    const CliResult set = admin({QStringLiteral("policy"), QStringLiteral("set"), file, QStringLiteral("--why"), QStringLiteral("SEC-106 raise the threshold")});
    QVERIFY2(set.exitCode == 0, qPrintable(set.describe()));

    const CliResult after = admin({QStringLiteral("policy"), QStringLiteral("show")});
    QCOMPARE(after.json().toObject().value(QStringLiteral("version")).toString(), QStringLiteral("test-2"));
    QCOMPARE(after.json().toObject().value(QStringLiteral("rules")).toArray().size(), 1);
    // In force at once: the same payment passes now.
    QCOMPARE(submit(paymentsToken, QStringLiteral("payments"), QStringLiteral("transfer"), payment).status, 200);
    // People and agents were not touched by replacing the rules.
    QCOMPARE(findById(admin({QStringLiteral("reviewers"), QStringLiteral("list")}).json().toArray(), GatewayProcess::kRita)
                 .value(QStringLiteral("id")).toString(),
             GatewayProcess::kRita);

    const CliResult sameVersion = admin({QStringLiteral("policy"), QStringLiteral("set"), file, QStringLiteral("--why"), QStringLiteral("again")});
    QCOMPARE(sameVersion.exitCode, 1);
    QVERIFY2(sameVersion.err.contains("policy.same_version"), qPrintable(sameVersion.describe()));

    QJsonObject broken = rules;
    broken.insert(QStringLiteral("version"), QStringLiteral("test-3"));
    QJsonArray brokenRules = broken.value(QStringLiteral("rules")).toArray();
    QJsonObject brokenRule = brokenRules.at(0).toObject();
    brokenRule.insert(QStringLiteral("tier"), 9);
    brokenRules.replace(0, brokenRule);
    broken.insert(QStringLiteral("rules"), brokenRules);
    const CliResult invalid = admin({QStringLiteral("policy"), QStringLiteral("set"), writeFile(QStringLiteral("broken.json"), QJsonDocument(broken).toJson()),
                                     QStringLiteral("--why"), QStringLiteral("typo")});
    QCOMPARE(invalid.exitCode, 1);
    QVERIFY2(invalid.err.contains("policy.invalid") && invalid.err.contains("rules[0].tier"), qPrintable(invalid.describe()));

    // A whole policy file cannot slip people or agents in through "policy set".
    QJsonObject smuggled = rules;
    smuggled.insert(QStringLiteral("version"), QStringLiteral("test-4"));
    smuggled.insert(QStringLiteral("agents"), QJsonArray{});
    const CliResult extra = admin({QStringLiteral("policy"), QStringLiteral("set"), writeFile(QStringLiteral("whole.json"), QJsonDocument(smuggled).toJson()),
                                   QStringLiteral("--why"), QStringLiteral("whole file")});
    QCOMPARE(extra.exitCode, 1);
    QVERIFY2(extra.err.contains("agents"), qPrintable(extra.describe()));
}

void TestControlPlane::onlyAdminTokensOpenTheControlPlane()
{
    const int changes = changeCount();
    TestAgentClient client(m_gateway->controlUrl(), m_gateway->fingerprint());
    const QByteArray body = QJsonDocument(QJsonObject{{QStringLiteral("id"), QStringLiteral("eve-agent")},
                                                      {QStringLiteral("tokenSha256"), QString::fromLatin1(crypto::sha256Hex("eve"))},
                                                      {QStringLiteral("tools"), QJsonArray{QStringLiteral("payments.transfer")}},
                                                      {QStringLiteral("why"), QStringLiteral("let me in")}})
                                .toJson(QJsonDocument::Compact);
    const HttpResult none = client.post(QStringLiteral("/v1/admin/agents"), body, {});
    QCOMPARE(none.status, 401);
    QCOMPARE(none.errorCode(), QStringLiteral("auth.missing_token"));
    const HttpResult agent = client.post(QStringLiteral("/v1/admin/agents"), body, m_gateway->agentToken(GatewayProcess::kPaymentsAgent));
    QCOMPARE(agent.status, 401);
    QCOMPARE(agent.errorCode(), QStringLiteral("auth.unknown_token"));
    const HttpResult wrong = client.post(QStringLiteral("/v1/admin/agents"), body, "not-the-admin-token");
    QCOMPARE(wrong.status, 401);
    QCOMPARE(wrong.errorCode(), QStringLiteral("auth.unknown_token"));
    const HttpResult read = client.get(QStringLiteral("/v1/admin/reviewers"), m_gateway->agentToken(GatewayProcess::kSupportAgent));
    QCOMPARE(read.status, 401);
    // Unknown callers do not even learn which paths exist.
    QCOMPARE(client.get(QStringLiteral("/v1/admin/nothing-here"), "not-the-admin-token").status, 401);

    // The admin is known, but the body is checked strictly and the field is named.
    QJsonObject noWhy = QJsonDocument::fromJson(body).object();
    noWhy.remove(QStringLiteral("why"));
    const HttpResult missing = client.post(QStringLiteral("/v1/admin/agents"), QJsonDocument(noWhy).toJson(), m_gateway->adminToken());
    QCOMPARE(missing.status, 400);
    QCOMPARE(missing.errorCode(), QStringLiteral("request.invalid"));
    QVERIFY2(missing.json.value(QStringLiteral("error")).toObject().value(QStringLiteral("message")).toString().startsWith(QStringLiteral("why")),
             qPrintable(missing.describe()));
    QJsonObject blankWhy = noWhy;
    blankWhy.insert(QStringLiteral("why"), QStringLiteral("   "));
    QCOMPARE(client.post(QStringLiteral("/v1/admin/agents"), QJsonDocument(blankWhy).toJson(), m_gateway->adminToken()).status, 400);
    QJsonObject extra = QJsonDocument::fromJson(body).object();
    extra.insert(QStringLiteral("role"), QStringLiteral("admin"));
    const HttpResult unknownMember = client.post(QStringLiteral("/v1/admin/agents"), QJsonDocument(extra).toJson(), m_gateway->adminToken());
    QCOMPARE(unknownMember.status, 400);
    QVERIFY2(unknownMember.body.contains("role"), qPrintable(unknownMember.describe()));
    const HttpResult notJson = client.post(QStringLiteral("/v1/admin/agents"), "{\"id\":", m_gateway->adminToken());
    QCOMPARE(notJson.status, 400);
    QCOMPARE(notJson.errorCode(), QStringLiteral("json.syntax"));
    // Over the size limit: refused from the head, before the body is read.
    const QByteArray tooLarge = client.rawExchange("POST /v1/admin/agents HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                                   "Authorization: Bearer " + m_gateway->adminToken()
                                                   + "\r\nContent-Type: application/json\r\nContent-Length: 2097152\r\n\r\n");
    QVERIFY2(tooLarge.startsWith("HTTP/1.1 413"), tooLarge.constData());
    QVERIFY(tooLarge.contains("http.body_too_large"));
    QCOMPARE(client.send("DELETE", QStringLiteral("/v1/admin/reviewers"), m_gateway->adminToken()).status, 405);
    QCOMPARE(changeCount(), changes);
}

void TestControlPlane::cliExitCodes()
{
    // 2: usage.
    QCOMPARE(admin({QStringLiteral("reviewers"), QStringLiteral("frobnicate")}).exitCode, 2);
    QCOMPARE(admin({QStringLiteral("agents"), QStringLiteral("revoke"), QStringLiteral("x")}).exitCode, 2); // no --why
    QCOMPARE(admin({QStringLiteral("reviewers"), QStringLiteral("list"), QStringLiteral("--why"), QStringLiteral("x")}).exitCode, 2);
    const CliResult noToken = admin({QStringLiteral("reviewers"), QStringLiteral("list")}, {});
    QCOMPARE(noToken.exitCode, 2);
    QVERIFY(noToken.err.contains("COUNTERSIGN_ADMIN_TOKEN"));
    const CliResult badKey = admin({QStringLiteral("reviewers"), QStringLiteral("add"), QStringLiteral("--id"), QStringLiteral("z@example.com"),
                                    QStringLiteral("--role"), QStringLiteral("reviewer"), QStringLiteral("--key"),
                                    writeFile(QStringLiteral("bad.jwk"), "{\"kty\":\"RSA\"}"), QStringLiteral("--why"), QStringLiteral("x")});
    QCOMPARE(badKey.exitCode, 2);
    QVERIFY2(badKey.err.contains("--key"), qPrintable(badKey.describe()));
    const CliResult noPin = admin({QStringLiteral("--url"), m_gateway->controlUrl().toString(), QStringLiteral("reviewers"), QStringLiteral("list")},
                                  m_gateway->adminToken(), false);
    QCOMPARE(noPin.exitCode, 2);
    QCOMPARE(admin({QStringLiteral("--help")}).exitCode, 0);

    // 1: refused by the gateway, with its code.
    const CliResult wrongToken = admin({QStringLiteral("reviewers"), QStringLiteral("list")}, "not-the-admin-token");
    QCOMPARE(wrongToken.exitCode, 1);
    QVERIFY2(wrongToken.err.contains("auth.unknown_token"), qPrintable(wrongToken.describe()));
    QVERIFY(wrongToken.out.isEmpty());

    // 3: a certificate that does not match the pin, or nobody listening.
    const QString otherPin = QString::fromLatin1(crypto::sha256Hex("some other certificate"));
    const CliResult mismatch = admin({QStringLiteral("--url"), m_gateway->controlUrl().toString(), QStringLiteral("--pin"), otherPin,
                                      QStringLiteral("reviewers"), QStringLiteral("list")},
                                     m_gateway->adminToken(), false);
    QCOMPARE(mismatch.exitCode, 3);
    QVERIFY2(mismatch.err.contains("pinned"), qPrintable(mismatch.describe()));
    QTcpServer closed;
    QVERIFY(closed.listen(QHostAddress::LocalHost));
    const quint16 port = closed.serverPort();
    closed.close();
    const CliResult nobody = admin({QStringLiteral("--url"), QStringLiteral("https://127.0.0.1:%1").arg(port), QStringLiteral("--pin"),
                                    QString::fromLatin1(m_gateway->fingerprint()), QStringLiteral("reviewers"), QStringLiteral("list")},
                                   m_gateway->adminToken(), false);
    QCOMPARE(nobody.exitCode, 3);

    // --url and --pin given by hand work like the ready file.
    const CliResult explicitUrl = admin({QStringLiteral("--url"), m_gateway->controlUrl().toString(), QStringLiteral("--pin"),
                                         QString::fromLatin1(m_gateway->fingerprint()), QStringLiteral("reviewers"), QStringLiteral("list")},
                                        m_gateway->adminToken(), false);
    QVERIFY2(explicitUrl.exitCode == 0, qPrintable(explicitUrl.describe()));
}

void TestControlPlane::tokenFromAFileDescriptor()
{
    const CliResult viaFd = admin({QStringLiteral("--token-fd"), QStringLiteral("0"), QStringLiteral("agents"), QStringLiteral("list")},
                                  {}, true, m_gateway->adminToken() + '\n');
    QVERIFY2(viaFd.exitCode == 0, qPrintable(viaFd.describe()));
    QVERIFY(!findById(viaFd.json().toArray(), GatewayProcess::kPaymentsAgent).isEmpty());
}

void TestControlPlane::changesAreRecordedWithWhoWhatAndWhy()
{
    const CliResult result = admin({QStringLiteral("changes")});
    QVERIFY2(result.exitCode == 0, qPrintable(result.describe()));
    const QJsonArray changes = result.json().toArray();
    // bootstrap, 2 reviewers added, 1 revoked, 1 agent added and revoked, 1 policy set.
    QCOMPARE(changes.size(), 7);
    for (qsizetype i = 0; i < changes.size(); ++i)
        QCOMPARE(changes.at(i).toObject().value(QStringLiteral("seq")).toInteger(), i + 1);

    const QJsonObject bootstrap = changes.at(0).toObject();
    QCOMPARE(bootstrap.value(QStringLiteral("actor")).toString(), QStringLiteral("bootstrap"));
    QCOMPARE(bootstrap.value(QStringLiteral("command")).toString(), QStringLiteral("bootstrap"));
    QCOMPARE(bootstrap.value(QStringLiteral("target")).toString(), GatewayProcess::kPolicyVersion);

    const QJsonObject added = findChange(changes, QStringLiteral("reviewers.add"), GatewayProcess::kMallory);
    QCOMPARE(added.value(QStringLiteral("actor")).toString(), GatewayProcess::kOps);
    QVERIFY(added.value(QStringLiteral("before")).isNull());
    QCOMPARE(added.value(QStringLiteral("after")).toObject().value(QStringLiteral("role")).toString(), QStringLiteral("reviewer"));
    QCOMPARE(added.value(QStringLiteral("why")).toString(), QStringLiteral("SEC-101 new on-call reviewer"));
    QVERIFY(added.value(QStringLiteral("at")).toString().endsWith(QLatin1Char('Z')));

    const QJsonObject revoked = findChange(changes, QStringLiteral("reviewers.revoke"), GatewayProcess::kMallory);
    QCOMPARE(revoked.value(QStringLiteral("actor")).toString(), GatewayProcess::kOps);
    QVERIFY(!revoked.value(QStringLiteral("before")).toObject().contains(QStringLiteral("revokedAt")));
    QVERIFY(revoked.value(QStringLiteral("after")).toObject().contains(QStringLiteral("revokedAt")));
    QCOMPARE(revoked.value(QStringLiteral("why")).toString(), QStringLiteral("SEC-103 key reported lost"));

    const QJsonObject agentAdded = findChange(changes, QStringLiteral("agents.add"), QStringLiteral("ci-agent"));
    QCOMPARE(agentAdded.value(QStringLiteral("after")).toObject().value(QStringLiteral("tools")).toArray().size(), 2);
    QVERIFY(!findChange(changes, QStringLiteral("agents.revoke"), QStringLiteral("ci-agent")).isEmpty());

    const QJsonObject policySet = findChange(changes, QStringLiteral("policy.set"), QStringLiteral("test-2"));
    QCOMPARE(policySet.value(QStringLiteral("before")).toObject().value(QStringLiteral("version")).toString(), GatewayProcess::kPolicyVersion);
    QCOMPARE(policySet.value(QStringLiteral("before")).toObject().value(QStringLiteral("rules")).toArray().size(), 5);
    QCOMPARE(policySet.value(QStringLiteral("after")).toObject().value(QStringLiteral("version")).toString(), QStringLiteral("test-2"));
    QCOMPARE(policySet.value(QStringLiteral("why")).toString(), QStringLiteral("SEC-106 raise the threshold"));

    // Pages: the API gives at most "limit" and says where the next page starts.
    TestAgentClient client(m_gateway->controlUrl(), m_gateway->fingerprint());
    const HttpResult page = client.get(QStringLiteral("/v1/admin/changes?after=2&limit=3"), m_gateway->adminToken());
    QCOMPARE(page.status, 200);
    QCOMPARE(page.json.value(QStringLiteral("changes")).toArray().size(), 3);
    QCOMPARE(page.json.value(QStringLiteral("changes")).toArray().at(0).toObject().value(QStringLiteral("seq")).toInteger(), 3);
    QCOMPARE(page.json.value(QStringLiteral("next")).toInteger(), 5);
    QCOMPARE(client.get(QStringLiteral("/v1/admin/changes?limit=100000"), m_gateway->adminToken()).status, 400);
}

void TestControlPlane::changesSurviveARestart()
{
    const CliResult before = admin({QStringLiteral("changes")});
    QVERIFY(before.exitCode == 0);
    QString error;
    QVERIFY2(m_gateway->restart(&error), qPrintable(error));
    const CliResult after = admin({QStringLiteral("changes")});
    QVERIFY2(after.exitCode == 0, qPrintable(after.describe()));
    QCOMPARE(after.json().toArray(), before.json().toArray());

    // The recorded policy is in force, not the file the gateway was started with again.
    QVERIFY2(m_gateway->logText().contains("policy file ignored"), m_gateway->logText().constData());
    QCOMPARE(admin({QStringLiteral("policy"), QStringLiteral("show")}).json().toObject().value(QStringLiteral("version")).toString(),
             QStringLiteral("test-2"));
    QVERIFY(findById(admin({QStringLiteral("reviewers"), QStringLiteral("list")}).json().toArray(), GatewayProcess::kMallory)
                .contains(QStringLiteral("revokedAt")));
    auto mallory = m_gateway->console(GatewayProcess::kMallory);
    QVERIFY(!mallory->open());
    const HttpResult revokedAgent = submit(m_agentTokensIssued.value(0), QStringLiteral("crm"),
                                           QStringLiteral("lookup"), {{QStringLiteral("customer"), QStringLiteral("c-1")}});
    QCOMPARE(revokedAgent.status, 401);
}

void TestControlPlane::adminPathsDoNotExistOnTheAgentListener()
{
    TestAgentClient agentListener(m_gateway->agentUrl(), m_gateway->fingerprint());
    for (const QString &path : {QStringLiteral("/v1/admin/reviewers"), QStringLiteral("/v1/admin/agents"), QStringLiteral("/v1/admin/policy"),
                                QStringLiteral("/v1/admin/changes")}) {
        const HttpResult read = agentListener.get(path, m_gateway->adminToken());
        QCOMPARE(read.status, 404);
        QCOMPARE(read.errorCode(), QStringLiteral("http.not_found"));
        const HttpResult write = agentListener.post(path, "{}", m_gateway->adminToken());
        QCOMPARE(write.status, 404);
    }
    const HttpResult revoke = agentListener.post(QStringLiteral("/v1/admin/agents/payments-agent/revoke"),
                                                 "{\"why\":\"x\"}", m_gateway->agentToken(GatewayProcess::kPaymentsAgent));
    QCOMPARE(revoke.status, 404);
    // Nor does the console listener answer them.
    TestAgentClient consoleListener(QUrl(QStringLiteral("https://127.0.0.1:%1").arg(m_gateway->consoleUrl().port())),
                                    m_gateway->fingerprint());
    const HttpResult overConsole = consoleListener.get(QStringLiteral("/v1/admin/reviewers"), m_gateway->adminToken(), 10'000);
    QVERIFY2(overConsole.status != 200, qPrintable(overConsole.describe()));
    QVERIFY(!overConsole.body.contains("reviewers\""));
}

void TestControlPlane::consoleWebSocketCannotAdminister()
{
    const int changes = changeCount();
    auto rita = m_gateway->console(GatewayProcess::kRita);
    QVERIFY(rita->open());
    auto eveKey = crypto::Ed25519PrivateKey::generate();
    QVERIFY(eveKey);
    const QJsonObject frame{{QStringLiteral("type"), QStringLiteral("reviewers.add")},
                            {QStringLiteral("id"), QStringLiteral("eve@example.com")},
                            {QStringLiteral("role"), QStringLiteral("reviewer")},
                            {QStringLiteral("key"), crypto::publicKeyToJwk(eveKey.value().publicKey())},
                            {QStringLiteral("why"), QStringLiteral("let me in")}};
    rita->sendText(QString::fromUtf8(QJsonDocument(frame).toJson(QJsonDocument::Compact)));
    QVERIFY(rita->waitUntil([&] { return rita->lastError().has_value(); }));
    QCOMPARE(rita->lastError()->code, QStringLiteral("frame.unknown_type"));
    const QJsonObject revoke{{QStringLiteral("type"), QStringLiteral("agents.revoke")}, {QStringLiteral("id"), GatewayProcess::kPaymentsAgent}};
    rita->sendText(QString::fromUtf8(QJsonDocument(revoke).toJson(QJsonDocument::Compact)));
    QVERIFY(rita->waitUntil([&] { return rita->framesOf<protocol::ErrorFrame>().size() == 2; }));
    QCOMPARE(rita->lastError()->code, QStringLiteral("frame.unknown_type"));

    // Nothing changed.
    QCOMPARE(changeCount(), changes);
    QVERIFY(findById(admin({QStringLiteral("reviewers"), QStringLiteral("list")}).json().toArray(), QStringLiteral("eve@example.com")).isEmpty());
    QCOMPARE(submit(m_gateway->agentToken(GatewayProcess::kPaymentsAgent), QStringLiteral("email"),
                    QStringLiteral("send"), {{QStringLiteral("to"), QStringLiteral("bob@example.com")}})
                 .status,
             200);
}

void TestControlPlane::secretsStayOutOfTheLog()
{
    const QByteArray log = m_gateway->logText();
    QVERIFY(!log.isEmpty());
    QVERIFY(!log.contains(m_gateway->adminToken()));
    for (const QByteArray &token : std::as_const(m_agentTokensIssued))
        QVERIFY(!log.contains(token));
    // Who changed what is logged: by admin id.
    QVERIFY(log.contains(QByteArray("actor=" + GatewayProcess::kOps.toUtf8())));
}

void TestControlPlane::aDecisionVerifiesWithJwcryptoAgainstTheListedKey()
{
    // An independent JOSE implementation (python3-jwcrypto) verifies a reviewer's decision
    // against the public JWK exactly as the administrator's listing prints it.
    const QString python = QStringLiteral(COUNTERSIGN_JWCRYPTO_PYTHON);
    if (python.isEmpty())
        QFAIL("no python3 with jwcrypto was found at configure time (scripts/install-deps installs python3-jwcrypto)");

    auto rita = m_gateway->console(GatewayProcess::kRita);
    QVERIFY(rita->open());
    QVERIFY(rita->subscribe(0));
    TestAgentClient agent(m_gateway->agentUrl(), m_gateway->fingerprint());
    const HttpResult submitted = agent.post(QStringLiteral("/v1/actions"),
                                            submissionBody(QStringLiteral("payments"), QStringLiteral("transfer"),
                                                           {{QStringLiteral("amount"), 42000}}),
                                            m_gateway->agentToken(GatewayProcess::kPaymentsAgent));
    QVERIFY2(submitted.status == 202, qPrintable(submitted.describe()));
    const QString id = submitted.json.value(QStringLiteral("id")).toString();
    QVERIFY(rita->waitUntil([&] { return rita->pending(id).has_value(); }));
    const auto result = rita->decide(id, submitted.json.value(QStringLiteral("digest")).toString().toLatin1(),
                                     protocol::Verdict::Approve, QStringLiteral("invoice matches the purchase order"));
    QVERIFY(result && result->accepted);
    const QByteArray token = rita->sentDecisions().last();

    const CliResult listed = admin({QStringLiteral("reviewers"), QStringLiteral("list")});
    QVERIFY2(listed.exitCode == 0, qPrintable(listed.describe()));
    const QJsonObject key = findById(listed.json().toArray(), GatewayProcess::kRita).value(QStringLiteral("key")).toObject();
    QVERIFY(!key.isEmpty());

    QTemporaryDir dir;
    QFile keyFile(dir.filePath(QStringLiteral("rita.jwk")));
    QVERIFY(keyFile.open(QIODevice::WriteOnly));
    keyFile.write(QJsonDocument(key).toJson(QJsonDocument::Compact));
    keyFile.close();
    QFile tokenFile(dir.filePath(QStringLiteral("decision.jws")));
    QVERIFY(tokenFile.open(QIODevice::WriteOnly));
    tokenFile.write(token);
    tokenFile.close();
    auto verify = [&](const QString &jwkPath) {
        QProcess process;
        process.start(python, {QStringLiteral(COUNTERSIGN_SOURCE_DIR "/tests/interop/verify_jws.py"), jwkPath, tokenFile.fileName()});
        process.waitForFinished(30'000);
        return std::make_pair(process.exitCode(), process.readAllStandardOutput());
    };
    const auto [exitCode, payload] = verify(keyFile.fileName());
    QCOMPARE(exitCode, 0);
    const QJsonObject claims = QJsonDocument::fromJson(payload).object();
    QCOMPARE(claims.value(QStringLiteral("actionId")).toString(), id);
    QCOMPARE(claims.value(QStringLiteral("verdict")).toString(), QStringLiteral("approve"));
    QCOMPARE(claims.value(QStringLiteral("sub")).toString(), GatewayProcess::kRita);
    QCOMPARE(claims.value(QStringLiteral("aud")).toString(), m_gateway->gatewayId());
    QCOMPARE(claims.value(QStringLiteral("actionDigest")).toString(), submitted.json.value(QStringLiteral("digest")).toString());

    // And it does not verify under another reviewer's listed key.
    const QJsonObject sam = findById(listed.json().toArray(), GatewayProcess::kSam).value(QStringLiteral("key")).toObject();
    QFile samFile(dir.filePath(QStringLiteral("sam.jwk")));
    QVERIFY(samFile.open(QIODevice::WriteOnly));
    samFile.write(QJsonDocument(sam).toJson(QJsonDocument::Compact));
    samFile.close();
    QCOMPARE(verify(samFile.fileName()).first, 1);
}

void TestControlPlane::theAuditTrailVerifiesWithCountersignAudit()
{
    // The reviewer list exactly as the administrator's command prints it.
    const CliResult listed = admin({QStringLiteral("reviewers"), QStringLiteral("list")});
    QVERIFY2(listed.exitCode == 0, qPrintable(listed.describe()));
    const QString reviewers = writeFile(QStringLiteral("reviewers-for-audit.json"), listed.out);
    const QString log = m_gateway->dataDir() + QStringLiteral("/audit.db");

    QProcess verify;
    verify.start(QStringLiteral(COUNTERSIGN_BIN_DIR "/countersign-audit"),
                 {QStringLiteral("verify"), log, QStringLiteral("--reviewers"), reviewers, QStringLiteral("--gateway-key"),
                  QString::fromLatin1(crypto::base64UrlEncode(m_gateway->gatewayPublicKey()))});
    const CliResult verified = finish(verify);
    QVERIFY2(verified.exitCode == 0, qPrintable(verified.describe()));
    QVERIFY2(verified.out.startsWith("OK: "), qPrintable(verified.describe()));
    QVERIFY2(!verified.out.contains("not checked"), qPrintable(verified.describe()));
    // The restart above signed the history it found.
    QVERIFY2(!verified.out.contains(" 0 checkpoint(s)"), qPrintable(verified.describe()));

    // Every change made above is on the trail, with who made it.
    QProcess exported;
    exported.start(QStringLiteral(COUNTERSIGN_BIN_DIR "/countersign-audit"),
                   {QStringLiteral("export"), log, QStringLiteral("--format"), QStringLiteral("jsonl"), QStringLiteral("--kind"),
                    QStringLiteral("control.change")});
    const CliResult changes = finish(exported);
    QVERIFY2(changes.exitCode == 0, qPrintable(changes.describe()));
    QCOMPARE(changes.out.count('\n'), changeCount());
    QVERIFY(changes.out.contains("\"command\":\"reviewers.add\""));
    QVERIFY(changes.out.contains("\"kind\":\"control.change\""));
}

QTEST_GUILESS_MAIN(TestControlPlane)
#include "test_control_plane.moc"
