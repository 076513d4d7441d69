// The gateway's policy lifecycle, in process with a manual clock: the policy file is recorded
// as change 1 on first start and only compared afterwards; a change is recorded before it takes
// effect, and one that cannot be recorded is not applied and announced to nobody.
#include "core/crypto/Digest.h"
#include "core/json/Json.h"
#include "gateway/Gateway.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <sqlite3.h>

using namespace countersign;
using namespace countersign::gateway;

namespace {

QByteArray policyText(const QString &version)
{
    const QJsonObject policy{
        {QStringLiteral("version"), version},
        {QStringLiteral("admins"), QJsonArray{QJsonObject{{QStringLiteral("id"), QStringLiteral("ops@example.com")},
                                                          {QStringLiteral("tokenSha256"), QString::fromLatin1(crypto::sha256Hex("admin"))}}}},
        {QStringLiteral("reviewers"), QJsonArray{}},
        {QStringLiteral("agents"), QJsonArray{QJsonObject{{QStringLiteral("id"), QStringLiteral("payments-agent")},
                                                          {QStringLiteral("tokenSha256"), QString::fromLatin1(crypto::sha256Hex("p"))},
                                                          {QStringLiteral("tools"), QJsonArray{QStringLiteral("payments.transfer")}}}}},
        {QStringLiteral("rules"), QJsonArray{}},
    };
    return QJsonDocument(policy).toJson();
}

PolicyChange changeBy(const QString &command, const QString &target)
{
    PolicyChange change;
    change.actor = QStringLiteral("ops@example.com");
    change.command = command;
    change.target = target;
    change.before = "null";
    change.after = "{}";
    change.why = QStringLiteral("unit test");
    return change;
}

} // namespace

class TestGatewayPolicyChanges final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void firstStartRecordsThePolicyFile();
    void recordedPolicyWinsOverALaterFile();
    void noPolicyAnywhereIsAnError();
    void aChangeIsRecordedThenApplied();
    void unrecordableChangeIsNotApplied();

private:
    void writePolicy(const QString &version);
    [[nodiscard]] Status reopen();

    std::unique_ptr<QTemporaryDir> m_dir;
    ManualClock m_clock;
    std::unique_ptr<Gateway> m_gateway;
    GatewayConfig m_config;
};

void TestGatewayPolicyChanges::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    writePolicy(QStringLiteral("v1"));
    m_config = GatewayConfig{};
    m_config.dataDir = m_dir->filePath(QStringLiteral("data"));
    m_config.policyPath = m_dir->filePath(QStringLiteral("policy.json"));
    m_config.insecurePlaintext = true; // no listeners here: no TLS identity needed
    m_config.storeBusyTimeoutMs = 50;
    const Status opened = reopen();
    QVERIFY2(opened, qPrintable(opened ? QString() : opened.error().toString()));
}

void TestGatewayPolicyChanges::cleanup()
{
    m_gateway.reset();
    m_dir.reset();
}

void TestGatewayPolicyChanges::writePolicy(const QString &version)
{
    QFile file(m_dir->filePath(QStringLiteral("policy.json")));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(policyText(version));
}

Status TestGatewayPolicyChanges::reopen()
{
    m_gateway.reset();
    m_gateway = std::make_unique<Gateway>(m_config, m_clock);
    return m_gateway->open();
}

void TestGatewayPolicyChanges::firstStartRecordsThePolicyFile()
{
    QCOMPARE(m_gateway->policy().version(), QStringLiteral("v1"));
    auto changes = m_gateway->policyChanges(0, 10);
    QVERIFY(changes);
    QCOMPARE(changes.value().size(), 1);
    const PolicyChange &bootstrap = changes.value().at(0);
    QCOMPARE(bootstrap.seq, 1);
    QCOMPARE(bootstrap.actor, QStringLiteral("bootstrap"));
    QCOMPARE(bootstrap.command, QStringLiteral("bootstrap"));
    QCOMPARE(bootstrap.target, QStringLiteral("v1"));
    QCOMPARE(bootstrap.at, m_clock.nowUtc());
}

