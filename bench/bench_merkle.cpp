// Throughput of the audit log's Merkle tree at a million entries: appending to the compact tree
// (what the gateway does per audit entry), recomputing a root from stored leaf hashes, and
// generating and verifying inclusion and consistency proofs (what an analyst's verify does).
#include "core/audit/Merkle.h"

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <vector>

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTextStream>

using namespace countersign;
using namespace countersign::audit;

namespace {

constexpr qint64 kLeaves = 1'000'000;
constexpr int kRuns = 3;

struct Timing
{
    double wallSeconds = 0;
    double cpuSeconds = 0;
};

// The median of kRuns runs by wall clock and by process CPU time: on a shared machine the two
// differ, and the CPU figure is the one that compares across machines.
Timing medianTiming(const std::function<void()> &work)
{
    std::vector<double> wall;
    std::vector<double> cpu;
    for (int run = 0; run < kRuns; ++run) {
        QElapsedTimer timer;
        const std::clock_t cpuStart = std::clock();
        timer.start();
        work();
        wall.push_back(static_cast<double>(timer.nsecsElapsed()) / 1e9);
        cpu.push_back(static_cast<double>(std::clock() - cpuStart) / CLOCKS_PER_SEC);
    }
    std::sort(wall.begin(), wall.end());
    std::sort(cpu.begin(), cpu.end());
    return {wall[kRuns / 2], cpu[kRuns / 2]};
}

QString rateLine(const char *label, double operations, const Timing &t)
{
    return QStringLiteral("  %1 %2 /s  (%3 /s of CPU time; %4 s for %5)\n")
        .arg(QLatin1String(label), -40)
        .arg(operations / t.wallSeconds, 11, 'f', 0)
        .arg(t.cpuSeconds > 0 ? operations / t.cpuSeconds : 0, 0, 'f', 0)
        .arg(t.wallSeconds, 0, 'f', 3)
        .arg(operations, 0, 'f', 0);
}

QString timeLine(const char *label, double seconds, double cpuSeconds)
{
    return QStringLiteral("  %1 %2 ms  (%3 ms of CPU time)\n")
        .arg(QLatin1String(label), -40)
        .arg(seconds * 1e3, 11, 'f', 3)
        .arg(cpuSeconds * 1e3, 0, 'f', 3);
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QTextStream out(stdout);

    // Entries about the size of an audit record's canonical JSON.
    QList<QByteArray> leaves;
    leaves.reserve(kLeaves);
    const QByteArray entryTemplate(300, 'e');
    QElapsedTimer hashing;
    hashing.start();
    const std::clock_t hashingCpu = std::clock();
    for (qint64 i = 0; i < kLeaves; ++i) {
        QByteArray entry = entryTemplate;
        entry.replace(0, 20, QByteArray::number(i).rightJustified(20, '0'));
        leaves.append(leafHash(entry));
    }
    const Timing leafTiming{static_cast<double>(hashing.nsecsElapsed()) / 1e9,
                            static_cast<double>(std::clock() - hashingCpu) / CLOCKS_PER_SEC};
    const LeafSource source = [&leaves](qint64 index) -> Result<QByteArray> { return leaves.at(index); };

    out << QStringLiteral("Merkle tree (RFC 6962, SHA-256) over %1 leaves; median of %2 runs where repeated\n")
               .arg(kLeaves)
               .arg(kRuns);
    out << rateLine("leafHash of a 300-byte entry:", kLeaves, leafTiming);

    QByteArray compactRoot;
    const Timing appendTiming = medianTiming([&] {
        CompactTree tree;
        for (const QByteArray &leaf : leaves)
            tree.append(leaf);
        compactRoot = tree.root();
    });
    out << rateLine("CompactTree::append:", kLeaves, appendTiming);

    QByteArray fullRoot;
    const Timing rootTiming = medianTiming([&] { fullRoot = rootOf(kLeaves, source).value(); });
    out << timeLine("rootOf(1,000,000) from leaf hashes:", rootTiming.wallSeconds, rootTiming.cpuSeconds);
    if (fullRoot != compactRoot) {
        out << "MISMATCH: rootOf and CompactTree disagree\n";
        return 1;
    }

    // Proofs: generation reads and hashes (almost) every leaf, so it is O(n); verification is
    // O(log n). Several positions, since the cost of generation does not depend much on them.
    const QList<qint64> indices{0, 123'457, 499'999, 765'432, kLeaves - 1};
    double inclusionWall = 0;
    double inclusionCpu = 0;
    QList<QList<QByteArray>> inclusionProofs;
    for (const qint64 index : indices) {
        const Timing t = medianTiming([&] { inclusionProofs.append(inclusionProof(index, kLeaves, source).value()); });
        inclusionWall += t.wallSeconds;
        inclusionCpu += t.cpuSeconds;
    }
    out << timeLine("inclusionProof at size 1,000,000:", inclusionWall / double(indices.size()),
                    inclusionCpu / double(indices.size()));
    constexpr int kVerifications = 20'000;
    const Timing inclusionVerify = medianTiming([&] {
        for (int i = 0; i < kVerifications; ++i) {
            const qsizetype which = i % indices.size();
            const qint64 index = indices.at(which);
            // proofs were appended kRuns times per index; the first copy is the one for index
            if (!verifyInclusion(index, kLeaves, leaves.at(index), inclusionProofs.at(which * kRuns), fullRoot))
                std::abort();
        }
    });
    out << rateLine("verifyInclusion at size 1,000,000:", kVerifications, inclusionVerify);

    const QList<qint64> oldSizes{1, 65'536, 333'333, 999'999};
    double consistencyWall = 0;
    double consistencyCpu = 0;
    QList<QList<QByteArray>> consistencyProofs;
    QList<QByteArray> oldRoots;
    for (const qint64 oldSize : oldSizes) {
        oldRoots.append(rootOf(oldSize, source).value());
        const Timing t = medianTiming([&] { consistencyProofs.append(consistencyProof(oldSize, kLeaves, source).value()); });
        consistencyWall += t.wallSeconds;
        consistencyCpu += t.cpuSeconds;
    }
    out << timeLine("consistencyProof to size 1,000,000:", consistencyWall / double(oldSizes.size()),
                    consistencyCpu / double(oldSizes.size()));
    const Timing consistencyVerify = medianTiming([&] {
        for (int i = 0; i < kVerifications; ++i) {
            const qsizetype which = i % oldSizes.size();
            if (!verifyConsistency(oldSizes.at(which), kLeaves, oldRoots.at(which), fullRoot,
                                   consistencyProofs.at(which * kRuns)))
                std::abort();
        }
    });
    out << rateLine("verifyConsistency to size 1,000,000:", kVerifications, consistencyVerify);
    out << QStringLiteral("  proof lengths: inclusion %1 hashes, consistency %2 to %3 hashes\n")
               .arg(inclusionProofs.first().size())
               .arg(std::min_element(consistencyProofs.begin(), consistencyProofs.end(),
                                     [](const auto &a, const auto &b) { return a.size() < b.size(); })
                        ->size())
               .arg(std::max_element(consistencyProofs.begin(), consistencyProofs.end(),
                                     [](const auto &a, const auto &b) { return a.size() < b.size(); })
                        ->size());
    return 0;
}
