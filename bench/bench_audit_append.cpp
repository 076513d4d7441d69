// Append cost of the audit log, with realistic entries (bench/AuditWorkload, generated before
// the clock starts): batched appendBatch rates for several batch sizes, the rate at which the
// browse index then catches up with them (AuditLog::updateIndex), and the latency of one
// durable append() (synchronous=FULL: committed and fsynced when it returns), for a reviewer's
// decision (what Gateway::decide waits for before it acknowledges) and for the mix of kinds,
// next to the disk's own floor (a 4 KiB write in place and fdatasync) sampled between them.
// Measured on a fresh log in DIR and, with --log, on an existing log (pass a copy of the
// 1,000,000-entry one: entries are appended to it).
//
//   bench_audit_append [--dir DIR] [--log PATH] [--samples N]
#include "bench/BenchSupport.h"
#include "bench/AuditWorkload.h"
#include "core/audit/AuditLog.h"
#include "core/json/Json.h"

#include <cstdio>
#include <unistd.h>
#include <vector>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QTextStream>

using namespace countersign;
using namespace countersign::bench;

namespace {

struct Corpus
{
    QList<TimedEntry> mixed;     // every kind, in the gateway's proportions
    QList<TimedEntry> decisions; // decision.accepted only
};

Corpus makeCorpus(qsizetype mixed, qsizetype decisions)
{
    WorkloadOptions options;
    options.seed = 4242; // not the generated log's seed: these are new entries
    AuditWorkload workload(options);
    Corpus corpus;
    while (corpus.mixed.size() < mixed || corpus.decisions.size() < decisions) {
        TimedEntry entry = workload.next();
        if (entry.entry.kind == QLatin1String("decision.accepted") && corpus.decisions.size() < decisions)
            corpus.decisions.append(entry);
        if (corpus.mixed.size() < mixed)
            corpus.mixed.append(std::move(entry));
    }
    return corpus;
}

// The disk's own floor under a durable append: a write and fdatasync in place in a file laid
// out beforehand, as SQLite writes its WAL (overwritten from the start after each checkpoint, so
// the file's size, and the filesystem's metadata, do not change).
class DiskFloor
{
public:
    explicit DiskFloor(const QString &directory) : m_file(QDir(directory).filePath(QStringLiteral("disk-floor.tmp")))
    {
        if (!m_file.open(QIODevice::ReadWrite | QIODevice::Truncate))
            return;
        const QByteArray zeros(1 << 20, '\0');
        for (int i = 0; i < kFileMiB; ++i)
            m_file.write(zeros);
        m_ok = m_file.flush() && ::fsync(m_file.handle()) == 0;
    }
    ~DiskFloor() { m_file.remove(); }
    Q_DISABLE_COPY_MOVE(DiskFloor)

    [[nodiscard]] bool ok() const { return m_ok; }

    // Milliseconds to write bytes at the next place and fdatasync; negative on failure.
    double sample(qsizetype bytes)
    {
        const QByteArray block(bytes, 'x');
        if (m_offset + bytes > qint64(kFileMiB) << 20)
            m_offset = 0;
        QElapsedTimer timer;
        timer.start();
        if (::pwrite(m_file.handle(), block.constData(), size_t(bytes), m_offset) != bytes || ::fdatasync(m_file.handle()) != 0)
            return -1;
        m_offset += bytes;
        return double(timer.nsecsElapsed()) / 1e6;
    }

private:
    static constexpr int kFileMiB = 16;
    QFile m_file;
    qint64 m_offset = 0;
    bool m_ok = false;
};

class Runner
{
public:
    Runner(const QString &label, const QString &key, audit::AuditLog &log, ManualClock &clock, DiskFloor &floor,
           QTextStream &out)
        : m_label(label), m_key(key), m_log(log), m_clock(clock), m_floor(floor), m_out(out)
    {
    }

