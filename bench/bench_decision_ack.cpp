// Time from pressing Approve to the gateway's acknowledgement, on loopback: the console signs
// the decision (Ed25519 JWS over the canonical claims), sends it over the pinned wss://
// connection, and the gateway verifies it, checks every rule, commits it to SQLite with
// synchronous=FULL and answers. A real gateway process, real TLS, a real database on disk.
//
// Usage: bench_decision_ack [iterations]   (default 300)
#include "core/decision/SignedDecision.h"
#include "tests/support/GatewayProcess.h"
#include "tests/support/TestAgentClient.h"
#include "tests/support/TestConsoleClient.h"

#include <algorithm>
#include <vector>

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTextStream>

using namespace countersign;
using namespace countersign::testsupport;

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
    TestAgentClient agent(gateway.agentUrl(), gateway.fingerprint());
    auto console = gateway.console(GatewayProcess::kRita);
    if (!console->open() || !console->subscribe(0)) {
        out << "the console cannot sign in\n";
        return 1;
    }

    std::vector<double> signMs;
    std::vector<double> ackMs;
    signMs.reserve(static_cast<size_t>(iterations));
    ackMs.reserve(static_cast<size_t>(iterations));
    for (int i = 0; i < iterations; ++i) {
        // Not timed: an agent's payment that needs one reviewer, arriving in the console.
        const HttpResult submitted = agent.post(
            QStringLiteral("/v1/actions"),
            submissionBody(QStringLiteral("payments"), QStringLiteral("transfer"), {{QStringLiteral("amount"), 20000 + i}}),
            gateway.agentToken(GatewayProcess::kPaymentsAgent));
        const QString id = submitted.json.value(QStringLiteral("id")).toString();
        const QByteArray digest = submitted.json.value(QStringLiteral("digest")).toString().toLatin1();
        if (submitted.status != 202 || !console->waitUntil([&] { return console->pending(id).has_value(); })) {
            out << "submission " << i << " did not arrive: " << submitted.describe() << '\n';
            return 1;
        }

        // Timed: Approve pressed → signed → sent → verified, recorded durably, acknowledged.
        QElapsedTimer timer;
        timer.start();
        const QByteArray token = console->signDecision(id, digest, protocol::Verdict::Approve, QString());
        signMs.push_back(static_cast<double>(timer.nsecsElapsed()) / 1e6);
        const auto result = console->sendDecision(id, token);
        ackMs.push_back(static_cast<double>(timer.nsecsElapsed()) / 1e6);
        if (!result || !result->accepted) {
            out << "decision " << i << " was not accepted: " << (result ? result->code : QStringLiteral("no answer")) << '\n';
            return 1;
        }
    }

    auto percentile = [](std::vector<double> values, double p) {
        std::sort(values.begin(), values.end());
        const auto index = static_cast<size_t>(p * static_cast<double>(values.size() - 1) + 0.5);
        return values[index];
    };
    out << "approve -> acknowledged, " << iterations << " decisions over wss:// on loopback (ms)\n";
    out << QStringLiteral("  sign only:      p50 %1  p99 %2\n").arg(percentile(signMs, 0.5), 0, 'f', 3).arg(percentile(signMs, 0.99), 0, 'f', 3);
    out << QStringLiteral("  approve -> ack: p50 %1  p90 %2  p99 %3  max %4\n")
               .arg(percentile(ackMs, 0.5), 0, 'f', 3)
               .arg(percentile(ackMs, 0.9), 0, 'f', 3)
               .arg(percentile(ackMs, 0.99), 0, 'f', 3)
               .arg(*std::max_element(ackMs.begin(), ackMs.end()), 0, 'f', 3);
    return 0;
}
