// The demo's workload end to end: countersign-agent-sim writes the demo policy, a real gateway
// loads it, and the simulator submits one of every kind with --gateway-id, so its enrolled
// applications sign user assertions, its orchestrator exchanges tokens for its sub-agent and its
// Judge signs verdicts. What the gateway recorded says which links were verified.
#include "core/action/Action.h"
#include "core/audit/AuditLog.h"
#include "core/crypto/Digest.h"
#include "core/json/Json.h"
#include "sim/Scenario.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace countersign;

namespace {

const QString kBin = QStringLiteral(COUNTERSIGN_BIN_DIR);

QProcessEnvironment simEnvironment(const QByteArray &secret)
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("COUNTERSIGN_SIM_SECRET"), QString::fromLatin1(secret));
    return environment;
}

} // namespace

class TestAgentSim final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void everyKindReachesTheGatewayWithItsIdentity()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QByteArray secret = crypto::randomBytes(32).toHex();

        QProcess write;
        write.setProcessEnvironment(simEnvironment(secret));
        write.start(kBin + QStringLiteral("/countersign-agent-sim"),
                    {QStringLiteral("--write-demo-policy"), dir.filePath(QStringLiteral("policy.json"))});
        QVERIFY(write.waitForFinished(30'000));
        QVERIFY2(write.exitCode() == 0, write.readAllStandardError().constData());

        QProcess gateway;
        gateway.setProcessChannelMode(QProcess::MergedChannels);
        gateway.start(kBin + QStringLiteral("/countersign-gateway"),
                      {QStringLiteral("--data-dir"), dir.filePath(QStringLiteral("gateway")), QStringLiteral("--policy"),
                       dir.filePath(QStringLiteral("policy.json")), QStringLiteral("--listen"), QStringLiteral("127.0.0.1"),
                       QStringLiteral("--agent-port"), QStringLiteral("0"), QStringLiteral("--console-port"), QStringLiteral("0"),
                       QStringLiteral("--control-port"), QStringLiteral("0"), QStringLiteral("--ready-file"),
                       dir.filePath(QStringLiteral("ready.json"))});
        QVERIFY(QTest::qWaitFor([&] { return QFileInfo(dir.filePath(QStringLiteral("ready.json"))).size() > 0; }, 30'000));
        QFile readyFile(dir.filePath(QStringLiteral("ready.json")));
        QVERIFY(readyFile.open(QIODevice::ReadOnly));
        const QJsonObject ready = QJsonDocument::fromJson(readyFile.readAll()).object();

        const int count = static_cast<int>(sim::ScenarioGenerator::kinds().size()) + 1;
        QProcess simulator;
        simulator.setProcessEnvironment(simEnvironment(secret));
        simulator.start(kBin + QStringLiteral("/countersign-agent-sim"),
                        {QStringLiteral("--gateway"), ready.value(QStringLiteral("agentUrl")).toString(), QStringLiteral("--pin"),
                         ready.value(QStringLiteral("fingerprint")).toString(), QStringLiteral("--gateway-id"),
                         ready.value(QStringLiteral("gatewayId")).toString(), QStringLiteral("--count"), QString::number(count),
                         QStringLiteral("--rate"), QStringLiteral("20"), QStringLiteral("--no-wait")});
        QVERIFY(simulator.waitForFinished(60'000));
        const QByteArray output = simulator.readAllStandardOutput() + simulator.readAllStandardError();
        QVERIFY2(simulator.exitCode() == 0, output.constData());
        QVERIFY2(!output.contains("failed"), output.constData());
        gateway.terminate();
        QVERIFY(gateway.waitForFinished(20'000));

        // What the gateway accepted, as the reviewer was shown it.
        audit::AuditLog::Options readOnly;
        readOnly.readOnly = true;
        auto log = audit::AuditLog::open(dir.filePath(QStringLiteral("gateway/audit.db")), readOnly);
        QVERIFY2(log, qPrintable(log ? QString() : log.error().toString()));
        audit::EntryFilter filter;
        filter.kinds = {QStringLiteral("submission.accepted"), QStringLiteral("identity.delegated")};
        auto entries = log.value()->entries(0, 1000, filter);
        QVERIFY(entries);
        int accepted = 0;
        int delegations = 0;
        bool sawVerifiedParent = false;
        bool sawClaimedUser = false;
        bool sawSignedVerdict = false;
        for (const audit::AuditEntry &entry : entries.value()) {
            if (entry.kind == QLatin1String("identity.delegated")) {
                ++delegations;
                continue;
            }
            ++accepted;
            const QJsonObject payload = json::parse(entry.payload).value().toObject();
            // Calls the policy let through have no decision window (their deadline is their
            // creation), so they are not actions a console would accept; the rest are checked.
            if (payload.value(QStringLiteral("status")).toString() == QLatin1String("allowed"))
                continue;
            const auto action = Action::fromJson(payload.value(QStringLiteral("action")).toObject());
            QVERIFY2(action, qPrintable(action ? QString() : action.error().toString()));
            const IdentityContext &identity = action.value().identity;
            const bool enrolled = sim::demoApplications().contains(identity.application.id);
            // Enrolled applications' users are verified; ops-console's are only claimed.
            QCOMPARE(identity.user.verified, enrolled);
            QCOMPARE(identity.application.verified, enrolled);
            sawClaimedUser = sawClaimedUser || !enrolled;
            if (identity.agents.size() > 1) {
                QVERIFY(identity.agents.at(1).verified);
                QCOMPARE(identity.agents.at(1).id, QStringLiteral("finance-orchestrator"));
                QVERIFY(identity.actingAgent().undeclaredTools.contains(QStringLiteral("payments.transfer")));
                sawVerifiedParent = true;
            }
            for (const JudgeVerdict &verdict : action.value().judges) {
                QCOMPARE(verdict.verified, sim::demoJudges().contains(verdict.judgeId));
                sawSignedVerdict = sawSignedVerdict || verdict.verified;
            }
        }
        QCOMPARE(accepted, count);
        QVERIFY(delegations >= 1);
        QVERIFY(sawVerifiedParent);
        QVERIFY(sawClaimedUser);
        QVERIFY(sawSignedVerdict);
    }
};

QTEST_GUILESS_MAIN(TestAgentSim)
#include "test_agent_sim.moc"
