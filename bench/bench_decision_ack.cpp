// Time from pressing Approve to the gateway's acknowledgement, on loopback, through the code
// the console runs: the reviewer's ReviewerKey signs the decision (Ed25519 JWS over the
// canonical claims), WebSocketGatewayConnection sends it over the pinned wss:// connection,
// and the gateway verifies it, checks every rule, commits it to SQLite with synchronous=FULL
// and answers with decision.result. A real gateway process, real TLS, a real database on disk
// (under TMPDIR: point it at the disk you want to measure).
//
// Usage: bench_decision_ack [iterations]   (default 300)
#include "core/crypto/Digest.h"
#include "net/ReviewerKey.h"
#include "net/WebSocketGatewayConnection.h"
#include "tests/support/GatewayProcess.h"
#include "tests/support/TestAgentClient.h"

#include <algorithm>
#include <vector>

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QTemporaryDir>
#include <QTextStream>
#include <QTimer>

using namespace countersign;
using namespace countersign::testsupport;

namespace {

// Runs the event loop until done() holds or timeoutMs passes; wakes on every signal given.
template<typename Signal>
bool waitFor(WebSocketGatewayConnection &connection, Signal signal, const std::function<bool()> &done, int timeoutMs)
{
    if (done())
        return true;
    QEventLoop loop;
    QObject::connect(&connection, signal, &loop, [&] {
        if (done())
            loop.quit();
    });
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    loop.exec();
    return done();
}

double percentile(std::vector<double> values, double p)
{
    std::sort(values.begin(), values.end());
    return values[static_cast<size_t>(p * static_cast<double>(values.size() - 1) + 0.5)];
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const int iterations = argc > 1 ? std::max(10, QByteArray(argv[1]).toInt()) : 300;
    QTextStream out(stdout);

    GatewayProcess gateway;
    QString error;
    if (!gateway.start(&error)) {
        out << "cannot start the gateway: " << error << '\n';
        return 1;
    }
    // Rita's key as the console holds it: in a ReviewerKey, unlocked.
    QTemporaryDir dir;
    const QByteArray passphraseText = crypto::randomBytes(16).toHex();
    crypto::SecureBuffer passphrase(passphraseText.size());
    std::copy(passphraseText.cbegin(), passphraseText.cend(), passphrase.data());
    auto key = ReviewerKey::importKey(dir.filePath(QStringLiteral("rita.pem")), GatewayProcess::kRita,
                                      gateway.reviewerKey(GatewayProcess::kRita).seed(), passphrase,
                                      crypto::ScryptCost{uint64_t(1) << 14, 8, 1});
    if (!key) {
        out << "cannot store the key: " << key.error().toString() << '\n';
        return 1;
    }
    ReviewerKey &rita = *key.value();

    ConnectionSettings settings;
    settings.url = gateway.consoleUrl();
    settings.pinnedSha256 = gateway.fingerprint();
    settings.gatewayPublicKey = gateway.gatewayPublicKey();
    settings.signIn = [&rita](const auth::SignInClaims &claims) { return rita.signSignIn(claims); };
    WebSocketGatewayConnection connection(settings);
    QString gatewayId;
    QHash<QString, protocol::ActionPending> pending;
    std::optional<protocol::DecisionResult> answer;
    QObject::connect(&connection, &GatewayConnection::helloReceived, [&](const protocol::Hello &hello) { gatewayId = hello.gatewayId; });
    QObject::connect(&connection, &GatewayConnection::actionPending,
                     [&](const protocol::ActionPending &frame) { pending.insert(frame.action.id, frame); });
    QObject::connect(&connection, &GatewayConnection::decisionResult, [&](const protocol::DecisionResult &result) { answer = result; });
    connection.start();
    if (!waitFor(connection, &GatewayConnection::stateChanged,
                 [&] { return connection.state() == GatewayConnection::State::Connected; }, 15'000)) {
        out << "the console did not connect: " << connection.stateDetail() << '\n';
        return 1;
    }

    TestAgentClient agent(gateway.agentUrl(), gateway.fingerprint());
    std::vector<double> signMs;
    std::vector<double> ackMs;
    for (int i = 0; i < iterations; ++i) {
        // Not timed: an agent's payment that needs one reviewer, arriving in the console.
        const HttpResult submitted = agent.post(
            QStringLiteral("/v1/actions"),
            submissionBody(QStringLiteral("payments"), QStringLiteral("transfer"), {{QStringLiteral("amount"), 20000 + i}}),
            gateway.agentToken(GatewayProcess::kPaymentsAgent));
        const QString id = submitted.json.value(QStringLiteral("id")).toString();
        if (submitted.status != 202
            || !waitFor(connection, &GatewayConnection::actionPending, [&] { return pending.contains(id); }, 10'000)) {
            out << "submission " << i << " did not arrive: " << submitted.describe() << '\n';
            return 1;
        }
        const protocol::ActionPending frame = pending.take(id);

        // Timed: what MainWindow does when Approve is confirmed, until the answer arrives.
        QElapsedTimer timer;
        timer.start();
        decision::DecisionClaims claims;
        claims.actionId = id;
        claims.actionDigest = frame.digest;
        claims.verdict = protocol::Verdict::Approve;
        claims.gatewayId = gatewayId;
        claims.policyVersion = frame.action.policyVersion;
        auto token = rita.signDecision(claims);
        signMs.push_back(static_cast<double>(timer.nsecsElapsed()) / 1e6);
        answer.reset();
        const QString requestId = QStringLiteral("r-%1").arg(i);
        if (!token || !connection.sendDecision(protocol::Decision{requestId, id, token.value()})
            || !waitFor(connection, &GatewayConnection::decisionResult, [&] { return answer.has_value(); }, 10'000)) {
            out << "decision " << i << " could not be sent or was not answered\n";
            return 1;
        }
        ackMs.push_back(static_cast<double>(timer.nsecsElapsed()) / 1e6);
        if (!answer->accepted || answer->requestId != requestId) {
            out << "decision " << i << " was refused: " << answer->code << '\n';
            return 1;
        }
    }
    connection.stop();

    out << "approve -> acknowledged, " << iterations << " decisions over wss:// on loopback (ms)\n";
    out << QStringLiteral("  sign (ReviewerKey): p50 %1  p99 %2\n")
               .arg(percentile(signMs, 0.5), 0, 'f', 3)
               .arg(percentile(signMs, 0.99), 0, 'f', 3);
    out << QStringLiteral("  approve -> ack:     p50 %1  p90 %2  p99 %3  max %4\n")
               .arg(percentile(ackMs, 0.5), 0, 'f', 3)
               .arg(percentile(ackMs, 0.9), 0, 'f', 3)
               .arg(percentile(ackMs, 0.99), 0, 'f', 3)
               .arg(*std::max_element(ackMs.begin(), ackMs.end()), 0, 'f', 3);
    return 0;
}