    // count entries from the corpus, starting at *cursor, in batches of batchSize.
    bool batched(const QList<TimedEntry> &corpus, qsizetype *cursor, int batchSize, qsizetype count)
    {
        QList<audit::NewEntry> batch;
        qint64 insideNs = 0;
        const auto [userStart, systemStart] = cpuUserSystem();
        QElapsedTimer wall;
        wall.start();
        for (qsizetype done = 0; done < count; done += batchSize) {
            batch.clear();
            for (int i = 0; i < batchSize; ++i)
                batch.append(corpus.at((*cursor)++ % corpus.size()).entry);
            m_clock.setWallClock(corpus.at((*cursor - 1) % corpus.size()).at);
            QElapsedTimer inside;
            inside.start();
            const auto appended = m_log.appendBatch(batch);
            insideNs += inside.nsecsElapsed();
            if (!appended) {
                m_out << "append failed: " << appended.error().toString() << '\n';
                return false;
            }
        }
        const double seconds = double(wall.nsecsElapsed()) / 1e9;
        const auto [userEnd, systemEnd] = cpuUserSystem();
        const double cpu = (userEnd - userStart) + (systemEnd - systemStart);
        const double rate = double(count) / (double(insideNs) / 1e9);
        m_out << QStringLiteral("  %1 appendBatch of %2: %3 entries/s (CPU per entry: %4 us user, %5 us system; "
                                "%6 entries in %7 s)\n")
                     .arg(m_label)
                     .arg(batchSize, 5)
                     .arg(rate, 8, 'f', 0)
                     .arg((userEnd - userStart) / double(count) * 1e6, 0, 'f', 1)
                     .arg((systemEnd - systemStart) / double(count) * 1e6, 0, 'f', 1)
                     .arg(count)
                     .arg(seconds, 0, 'f', 2);
        result(m_out, QStringLiteral("append_%1_batch%2_rate").arg(m_key).arg(batchSize), rate, "entries/s");
        result(m_out, QStringLiteral("append_%1_batch%2_cpu_us").arg(m_key).arg(batchSize), cpu / double(count) * 1e6, "us");
        result(m_out, QStringLiteral("append_%1_batch%2_user_us").arg(m_key).arg(batchSize), (userEnd - userStart) / double(count) * 1e6, "us");
        return true;
    }

