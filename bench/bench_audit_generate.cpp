// Writes a realistic audit log of N entries through the real append path (AuditLog::appendBatch,
// WAL, synchronous=FULL), with what `countersign-audit verify` needs to check all of it next to
// it: PATH.reviewers.json (as `countersign-gateway admin reviewers list` prints it) and
// PATH.gateway-key (the gateway's public key, base64url, as signingKeyX in its ready file).
// The entries come from bench/AuditWorkload: a simulated gateway over a month of traffic. The
// browse index follows the appends in its own transactions (AuditLog::updateIndex), timed apart.
// Deterministic given the seed: the same seed gives the same file and the same root.
//
//   bench_audit_generate [--entries N] [--out PATH] [--batch B] [--seed S]
//                        [--checkpoint-every C] [--force]
#include "bench/BenchSupport.h"
#include "bench/AuditWorkload.h"
#include "core/audit/AuditLog.h"
#include "core/crypto/Base64Url.h"

#include <cstdio>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QTextStream>

using namespace countersign;
using namespace countersign::bench;

namespace {

// The browse index is brought up to date whenever this many entries wait for it.
constexpr int kIndexChunk = 10'000;

int usage(const QString &message)
{
    std::fprintf(stderr, "bench_audit_generate: %s\n", qPrintable(message));
    return 2;
}

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(bytes) == bytes.size() && file.flush();
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Writes a realistic audit log through AuditLog::appendBatch."));
    parser.addHelpOption();
    parser.addOptions({
        {QStringLiteral("entries"), QStringLiteral("Entries to write (default 1000000)."), QStringLiteral("N"), QStringLiteral("1000000")},
        {QStringLiteral("out"), QStringLiteral("The log to create (default audit-bench.db)."), QStringLiteral("PATH"),
         QStringLiteral("audit-bench.db")},
        {QStringLiteral("batch"), QStringLiteral("Entries per appendBatch transaction (default 100)."), QStringLiteral("B"),
         QStringLiteral("100")},
        {QStringLiteral("seed"), QStringLiteral("Seed of the simulated traffic and keys (default 1)."), QStringLiteral("S"),
         QStringLiteral("1")},
        {QStringLiteral("checkpoint-every"), QStringLiteral("Sign a checkpoint every C entries (default 10000)."),
         QStringLiteral("C"), QStringLiteral("10000")},
        {QStringLiteral("force"), QStringLiteral("Replace PATH if it exists.")},
    });
    parser.process(app);
    bool ok = false;
    const qint64 total = parser.value(QStringLiteral("entries")).toLongLong(&ok);
    if (!ok || total < 1)
        return usage(QStringLiteral("--entries must be a positive number"));
    const int batchSize = parser.value(QStringLiteral("batch")).toInt(&ok);
    if (!ok || batchSize < 1 || batchSize > 100'000)
        return usage(QStringLiteral("--batch must be 1 to 100000"));
    const quint32 seed = parser.value(QStringLiteral("seed")).toUInt(&ok);
    if (!ok)
        return usage(QStringLiteral("--seed must be a number"));
    const qint64 checkpointEvery = parser.value(QStringLiteral("checkpoint-every")).toLongLong(&ok);
    if (!ok || checkpointEvery < 1)
        return usage(QStringLiteral("--checkpoint-every must be a positive number"));
    const QString path = parser.value(QStringLiteral("out"));
    if (QFile::exists(path)) {
        if (!parser.isSet(QStringLiteral("force")))
            return usage(QStringLiteral("%1 exists (--force replaces it)").arg(path));
        for (const char *suffix : {"", "-wal", "-shm"})
            QFile::remove(path + QLatin1String(suffix));
    }

    WorkloadOptions workloadOptions;
    workloadOptions.seed = seed;
    AuditWorkload workload(workloadOptions);
    ManualClock clock(workloadOptions.start);
    audit::AuditLog::Options logOptions;
    logOptions.clock = &clock;
    auto opened = audit::AuditLog::open(path, logOptions);
    if (!opened)
        return usage(opened.error().toString());
    std::unique_ptr<audit::AuditLog> log = std::move(opened).value();

    QTextStream out(stdout);
    QElapsedTimer wall;
    wall.start();
    const double cpuStart = cpuSeconds();
    qint64 appendNs = 0;
    qint64 checkpointNs = 0;
    qint64 checkpoints = 0;
    qint64 payloadBytes = 0;
    qint64 batches = 0;
    qint64 indexed = 0;
    qint64 indexNs = 0;
    qint64 nextProgressMs = 1000;
    QDateTime first;
    QDateTime last;
    QList<audit::NewEntry> batch;
    batch.reserve(batchSize);
    while (log->size() < total) {
        batch.clear();
        const qint64 room = std::min<qint64>(batchSize, total - log->size());
        while (batch.size() < room) {
            TimedEntry next = workload.next();
            if (!first.isValid())
                first = next.at;
            last = next.at;
            batch.append(std::move(next.entry));
        }
        // The log stamps a batch with one time: the time of its last entry.
        clock.setWallClock(last);
        QElapsedTimer appending;
        appending.start();
        auto appended = log->appendBatch(batch);
        appendNs += appending.nsecsElapsed();
        if (!appended)
            return usage(QStringLiteral("append failed: %1").arg(appended.error().toString()));
        ++batches;
        for (const audit::AuditEntry &entry : appended.value())
            payloadBytes += entry.payload.size();
        if (log->size() / checkpointEvery > (log->size() - appended.value().size()) / checkpointEvery || log->size() == total) {
            QElapsedTimer signing;
            signing.start();
            auto checkpoint = log->writeCheckpoint(workload.origin(), workload.gatewayKey());
            checkpointNs += signing.nsecsElapsed();
            if (!checkpoint)
                return usage(QStringLiteral("checkpoint failed: %1").arg(checkpoint.error().toString()));
            ++checkpoints;
        }
        // The browse index follows in its own transactions, as the gateway keeps it.
        if (log->size() - indexed >= kIndexChunk || log->size() == total) {
            QElapsedTimer indexing;
            indexing.start();
            for (;;) {
                const Result<qint64> step = log->updateIndex(kIndexChunk);
                if (!step)
                    return usage(QStringLiteral("indexing failed: %1").arg(step.error().toString()));
                if (step.value() == 0)
                    break;
                indexed += step.value();
            }
            indexNs += indexing.nsecsElapsed();
        }
        if (wall.elapsed() >= nextProgressMs) {
            nextProgressMs = wall.elapsed() + 1000;
            std::fprintf(stderr, "generate: %lld of %lld entries (%.0f /s)\n", static_cast<long long>(log->size()),
                         static_cast<long long>(total), double(log->size()) / (double(wall.nsecsElapsed()) / 1e9));
        }
    }
    const double seconds = double(wall.nsecsElapsed()) / 1e9;
    const double cpu = cpuSeconds() - cpuStart;
    const QByteArray root = log->root();
    log.reset(); // the last connection checkpoints the WAL into the file and removes it

    const QString reviewersPath = path + QStringLiteral(".reviewers.json");
    const QString keyPath = path + QStringLiteral(".gateway-key");
    if (!writeFile(reviewersPath, workload.reviewersJson())
        || !writeFile(keyPath, crypto::base64UrlEncode(workload.gatewayKey().publicKey().raw()) + '\n'))
        return usage(QStringLiteral("cannot write %1 or %2").arg(reviewersPath, keyPath));

    const qint64 fileBytes = databaseBytes(path);
    out << QStringLiteral("Generated %1 entries in %2 (seed %3, batches of %4): %5 to %6 of simulated traffic\n")
               .arg(total)
               .arg(path)
               .arg(seed)
               .arg(batchSize)
               .arg(first.toString(Qt::ISODate), last.toString(Qt::ISODate));
    const QMap<QString, qint64> counts = workload.kindCounts();
    for (auto it = counts.cbegin(); it != counts.cend(); ++it)
        out << QStringLiteral("  %1 %2 (%3 %)\n").arg(it.key(), -26).arg(it.value(), 9).arg(100.0 * double(it.value()) / double(total), 5, 'f', 2);
    out << QStringLiteral("  root %1; %2 checkpoints; %3 decision signatures made\n")
               .arg(QString::fromLatin1(root.toHex()))
               .arg(checkpoints)
               .arg(workload.signaturesMade());
    out << QStringLiteral("  %1 s wall, %2 s CPU: %3 entries/s overall; inside appendBatch %4 s (%5 entries/s); "
                          "checkpoints %6 s; browse index %7 s (%8 entries/s)\n")
               .arg(seconds, 0, 'f', 1)
               .arg(cpu, 0, 'f', 1)
               .arg(double(total) / seconds, 0, 'f', 0)
               .arg(double(appendNs) / 1e9, 0, 'f', 1)
               .arg(double(total) / (double(appendNs) / 1e9), 0, 'f', 0)
               .arg(double(checkpointNs) / 1e9, 0, 'f', 2)
               .arg(double(indexNs) / 1e9, 0, 'f', 1)
               .arg(double(total) / (double(indexNs) / 1e9), 0, 'f', 0);
    out << QStringLiteral("  file %1 MB (%2 bytes/entry; canonical payloads %3 bytes/entry); peak RSS %4 MiB\n")
               .arg(double(fileBytes) / 1e6, 0, 'f', 1)
               .arg(double(fileBytes) / double(total), 0, 'f', 0)
               .arg(double(payloadBytes) / double(total), 0, 'f', 0)
               .arg(peakRssMiB(), 0, 'f', 1);
    out << QStringLiteral("  verify with: countersign-audit verify %1 --reviewers %2 --gateway-key $(cat %3)\n")
               .arg(path, reviewersPath, keyPath);
    result(out, QStringLiteral("generate_entries"), double(total), "entries");
    result(out, QStringLiteral("generate_rate"), double(total) / seconds, "entries/s");
    result(out, QStringLiteral("generate_append_rate"), double(total) / (double(appendNs) / 1e9), "entries/s");
    result(out, QStringLiteral("generate_index_rate"), double(total) / (double(indexNs) / 1e9), "entries/s");
    result(out, QStringLiteral("generate_batch"), batchSize, "entries");
    result(out, QStringLiteral("generate_seconds"), seconds, "s");
    result(out, QStringLiteral("generate_peak_rss"), peakRssMiB(), "MiB");
    result(out, QStringLiteral("file_bytes"), double(fileBytes), "bytes");
    result(out, QStringLiteral("file_bytes_per_entry"), double(fileBytes) / double(total), "bytes");
    result(out, QStringLiteral("payload_bytes_per_entry"), double(payloadBytes) / double(total), "bytes");
    result(out, QStringLiteral("signatures"), double(workload.signaturesMade()), "signatures");
    result(out, QStringLiteral("checkpoints"), double(checkpoints), "checkpoints");
    return 0;
}
