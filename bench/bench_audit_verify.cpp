// Throughput of audit::verifyLog (what `countersign-audit verify` runs) over a whole log, with
// every decision's JWS checked against the enrolled reviewers and every checkpoint's signature
// against the gateway key, compared with the cryptographic floor of the same work: SHA-256 over
// the same leaf bytes (`openssl dgst -sha256` over a file of them, median of 3) plus one Ed25519
// verification per signature at the rate `openssl speed ed25519` measures on this machine (the
// mean of a run before and one after verify).
// Then where verify's time goes (reading, hashing, JSON, signatures), measured piece by piece,
// and the peak memory of the process (verify first, so the peak is verify's).
//
//   bench_audit_verify DB --reviewers FILE --gateway-key FILE [--runs R] [--leaf-file PATH]
//                      [--no-openssl] [--no-breakdown]
#include "bench/BenchSupport.h"
#include "core/audit/AuditLog.h"
#include "core/audit/AuditVerifier.h"
#include "core/crypto/Base64Url.h"
#include "core/decision/SignedDecision.h"
#include "core/json/CanonicalCheck.h"
#include "core/json/Json.h"

#include <cstdio>
#include <vector>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QHash>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTextStream>

#include <sqlite3.h>

using namespace countersign;
using namespace countersign::bench;

namespace {

int fail(const QString &message)
{
    std::fprintf(stderr, "bench_audit_verify: %s\n", qPrintable(message));
    return 2;
}

struct Timed
{
    double wall = 0;
    double cpu = 0; // the child's CPU time, for a process
};

// Runs a program to completion, timing it by wall clock and by the CPU time it used.
std::optional<Timed> runTimed(const QString &program, const QStringList &arguments, QByteArray *output = nullptr)
{
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    const double cpuBefore = cpuSeconds(RUSAGE_CHILDREN);
    QElapsedTimer timer;
    timer.start();
    process.start(program, arguments);
    if (!process.waitForFinished(-1) || process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0)
        return std::nullopt;
    Timed timed{double(timer.nsecsElapsed()) / 1e9, cpuSeconds(RUSAGE_CHILDREN) - cpuBefore};
    if (output)
        *output = process.readAll();
    return timed;
}

double median(std::vector<double> values)
{
    return percentile(values, 50);
}

// Ed25519 verifications per second as `openssl speed -seconds 3 ed25519` reports them (per
// second of CPU time). 0 if it cannot be run or read.
double opensslVerifyRate()
{
    QByteArray speed;
    if (!runTimed(QStringLiteral("openssl"), {QStringLiteral("speed"), QStringLiteral("-seconds"), QStringLiteral("3"),
                                              QStringLiteral("ed25519")},
                  &speed))
        return 0;
    // " 253 bits EdDSA (Ed25519)   0.0000s   0.0001s  35432.1  13012.3": the last is verify/s.
    double rate = 0;
    for (const QByteArray &line : speed.split('\n')) {
        if (line.contains("Ed25519") && line.contains("bits"))
            rate = line.simplified().split(' ').constLast().toDouble();
    }
    return rate;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("DB"), QStringLiteral("The audit log."));
    parser.addOptions({
        {QStringLiteral("reviewers"), QStringLiteral("The reviewers list (DB.reviewers.json by default)."), QStringLiteral("FILE")},
        {QStringLiteral("gateway-key"), QStringLiteral("A file holding the gateway key, base64url (DB.gateway-key by default)."),
         QStringLiteral("FILE")},
        {QStringLiteral("runs"), QStringLiteral("verifyLog runs (default 1); the median is reported."), QStringLiteral("R"),
         QStringLiteral("1")},
        {QStringLiteral("leaf-file"), QStringLiteral("Where the leaf bytes are written for openssl (default DB.leaves; removed after)."),
         QStringLiteral("PATH")},
        {QStringLiteral("no-openssl"), QStringLiteral("Skip the comparison with openssl.")},
        {QStringLiteral("no-breakdown"), QStringLiteral("Skip timing verify's parts.")},
    });
    parser.process(app);
    if (parser.positionalArguments().size() != 1)
        return fail(QStringLiteral("one DB expected"));
    const QString path = parser.positionalArguments().constFirst();
    QTextStream out(stdout);