void TestGatewayPolicyChanges::recordedPolicyWinsOverALaterFile()
{
    auto next = m_gateway->policy().withAgent(QStringLiteral("mail-agent"), QString::fromLatin1(crypto::sha256Hex("m")),
                                              {QStringLiteral("email.send")});
    QVERIFY(next);
    QVERIFY(m_gateway->applyPolicyChange(std::move(next).value(), changeBy(QStringLiteral("agents.add"), QStringLiteral("mail-agent"))));

    // Someone edits the file and restarts: the recorded policy stays in force.
    writePolicy(QStringLiteral("v9"));
    QVERIFY(reopen());
    QCOMPARE(m_gateway->policy().version(), QStringLiteral("v1"));
    QVERIFY(m_gateway->policy().agentForToken("m"));
    QCOMPARE(m_gateway->policyChanges(0, 10).value().size(), 2);

    // Without --policy the recorded policy is enough.
    m_config.policyPath.clear();
    QVERIFY(reopen());
    QVERIFY(m_gateway->policy().agentForToken("m"));
    // A file that does not even load is ignored as well.
    QFile broken(m_dir->filePath(QStringLiteral("broken.json")));
    QVERIFY(broken.open(QIODevice::WriteOnly));
    broken.write("{");
    broken.close();
    m_config.policyPath = broken.fileName();
    QVERIFY(reopen());
    QCOMPARE(m_gateway->policy().version(), QStringLiteral("v1"));
}

void TestGatewayPolicyChanges::noPolicyAnywhereIsAnError()
{
    m_config.dataDir = m_dir->filePath(QStringLiteral("other-data"));
    m_config.policyPath.clear();
    const Status opened = reopen();
    QVERIFY(!opened);
    QCOMPARE(opened.error().code, QStringLiteral("policy.missing"));
    m_config.policyPath = m_dir->filePath(QStringLiteral("missing.json"));
    const Status missing = reopen();
    QVERIFY(!missing);
    QCOMPARE(missing.error().code, QStringLiteral("policy.unreadable"));
}

void TestGatewayPolicyChanges::aChangeIsRecordedThenApplied()
{
    QSignalSpy changed(m_gateway.get(), &Gateway::policyChanged);
    m_clock.advanceMs(5000);
    auto next = m_gateway->policy().withAgentRevoked(QStringLiteral("payments-agent"), m_clock.nowUtc());
    QVERIFY(next);
    auto recorded = m_gateway->applyPolicyChange(std::move(next).value(),
                                                 changeBy(QStringLiteral("agents.revoke"), QStringLiteral("payments-agent")));
    QVERIFY2(recorded, qPrintable(recorded ? QString() : recorded.error().toString()));
    QCOMPARE(recorded.value().seq, 2);
    QCOMPARE(recorded.value().at, m_clock.nowUtc());
    QCOMPARE(changed.count(), 1);
    QVERIFY(!m_gateway->policy().agentForToken("p"));
    // The recorded document is exactly the policy now in force.
    auto stored = GatewayStore::open(QDir(m_config.dataDir).filePath(QStringLiteral("gateway.db")));
    QVERIFY(stored);
    auto all = stored.value()->policyChanges(0, 10, true);
    QVERIFY(all);
    QCOMPARE(all.value().last().document, json::canonicalize(m_gateway->policy().toJson()));
}

void TestGatewayPolicyChanges::unrecordableChangeIsNotApplied()
{
    QSignalSpy changed(m_gateway.get(), &Gateway::policyChanged);
    sqlite3 *other = nullptr;
    const QByteArray path = QFile::encodeName(QDir(m_config.dataDir).filePath(QStringLiteral("gateway.db")));
    QCOMPARE(sqlite3_open_v2(path.constData(), &other, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
    QCOMPARE(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);

    auto next = m_gateway->policy().withAgentRevoked(QStringLiteral("payments-agent"), m_clock.nowUtc());
    QVERIFY(next);
    auto recorded = m_gateway->applyPolicyChange(std::move(next).value(),
                                                 changeBy(QStringLiteral("agents.revoke"), QStringLiteral("payments-agent")));
    QVERIFY(!recorded);
    QCOMPARE(recorded.error().code, QStringLiteral("store.unavailable"));
    // Not recorded, so not in force, and nobody was told.
    QVERIFY(m_gateway->policy().agentForToken("p"));
    QCOMPARE(changed.count(), 0);

    QCOMPARE(sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close_v2(other);
    QCOMPARE(m_gateway->policyChanges(0, 10).value().size(), 1);
}

QTEST_GUILESS_MAIN(TestGatewayPolicyChanges)
#include "TestGatewayPolicyChanges.moc"
