// Throughput of reviewer signatures: Ed25519 sign and verify over a decision-sized payload, and
// the full compact JWS round trip (sign, then parse and verify) the console and gateway will do.
#include "core/crypto/Ed25519.h"
#include "core/crypto/Jws.h"

#include <algorithm>
#include <ctime>
#include <functional>
#include <vector>

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonObject>
#include <QTextStream>

using namespace countersign;
using namespace countersign::crypto;

namespace {

constexpr int kRuns = 5;
constexpr int kOperations = 2000;

struct Rates
{
    double wall = 0; // operations per second of elapsed time
    double cpu = 0;  // per second of process CPU time, which is what `openssl speed` divides by
};

// The median of kRuns runs of kOperations each, by wall clock and by CPU time: on a busy machine
// the two differ, and only the CPU figure compares with `openssl speed` without -elapsed. The
// sink keeps the compiler from discarding work whose result is unused.
Rates medianRates(const std::function<qsizetype()> &operation)
{
    std::vector<double> wall;
    std::vector<double> cpu;
    qsizetype sink = 0;
    for (int run = 0; run < kRuns; ++run) {
        QElapsedTimer timer;
        const std::clock_t cpuStart = std::clock();
        timer.start();
        for (int i = 0; i < kOperations; ++i)
            sink += operation();
        const double wallSeconds = static_cast<double>(timer.nsecsElapsed()) / 1e9;
        const double cpuSeconds = static_cast<double>(std::clock() - cpuStart) / CLOCKS_PER_SEC;
        wall.push_back(kOperations / wallSeconds);
        cpu.push_back(cpuSeconds > 0 ? kOperations / cpuSeconds : 0);
    }
    std::sort(wall.begin(), wall.end());
    std::sort(cpu.begin(), cpu.end());
    if (sink == 0)
        return {};
    return {wall[kRuns / 2], cpu[kRuns / 2]};
}

QString line(const char *label, const Rates &rates)
{
    return QStringLiteral("  %1 %2 ops/s  (%3 ops/s of CPU time)\n")
        .arg(QLatin1String(label), -27)
        .arg(rates.wall, 8, 'f', 0)
        .arg(rates.cpu, 0, 'f', 0);
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QTextStream out(stdout);

    if (const Status selfTest = ed25519SelfTest(); !selfTest) {
        out << selfTest.error().toString() << '\n';
        return 1;
    }
    auto generated = Ed25519PrivateKey::generate();
    if (!generated) {
        out << generated.error().toString() << '\n';
        return 1;
    }
    const Ed25519PrivateKey key = std::move(generated).value();
    const Ed25519PublicKey publicKey = key.publicKey();
    const QByteArray payload(300, 'd');
    const QByteArray signature = key.sign(payload);
    const QJsonObject header{{QStringLiteral("kid"), QStringLiteral("kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k")}};

    const Rates sign = medianRates([&] { return key.sign(payload).size(); });
    const Rates verifyOnly = medianRates([&] { return qsizetype(publicKey.verify(payload, signature)); });
    const Rates jwsSign = medianRates([&] { return signCompact(header, payload, key).size(); });
    const QByteArray token = signCompact(header, payload, key);
    const Rates jwsVerify = medianRates([&] {
        const auto parsed = parseCompact(token);
        return qsizetype(parsed && verify(parsed.value(), publicKey));
    });
    const Rates jwsRoundTrip = medianRates([&] {
        const auto parsed = parseCompact(signCompact(header, payload, key));
        return qsizetype(parsed && verify(parsed.value(), publicKey));
    });

    out << QStringLiteral("Ed25519, %1-byte payload (JWS token %2 bytes), median of %3 runs of %4 operations\n")
               .arg(payload.size())
               .arg(token.size())
               .arg(kRuns)
               .arg(kOperations);
    out << line("sign:", sign);
    out << line("verify:", verifyOnly);
    out << line("JWS signCompact:", jwsSign);
    out << line("JWS parseCompact + verify:", jwsVerify);
    out << line("JWS sign + parse + verify:", jwsRoundTrip);
    return 0;
}