    // The keys, as `countersign-audit verify` reads them.
    QFile reviewersFile(parser.isSet(QStringLiteral("reviewers")) ? parser.value(QStringLiteral("reviewers"))
                                                                  : path + QStringLiteral(".reviewers.json"));
    QFile keyFile(parser.isSet(QStringLiteral("gateway-key")) ? parser.value(QStringLiteral("gateway-key"))
                                                              : path + QStringLiteral(".gateway-key"));
    if (!reviewersFile.open(QIODevice::ReadOnly) || !keyFile.open(QIODevice::ReadOnly))
        return fail(QStringLiteral("cannot read %1 or %2").arg(reviewersFile.fileName(), keyFile.fileName()));
    auto reviewers = audit::parseReviewerKeys(reviewersFile.readAll());
    if (!reviewers)
        return fail(reviewers.error().toString());
    const auto rawKey = crypto::base64UrlDecode(keyFile.readAll().trimmed());
    if (!rawKey)
        return fail(rawKey.error().toString());
    auto gatewayKey = crypto::Ed25519PublicKey::fromRaw(rawKey.value());
    if (!gatewayKey)
        return fail(gatewayKey.error().toString());

    audit::VerifyOptions options;
    options.reviewers = reviewers.value();
    options.gatewayKey = gatewayKey.value();
    const bool withOpenssl = !parser.isSet(QStringLiteral("no-openssl"));
    // The machine may be shared: openssl speed runs before and after verify, and the mean is used.
    const double rateBefore = withOpenssl ? opensslVerifyRate() : 0;
    if (withOpenssl && rateBefore <= 0)
        return fail(QStringLiteral("cannot run openssl speed ed25519 or read its verify rate"));
    const int runs = std::max(1, parser.value(QStringLiteral("runs")).toInt());
    std::vector<double> walls;
    std::vector<double> cpus;
    audit::VerifyReport report;
    for (int run = 0; run < runs; ++run) {
        const double cpuStart = cpuSeconds();
        QElapsedTimer timer;
        timer.start();
        auto verified = audit::verifyLog(path, options);
        walls.push_back(double(timer.nsecsElapsed()) / 1e9);
        cpus.push_back(cpuSeconds() - cpuStart);
        if (!verified)
            return fail(verified.error().toString());
        report = verified.value();
        if (!report.ok)
            return fail(QStringLiteral("the log does not verify: %1 at %2: %3").arg(report.code).arg(report.firstBadSeq).arg(report.reason));
    }
    const double verifyRss = peakRssMiB();
    const double verifyWall = median(walls);
    const double verifyCpu = median(cpus);
    const qint64 entries = report.entriesChecked;
    const qint64 signatures = report.decisionsChecked + report.checkpointsChecked;
    out << QStringLiteral("verifyLog %1: %2 entries, %3 decision and %4 checkpoint signatures; median of %5 run(s)\n")
               .arg(path)
               .arg(entries)
               .arg(report.decisionsChecked)
               .arg(report.checkpointsChecked)
               .arg(runs);
    out << QStringLiteral("  %1 s wall, %2 s CPU: %3 entries/s; peak RSS %4 MiB\n")
               .arg(verifyWall, 0, 'f', 2)
               .arg(verifyCpu, 0, 'f', 2)
               .arg(double(entries) / verifyWall, 0, 'f', 0)
               .arg(verifyRss, 0, 'f', 1);
    result(out, QStringLiteral("verify_entries"), double(entries), "entries");
    result(out, QStringLiteral("verify_signatures"), double(signatures), "signatures");
    result(out, QStringLiteral("verify_seconds"), verifyWall, "s");
    result(out, QStringLiteral("verify_cpu_seconds"), verifyCpu, "s");
    result(out, QStringLiteral("verify_entries_per_s"), double(entries) / verifyWall, "entries/s");
    result(out, QStringLiteral("verify_peak_rss"), verifyRss, "MiB");

