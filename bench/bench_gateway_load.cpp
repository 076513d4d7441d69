// Sustained submissions to a real gateway while several consoles are connected: agents post
// payments (each one a pending action every console is sent) as fast as the gateway accepts
// them, with a fixed number of requests in flight, for a fixed time. Reports the accepted rate,
// the submission latency (POST to 202) and how far the consoles kept up: every console must
// end with every accepted action, and the time from an action's 202 to the moment the last
// console had it is reported too. A real gateway process, real TLS, SQLite with
// synchronous=FULL under TMPDIR; the agents and the consoles (WebSocketGatewayConnection, as
// the console runs it) share this process, so on a small machine they compete with the gateway
// for the same cores, which the figures include.
//
// Usage: bench_gateway_load [--consoles N] [--in-flight N] [--seconds S]
#include "bench/BenchSupport.h"
#include "net/WebSocketGatewayConnection.h"
#include "tests/support/GatewayProcess.h"
#include "tests/support/TestAgentClient.h"

#include <algorithm>
#include <functional>
#include <memory>
#include <vector>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QHash>
#include <QSet>
#include <QTextStream>
#include <QTimer>

using namespace countersign;
using namespace countersign::bench;
using namespace countersign::testsupport;

namespace {

// One console: the real connection, counting what it is sent.
struct Console
{
    std::unique_ptr<WebSocketGatewayConnection> connection;
    QSet<QString> seen;
};

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOptions({
        {QStringLiteral("consoles"), QStringLiteral("Consoles connected (default 5)."), QStringLiteral("N"), QStringLiteral("5")},
        {QStringLiteral("in-flight"), QStringLiteral("Submissions in flight at once (default 24)."), QStringLiteral("N"),
         QStringLiteral("24")},
        {QStringLiteral("seconds"), QStringLiteral("How long to submit (default 20)."), QStringLiteral("S"), QStringLiteral("20")},
    });
    parser.process(app);
    const int consoles = std::clamp(parser.value(QStringLiteral("consoles")).toInt(), 0, 50);
    const int inFlight = std::clamp(parser.value(QStringLiteral("in-flight")).toInt(), 1, 256);
    const int seconds = std::clamp(parser.value(QStringLiteral("seconds")).toInt(), 1, 3600);
    QTextStream out(stdout);

    GatewayProcess gateway; // payments wait 300 s for a reviewer: none expires while this runs
    QString error;
    if (!gateway.start(&error)) {
        out << "cannot start the gateway: " << error << '\n';
        return 1;
    }

    // Every accepted action, when its 202 came, and when the last console had it.
    QHash<QString, qint64> acceptedAtNs;
    QHash<QString, int> consolesWithIt;
    std::vector<double> fanOutMs;
    QElapsedTimer clock;
    clock.start();