    // The browse index brought up to date with everything appended so far, in transactions of
    // 10,000 entries, as the gateway does off its append path.
    bool index()
    {
        const Result<qint64> before = m_log.indexedSize();
        if (!before) {
            m_out << "cannot read the index: " << before.error().toString() << '\n';
            return false;
        }
        const auto [userStart, systemStart] = cpuUserSystem();
        QElapsedTimer wall;
        wall.start();
        qint64 count = 0;
        for (;;) {
            const Result<qint64> step = m_log.updateIndex(10'000);
            if (!step) {
                m_out << "indexing failed: " << step.error().toString() << '\n';
                return false;
            }
            if (step.value() == 0)
                break;
            count += step.value();
        }
        const double seconds = double(wall.nsecsElapsed()) / 1e9;
        const auto [userEnd, systemEnd] = cpuUserSystem();
        const double rate = count > 0 ? double(count) / seconds : 0;
        m_out << QStringLiteral("  %1 browse index caught up on %2 entries (after seq %3): %4 entries/s "
                                "(CPU per entry: %5 us user, %6 us system)\n")
                     .arg(m_label)
                     .arg(count)
                     .arg(before.value())
                     .arg(rate, 0, 'f', 0)
                     .arg((userEnd - userStart) / double(std::max<qint64>(count, 1)) * 1e6, 0, 'f', 1)
                     .arg((systemEnd - systemStart) / double(std::max<qint64>(count, 1)) * 1e6, 0, 'f', 1);
        result(m_out, QStringLiteral("append_%1_index_rate").arg(m_key), rate, "entries/s");
        return true;
    }

    // One durable append() per entry, each timed, each followed by one sample of the disk's floor
    // (the disk's latency drifts: samples taken side by side are comparable).
    bool single(const QList<TimedEntry> &corpus, qsizetype *cursor, qsizetype count, const QString &what)
    {
        std::vector<double> ms;
        std::vector<double> floorMs;
        ms.reserve(size_t(count));
        for (qsizetype i = 0; i < count; ++i) {
            const TimedEntry &next = corpus.at((*cursor)++ % corpus.size());
            m_clock.setWallClock(next.at);
            QElapsedTimer timer;
            timer.start();
            const auto appended = m_log.append(next.entry);
            ms.push_back(double(timer.nsecsElapsed()) / 1e6);
            if (!appended) {
                m_out << "append failed: " << appended.error().toString() << '\n';
                return false;
            }
            floorMs.push_back(m_floor.sample(4096));
        }
        const double p50 = percentile(ms, 50);
        const double p90 = percentile(ms, 90);
        const double p99 = percentile(ms, 99);
        const double max = percentile(ms, 100);
        m_out << QStringLiteral("  %1 append() of a %2: p50 %3 ms, p90 %4 ms, p99 %5 ms, max %6 ms "
                                "(%7 appends)\n")
                     .arg(m_label, what)
                     .arg(p50, 0, 'f', 2)
                     .arg(p90, 0, 'f', 2)
                     .arg(p99, 0, 'f', 2)
                     .arg(max, 0, 'f', 2)
                     .arg(count);
        const QString key = QStringLiteral("append_%1_single_%2").arg(m_key, what == QLatin1String("decision") ? QStringLiteral("decision")
                                                                                                               : QStringLiteral("mixed"));
        const double floor50 = percentile(floorMs, 50);
        const double floor90 = percentile(floorMs, 90);
        const double floor99 = percentile(floorMs, 99);
        m_out << QStringLiteral("    the disk between them, write 4 KiB in place + fdatasync: p50 %1 ms, p90 %2 ms, p99 %3 ms\n")
                     .arg(floor50, 0, 'f', 2)
                     .arg(floor90, 0, 'f', 2)
                     .arg(floor99, 0, 'f', 2);
        result(m_out, key + QStringLiteral("_p50"), p50, "ms");
        result(m_out, key + QStringLiteral("_p90"), p90, "ms");
        result(m_out, key + QStringLiteral("_p99"), p99, "ms");
        result(m_out, key + QStringLiteral("_floor_p50"), floor50, "ms");
        result(m_out, key + QStringLiteral("_floor_p90"), floor90, "ms");
        result(m_out, key + QStringLiteral("_floor_p99"), floor99, "ms");
        return true;
    }

private:
    QString m_label;
    QString m_key;
    audit::AuditLog &m_log;
    ManualClock &m_clock;
    DiskFloor &m_floor;
    QTextStream &m_out;
};

// The disk's floor alone: 4 KiB (about what one append writes to the WAL) and 1 MiB (about a
// batch of 1,000 entries), written in place and synced.
bool diskFloor(DiskFloor &floor, int samples, QTextStream &out, const QString &key)
{
    for (const qsizetype bytes : {qsizetype(4096), qsizetype(1) << 20}) {
        std::vector<double> ms;
        const int count = bytes > 4096 ? std::max(10, samples / 10) : samples;
        for (int i = 0; i < count; ++i) {
            const double sample = floor.sample(bytes);
            if (sample < 0)
                return false;
            ms.push_back(sample);
        }
        const double p50 = percentile(ms, 50);
        const double p99 = percentile(ms, 99);
        out << QStringLiteral("  the disk: write %1 KiB in place + fdatasync: p50 %2 ms, p90 %3 ms, p99 %4 ms (%5 times)\n")
                   .arg(bytes / 1024)
                   .arg(p50, 0, 'f', 2)
                   .arg(percentile(ms, 90), 0, 'f', 2)
                   .arg(p99, 0, 'f', 2)
                   .arg(count);
        const QString name = QStringLiteral("fsync_%1_%2k").arg(key).arg(bytes / 1024);
        result(out, name + QStringLiteral("_p50"), p50, "ms");
        result(out, name + QStringLiteral("_p99"), p99, "ms");
    }
    return true;
}

bool runAll(Runner &runner, const Corpus &corpus, int samples)
{
    qsizetype cursor = 0;
    qsizetype decisionCursor = 0;
    return runner.batched(corpus.mixed, &cursor, 1000, 50'000) && runner.batched(corpus.mixed, &cursor, 100, 30'000)
           && runner.batched(corpus.mixed, &cursor, 10, 5'000) && runner.index() && runner.single(corpus.decisions, &decisionCursor, samples, QStringLiteral("decision"))
           && runner.single(corpus.mixed, &cursor, samples, QStringLiteral("mixed entry"));
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOptions({
        {QStringLiteral("dir"), QStringLiteral("Where the fresh log is created (default: the current directory)."),
         QStringLiteral("DIR"), QStringLiteral(".")},
        {QStringLiteral("log"), QStringLiteral("An existing log to append to as well (a copy: it grows)."), QStringLiteral("PATH")},
        {QStringLiteral("samples"), QStringLiteral("Single appends timed per kind (default 2000)."), QStringLiteral("N"),
         QStringLiteral("2000")},
    });
    parser.process(app);
    const int samples = std::max(10, parser.value(QStringLiteral("samples")).toInt());
    QTextStream out(stdout);

    QElapsedTimer preparing;
    preparing.start();
    const Corpus corpus = makeCorpus(100'000, samples);
    // appendBatch makes each payload canonical once (for the size check and what is stored).
    qint64 payload = 0;
    QElapsedTimer canonicalising;
    canonicalising.start();
    for (const TimedEntry &entry : corpus.mixed)
        payload += json::canonicalize(entry.entry.payload).size();
    const double canonicalUs = double(canonicalising.nsecsElapsed()) / 1e3 / double(corpus.mixed.size());
    out << QStringLiteral("Audit log appends, synchronous=FULL, WAL; %1 realistic entries prepared in %2 s "
                          "(canonical payload %3 bytes on average)\n")
               .arg(corpus.mixed.size())
               .arg(double(preparing.nsecsElapsed()) / 1e9, 0, 'f', 1)
               .arg(payload / corpus.mixed.size());
    out << QStringLiteral("  json::canonicalize of one payload: %1 us (appendBatch does it once per entry)\n").arg(canonicalUs, 0, 'f', 1);
    result(out, QStringLiteral("append_canonicalize_us"), canonicalUs, "us");

    QTemporaryDir dir(QDir(parser.value(QStringLiteral("dir"))).filePath(QStringLiteral("audit-append-XXXXXX")));
    if (!dir.isValid()) {
        std::fprintf(stderr, "cannot create a directory in %s\n", qPrintable(parser.value(QStringLiteral("dir"))));
        return 2;
    }
    DiskFloor floor(dir.path());
    {
        ManualClock clock(corpus.mixed.constFirst().at);
        audit::AuditLog::Options options;
        options.clock = &clock;
        auto log = audit::AuditLog::open(dir.filePath(QStringLiteral("fresh.db")), options);
        if (!log) {
            std::fprintf(stderr, "%s\n", qPrintable(log.error().toString()));
            return 2;
        }
        out << QStringLiteral("A fresh log in %1:\n").arg(QDir(dir.path()).absolutePath());
        if (!floor.ok() || !diskFloor(floor, samples / 4, out, QStringLiteral("fresh"))) {
            std::fprintf(stderr, "cannot write and sync a file in %s\n", qPrintable(dir.path()));
            return 2;
        }
        Runner runner(QStringLiteral("fresh:"), QStringLiteral("fresh"), *log.value(), clock, floor, out);
        if (!runAll(runner, corpus, samples))
            return 1;
    }
    if (parser.isSet(QStringLiteral("log"))) {
        ManualClock clock(corpus.mixed.constFirst().at);
        audit::AuditLog::Options options;
        options.clock = &clock;
        QElapsedTimer opening;
        opening.start();
        auto log = audit::AuditLog::open(parser.value(QStringLiteral("log")), options);
        if (!log) {
            std::fprintf(stderr, "%s\n", qPrintable(log.error().toString()));
            return 2;
        }
        const qint64 size = log.value()->size();
        out << QStringLiteral("The log %1 of %2 entries (opened in %3 ms):\n")
                   .arg(parser.value(QStringLiteral("log")))
                   .arg(size)
                   .arg(double(opening.nsecsElapsed()) / 1e6, 0, 'f', 1);
        result(out, QStringLiteral("append_large_initial_size"), double(size), "entries");
        Runner runner(QStringLiteral("large:"), QStringLiteral("large"), *log.value(), clock, floor, out);
        if (!runAll(runner, corpus, samples))
            return 1;
    }
    return 0;
}