    // One pass through the log as the verifier makes it, timing each part, and the leaf bytes
    // written out for openssl: exactly what is hashed (0x00 || leaf bytes), entry after entry.
    const QString leafPath = parser.isSet(QStringLiteral("leaf-file")) ? parser.value(QStringLiteral("leaf-file"))
                                                                       : path + QStringLiteral(".leaves");
    QFile leafFile(leafPath);
    if (!leafFile.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return fail(QStringLiteral("cannot write %1").arg(leafPath));
    auto opened = audit::AuditLog::open(path, audit::AuditLog::Options{true, nullptr, 5000, 0});
    if (!opened)
        return fail(opened.error().toString());
    const bool breakdown = !parser.isSet(QStringLiteral("no-breakdown"));
    QHash<QString, const audit::EnrolledReviewer *> byKeyId;
    for (const audit::EnrolledReviewer &reviewer : std::as_const(*options.reviewers))
        byKeyId.insert(reviewer.keyId, &reviewer);
    qint64 readNs = 0, hashNs = 0, jsonNs = 0, decisionNs = 0;
    qint64 leafBytesTotal = 0;
    audit::CompactTree tree;
    qint64 after = 0;
    QElapsedTimer part;
    for (;;) {
        part.start();
        auto page = opened.value()->entries(after, audit::kMaxPageSize);
        readNs += part.nsecsElapsed();
        if (!page)
            return fail(page.error().toString());
        if (page.value().isEmpty())
            break;
        for (const audit::AuditEntry &entry : page.value()) {
            part.start();
            QByteArray leaf = audit::leafBytes(entry);
            const QByteArray hash = audit::leafHash(leaf);
            tree.append(hash);
            hashNs += part.nsecsElapsed();
            leafBytesTotal += leaf.size() + 1;
            leaf.prepend('\0');
            leafFile.write(leaf);
            if (!breakdown)
                continue;
            // As the verifier does: every payload's canonical form checked in one pass, only
            // decisions parsed (counted with the decision).
            part.start();
            json::Limits limits;
            limits.maxBytes = audit::kMaxPayloadBytes;
            const bool canonical = bool(json::checkCanonicalObject(entry.payload, limits));
            jsonNs += part.nsecsElapsed();
            if (!canonical)
                return fail(QStringLiteral("entry %1: payload not canonical").arg(entry.seq));
            if (entry.kind == QLatin1String("decision.accepted")) {
                part.start();
                const auto payload = json::parse(entry.payload, limits);
                if (!payload)
                    return fail(QStringLiteral("entry %1: payload does not parse").arg(entry.seq));
                const QByteArray jws = payload.value().toObject().value(QStringLiteral("token")).toString().toUtf8();
                const auto parsed = decision::parseDecision(jws);
                const audit::EnrolledReviewer *reviewer = parsed ? byKeyId.value(parsed.value().keyId) : nullptr;
                const bool good = reviewer && decision::verifyDecision(parsed.value(), reviewer->key);
                decisionNs += part.nsecsElapsed();
                if (!good)
                    return fail(QStringLiteral("entry %1: decision does not verify").arg(entry.seq));
            }
        }
        after = page.value().constLast().seq;
    }
    leafFile.close();
    opened.value().reset();
    if (tree.root() != report.root)
        return fail(QStringLiteral("the recomputed root differs from verify's"));
    const double mb = double(leafBytesTotal) / 1e6;
    out << QStringLiteral("  %1 MB of leaf bytes (%2 bytes/entry): verify at %3 MB/s\n")
               .arg(mb, 0, 'f', 1)
               .arg(double(leafBytesTotal) / double(entries), 0, 'f', 0)
               .arg(mb / verifyWall, 0, 'f', 1);
    result(out, QStringLiteral("verify_leaf_mb"), mb, "MB");
    result(out, QStringLiteral("verify_mb_per_s"), mb / verifyWall, "MB/s");

    // quick_check, which verify runs after the scan: a second read of every page.
    double quickCheck = 0;
    {
        sqlite3 *db = nullptr;
        if (sqlite3_open_v2(QFile::encodeName(path).constData(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
            QElapsedTimer timer;
            timer.start();
            sqlite3_exec(db, "PRAGMA quick_check", nullptr, nullptr, nullptr);
            quickCheck = double(timer.nsecsElapsed()) / 1e9;
        }
        sqlite3_close(db);
    }
    if (breakdown) {
        out << QStringLiteral("  its parts, timed one by one: reading the entries %1 s; leaf bytes + SHA-256 + tree %2 s; "
                              "payload canonical check %3 s; decision payload parse + JWS (kid, verify, claims) %4 s; "
                              "PRAGMA quick_check %5 s\n")
                   .arg(double(readNs) / 1e9, 0, 'f', 2)
                   .arg(double(hashNs) / 1e9, 0, 'f', 2)
                   .arg(double(jsonNs) / 1e9, 0, 'f', 2)
                   .arg(double(decisionNs) / 1e9, 0, 'f', 2)
                   .arg(quickCheck, 0, 'f', 2);
        result(out, QStringLiteral("verify_part_read_s"), double(readNs) / 1e9, "s");
        result(out, QStringLiteral("verify_part_hash_s"), double(hashNs) / 1e9, "s");
        result(out, QStringLiteral("verify_part_json_s"), double(jsonNs) / 1e9, "s");
        result(out, QStringLiteral("verify_part_decisions_s"), double(decisionNs) / 1e9, "s");
        result(out, QStringLiteral("verify_part_quick_check_s"), quickCheck, "s");
    }

    if (withOpenssl) {
        std::vector<double> shaWall;
        std::vector<double> shaCpu;
        for (int i = 0; i < 3; ++i) {
            const auto timed = runTimed(QStringLiteral("openssl"), {QStringLiteral("dgst"), QStringLiteral("-sha256"), leafPath});
            if (!timed)
                return fail(QStringLiteral("openssl dgst failed"));
            shaWall.push_back(timed->wall);
            shaCpu.push_back(timed->cpu);
        }
        const double rateAfter = opensslVerifyRate();
        if (rateAfter <= 0)
            return fail(QStringLiteral("cannot run openssl speed ed25519 or read its verify rate"));
        const double verifyRate = (rateBefore + rateAfter) / 2;
        out << QStringLiteral("  openssl speed ed25519: %1 verify/s before verify, %2 after\n").arg(rateBefore, 0, 'f', 0).arg(rateAfter, 0, 'f', 0);
        const double sha = median(shaWall);
        const double shaCpuTime = median(shaCpu);
        const double limit = sha + double(signatures) / verifyRate;
        const double limitCpu = shaCpuTime + double(signatures) / verifyRate; // openssl speed divides by CPU time
        out << QStringLiteral("  floor: openssl dgst -sha256 over the %1 MB: %2 s (%3 s CPU, %4 MB/s); "
                              "%5 signatures at openssl speed's %6 verify/s: %7 s\n")
                   .arg(mb, 0, 'f', 1)
                   .arg(sha, 0, 'f', 2)
                   .arg(shaCpuTime, 0, 'f', 2)
                   .arg(mb / sha, 0, 'f', 0)
                   .arg(signatures)
                   .arg(verifyRate, 0, 'f', 0)
                   .arg(double(signatures) / verifyRate, 0, 'f', 2);
        out << QStringLiteral("  verify / floor: %1x by wall clock (%2 s / %3 s), %4x by CPU time (%5 s / %6 s)\n")
                   .arg(verifyWall / limit, 0, 'f', 2)
                   .arg(verifyWall, 0, 'f', 2)
                   .arg(limit, 0, 'f', 2)
                   .arg(verifyCpu / limitCpu, 0, 'f', 2)
                   .arg(verifyCpu, 0, 'f', 2)
                   .arg(limitCpu, 0, 'f', 2);
        result(out, QStringLiteral("openssl_sha256_s"), sha, "s");
        result(out, QStringLiteral("openssl_sha256_mb_per_s"), mb / sha, "MB/s");
        result(out, QStringLiteral("openssl_ed25519_verify_per_s"), verifyRate, "ops/s");
        result(out, QStringLiteral("verify_floor_s"), limit, "s");
        result(out, QStringLiteral("verify_ratio_wall"), verifyWall / limit, "x");
        result(out, QStringLiteral("verify_ratio_cpu"), verifyCpu / limitCpu, "x");
    }
    if (!parser.isSet(QStringLiteral("leaf-file")))
        QFile::remove(leafPath);
    return 0;
}