    std::vector<std::unique_ptr<Console>> connected;
    for (int i = 0; i < consoles; ++i) {
        auto console = std::make_unique<Console>();
        console->connection = std::make_unique<WebSocketGatewayConnection>(gateway.connectionSettings(GatewayProcess::kRita));
        Console *raw = console.get();
        QObject::connect(raw->connection.get(), &GatewayConnection::actionPending, [&, raw](const protocol::ActionPending &frame) {
            if (raw->seen.contains(frame.action.id))
                return;
            raw->seen.insert(frame.action.id);
            if (++consolesWithIt[frame.action.id] == consoles) {
                if (const auto at = acceptedAtNs.constFind(frame.action.id); at != acceptedAtNs.constEnd())
                    fanOutMs.push_back(double(clock.nsecsElapsed() - *at) / 1e6);
            }
        });
        console->connection->start();
        connected.push_back(std::move(console));
    }
    {
        QEventLoop loop;
        QTimer poll;
        QObject::connect(&poll, &QTimer::timeout, &loop, [&] {
            if (std::all_of(connected.cbegin(), connected.cend(), [](const auto &console) {
                    return console->connection->state() == GatewayConnection::State::Connected;
                }))
                loop.quit();
        });
        poll.start(20);
        QTimer::singleShot(30'000, &loop, &QEventLoop::quit);
        loop.exec();
        for (const auto &console : connected) {
            if (console->connection->state() != GatewayConnection::State::Connected) {
                out << "a console did not connect: " << console->connection->stateDetail() << '\n';
                return 1;
            }
        }
    }

    // Agents: several clients (each QNetworkAccessManager opens up to six connections).
    constexpr int kAgents = 4;
    std::vector<std::unique_ptr<TestAgentClient>> agents;
    for (int i = 0; i < kAgents; ++i)
        agents.push_back(std::make_unique<TestAgentClient>(gateway.agentUrl(), gateway.fingerprint()));
    const QByteArray token = gateway.agentToken(GatewayProcess::kPaymentsAgent);
    std::vector<double> submitMs;
    qint64 accepted = 0;
    qint64 refused = 0;
    qint64 sent = 0;
    qint64 outstanding = 0;
    bool submitting = true;
    QEventLoop loop;
    std::function<void()> submitOne = [&] {
        TestAgentClient &agent = *agents.at(size_t(sent % kAgents));
        const QByteArray body = submissionBody(QStringLiteral("payments"), QStringLiteral("transfer"),
                                               {{QStringLiteral("amount"), 20000 + int(sent % 100000)},
                                                {QStringLiteral("currency"), QStringLiteral("EUR")}});
        ++sent;
        ++outstanding;
        const qint64 startNs = clock.nsecsElapsed();
        QNetworkReply *reply = agent.postAsync(QStringLiteral("/v1/actions"), body, token);
        QObject::connect(reply, &QNetworkReply::finished, &loop, [&, reply, startNs] {
            --outstanding;
            const HttpResult answer = TestAgentClient::wait(reply, 0);
            if (answer.status == 202) {
                ++accepted;
                submitMs.push_back(double(clock.nsecsElapsed() - startNs) / 1e6);
                const QString id = answer.json.value(QStringLiteral("id")).toString();
                acceptedAtNs.insert(id, clock.nsecsElapsed());
                if (consoles > 0 && consolesWithIt.value(id) == consoles) // the consoles were faster than the 202
                    fanOutMs.push_back(0);
            } else {
                ++refused;
                if (refused <= 3)
                    out << "refused: " << answer.describe() << '\n';
            }
            if (submitting)
                submitOne();
            else if (outstanding == 0)
                loop.quit();
        });
    };
    const qint64 startNs = clock.nsecsElapsed();
    for (int i = 0; i < inFlight; ++i)
        submitOne();
    QTimer::singleShot(seconds * 1000, &loop, [&] { submitting = false; });
    loop.exec();
    const double submitSeconds = double(clock.nsecsElapsed() - startNs) / 1e9;

    // Drain: every console must get every accepted action.
    {
        QEventLoop drain;
        QTimer poll;
        QObject::connect(&poll, &QTimer::timeout, &drain, [&] {
            if (std::all_of(connected.cbegin(), connected.cend(),
                            [&](const auto &console) { return console->seen.size() >= accepted; }))
                drain.quit();
        });
        poll.start(50);
        QTimer::singleShot(120'000, &drain, &QEventLoop::quit);
        drain.exec();
    }
    const double drainSeconds = double(clock.nsecsElapsed() - startNs) / 1e9 - submitSeconds;
    qint64 leastSeen = accepted;
    for (const auto &console : connected)
        leastSeen = std::min<qint64>(leastSeen, console->seen.size());

    const double rate = double(accepted) / submitSeconds;
    out << QStringLiteral("Gateway under load: %1 consoles connected, %2 submissions in flight, %3 s\n")
               .arg(consoles)
               .arg(inFlight)
               .arg(submitSeconds, 0, 'f', 1);
    out << QStringLiteral("  accepted %1 (%2 refused): %3 submissions/s sustained\n").arg(accepted).arg(refused).arg(rate, 0, 'f', 0);
    out << QStringLiteral("  POST to 202: p50 %1 ms, p90 %2 ms, p99 %3 ms, max %4 ms\n")
               .arg(percentile(submitMs, 50), 0, 'f', 1)
               .arg(percentile(submitMs, 90), 0, 'f', 1)
               .arg(percentile(submitMs, 99), 0, 'f', 1)
               .arg(percentile(submitMs, 100), 0, 'f', 1);
    out << QStringLiteral("  every console had every action %1 s after the last submission (least: %2 of %3)\n")
               .arg(drainSeconds, 0, 'f', 2)
               .arg(leastSeen)
               .arg(accepted);
    out << QStringLiteral("  202 to the last console having it: p50 %1 ms, p99 %2 ms, max %3 ms (%4 actions)\n")
               .arg(percentile(fanOutMs, 50), 0, 'f', 1)
               .arg(percentile(fanOutMs, 99), 0, 'f', 1)
               .arg(percentile(fanOutMs, 100), 0, 'f', 1)
               .arg(fanOutMs.size());
    result(out, QStringLiteral("gateway_load_rate"), rate, "submissions/s");
    result(out, QStringLiteral("gateway_load_accepted"), double(accepted), "submissions");
    result(out, QStringLiteral("gateway_load_submit_p50"), percentile(submitMs, 50), "ms");
    result(out, QStringLiteral("gateway_load_submit_p99"), percentile(submitMs, 99), "ms");
    result(out, QStringLiteral("gateway_load_fanout_p50"), percentile(fanOutMs, 50), "ms");
    result(out, QStringLiteral("gateway_load_fanout_p99"), percentile(fanOutMs, 99), "ms");
    result(out, QStringLiteral("gateway_load_drain"), drainSeconds, "s");
    return leastSeen == accepted && refused == 0 ? 0 : 1;
}
