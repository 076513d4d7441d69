// countersign-audit: argument handling, output formats (JSON Lines, RFC 4180 CSV, proofs as
// JSON) and exit codes over core/audit. Nothing here trusts the file: verify recomputes
// everything, and export writes what is stored with its stored hash for others to recompute.
#include "audit/AuditTool.h"

#include "core/audit/AuditExport.h"
#include "core/audit/AuditLog.h"
#include "core/audit/AuditVerifier.h"
#include "core/audit/Checkpoint.h"
#include "core/audit/Merkle.h"
#include "core/crypto/Base64Url.h"
#include "core/json/FieldReader.h"
#include "core/json/Json.h"

#include <cstdio>
#include <optional>

#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>

namespace countersign::audittool {

namespace {

using audit::AuditLog;

constexpr int kExportPage = audit::kExportPageSize;
constexpr qint64 kProgressIntervalMs = 1000;
constexpr qint64 kMaxReviewersFileBytes = audit::kMaxReviewersJsonBytes;

const char kUsage[] =
    "Usage: countersign-audit COMMAND DB [options]\n"
    "\n"
    "Reads a Countersign audit log (an SQLite file the gateway writes) without changing it.\n"
    "\n"
    "Commands:\n"
    "  verify DB [--reviewers FILE] [--gateway-key BASE64URL]\n"
    "      Checks the hash chain entry by entry, recomputes every leaf hash and the Merkle tree,\n"
    "      every checkpoint's root (and signature, with --gateway-key) and every accepted\n"
    "      decision's signature (with --reviewers: the JSON `countersign-gateway admin reviewers\n"
    "      list` prints), then the file's own integrity. Names the first bad entry and why.\n"
    "  export DB --format jsonl|csv [--from-seq N] [--to-seq N] [--kind K]... [--since TIME]\n"
    "            [--until TIME]\n"
    "      Writes the entries (oldest first) to stdout. jsonl: one {\"entry\":{...},\"leafHash\":hex}\n"
    "      per line, where the value of \"entry\" is exactly the bytes the leaf hash is over.\n"
    "      csv: RFC 4180 with a header; a cell starting with = + - @ TAB or CR gets a leading '.\n"
    "      TIME is RFC 3339 UTC (2026-03-01T09:00:00Z); --since is inclusive, --until exclusive.\n"
    "  prove inclusion DB SEQ [--size N]\n"
    "      The RFC 9162 inclusion proof of entry SEQ in the tree of the first N entries\n"
    "      (default: all), as JSON with hex hashes.\n"
    "  prove consistency DB OLD NEW\n"
    "      The RFC 9162 consistency proof from the tree of OLD entries to that of NEW, as JSON.\n"
    "  checkpoint DB\n"
    "      Prints the latest signed checkpoint as stored, then the tree head recomputed from the\n"
    "      entries.\n"
    "\n"
    "Options: -h, --help; -v, --version.\n"
    "\n"
    "Exit codes:\n"
    "  0  done (verify: the log verified)\n"
    "  1  verification failed: the first bad entry (seq) and why are printed\n"
    "  2  usage: unknown command or option, or a bad value\n"
    "  3  the file is missing, unreadable, or not a Countersign audit log\n";

void out(const QByteArray &bytes)
{
    std::fwrite(bytes.constData(), 1, static_cast<size_t>(bytes.size()), stdout);
}

void err(const QString &message)
{
    std::fprintf(stderr, "countersign-audit: %s\n", qPrintable(message));
}

int usage(const QString &message)
{
    err(message);
    std::fprintf(stderr, "run 'countersign-audit --help' for the commands\n");
    return ExitUsage;
}

int fileProblem(const Error &error)
{
    err(error.toString());
    return ExitFileProblem;
}

std::optional<qint64> positiveNumber(const QString &text)
{
    bool ok = false;
    const qint64 value = text.toLongLong(&ok);
    if (!ok || value < 1 || text.startsWith(QLatin1Char('+')))
        return std::nullopt;
    return value;
}

// Opens read-only; a file that is damaged (not foreign) fails verification rather than usage.
Result<std::unique_ptr<AuditLog>> openForReading(const QString &path)
{
    AuditLog::Options options;
    options.readOnly = true;
    return AuditLog::open(path, options);
}

// Calls back at most about once a second, so long runs show they are alive.
class ProgressLine final
{
public:
    explicit ProgressLine(const char *what) : m_what(what) { m_timer.start(); }

    void report(qint64 done, qint64 total)
    {
        if (m_timer.elapsed() < m_nextMs)
            return;
        m_nextMs = m_timer.elapsed() + kProgressIntervalMs;
        if (total > 0)
            std::fprintf(stderr, "%s: %lld of %lld entries (%lld%%)\n", m_what, static_cast<long long>(done),
                         static_cast<long long>(total), static_cast<long long>(done * 100 / total));
        else
            std::fprintf(stderr, "%s: %lld entries\n", m_what, static_cast<long long>(done));
    }

private:
    const char *m_what;
    QElapsedTimer m_timer;
    qint64 m_nextMs = kProgressIntervalMs;
};

// "checkpoint at size 5000: root 5c1f…, recomputed root matches, signature verified"
QByteArray checkpointLine(const audit::CheckpointResult &checkpoint)
{
    using Signature = audit::CheckpointResult::Signature;
    const char *signature = checkpoint.signature == Signature::Verified ? "signature verified"
        : checkpoint.signature == Signature::Invalid                    ? "signature INVALID"
                                                                        : "signature not checked";
    return QByteArray("checkpoint at size ") + QByteArray::number(checkpoint.size) + ": root " + checkpoint.root.toHex()
        + (checkpoint.rootMatches ? ", recomputed root matches, " : ", recomputed root DIFFERS, ") + signature + '\n';
}

int runVerify(const QString &path, const QCommandLineParser &parser)
{
    audit::VerifyOptions options;
    if (parser.isSet(QStringLiteral("gateway-key"))) {
        const Result<QByteArray> raw = crypto::base64UrlDecode(parser.value(QStringLiteral("gateway-key")).toLatin1());
        if (!raw)
            return usage(QStringLiteral("--gateway-key: %1").arg(raw.error().message));
        Result<crypto::Ed25519PublicKey> key = crypto::Ed25519PublicKey::fromRaw(raw.value());
        if (!key)
            return usage(QStringLiteral("--gateway-key: %1").arg(key.error().message));
        options.gatewayKey = key.value();
    }
    if (parser.isSet(QStringLiteral("reviewers"))) {
        const QString file = parser.value(QStringLiteral("reviewers"));
        QFile reviewers(file);
        if (!reviewers.open(QIODevice::ReadOnly))
            return fileProblem(makeError(QStringLiteral("audit.unavailable"), QStringLiteral("--reviewers %1: %2").arg(file, reviewers.errorString())));
        if (reviewers.size() > kMaxReviewersFileBytes)
            return usage(QStringLiteral("--reviewers %1: over %2 bytes").arg(file).arg(kMaxReviewersFileBytes));
        Result<QList<audit::EnrolledReviewer>> keys = audit::parseReviewerKeys(reviewers.read(kMaxReviewersFileBytes));
        if (!keys)
            return usage(QStringLiteral("--reviewers %1: %2").arg(file, keys.error().toString()));
        options.reviewers = keys.value();
    }
    ProgressLine progress("verify");
    options.progress = [&progress](qint64 done, qint64 total) {
        progress.report(done, total);
        return true;
    };

    const Result<audit::VerifyReport> result = audit::verifyLog(path, options);
    if (!result) {
        if (result.error().code == QLatin1String("audit.corrupt")) {
            out(QByteArray(QByteArray("FAILED: the file is damaged: ") + result.error().message.toUtf8() + '\n'));
            return ExitVerificationFailed;
        }
        return fileProblem(result.error());
    }
    const audit::VerifyReport &report = result.value();
    if (!report.ok) {
        const QString where = report.firstBadSeq > 0 ? QStringLiteral("entry %1").arg(report.firstBadSeq) : QStringLiteral("the file");
        out(QString(QStringLiteral("FAILED at %1 (%2): %3\n").arg(where, report.code, report.reason)).toUtf8());
        out(QString(QStringLiteral("entries before it verified: %1\n").arg(report.entriesChecked)).toUtf8());
        for (const audit::CheckpointResult &checkpoint : report.checkpoints)
            out(checkpointLine(checkpoint));
        return ExitVerificationFailed;
    }
    out(QString(QStringLiteral("OK: %1 entries, root %2; %3 checkpoint(s) and %4 decision signature(s) verified\n")
                    .arg(report.entriesChecked)
                    .arg(QString::fromLatin1(report.root.toHex()))
                    .arg(report.checkpointsChecked)
                    .arg(report.decisionsChecked))
            .toUtf8());
    for (const QString &missing : report.notChecked)
        out(QString(QStringLiteral("not checked: %1\n").arg(missing)).toUtf8());
    for (const audit::CheckpointResult &checkpoint : report.checkpoints)
        out(checkpointLine(checkpoint));
    return ExitOk;
}

std::optional<QString> normalizedTime(const QString &text)
{
    const std::optional<QDateTime> time = json::parseTimestamp(text);
    if (!time)
        return std::nullopt;
    return json::formatTimestamp(*time);
}

int runExport(const QString &path, const QCommandLineParser &parser)
{
    const QString format = parser.value(QStringLiteral("format"));
    if (format != QLatin1String("jsonl") && format != QLatin1String("csv"))
        return usage(QStringLiteral("export needs --format jsonl or --format csv"));
    audit::EntryFilter filter;
    if (parser.isSet(QStringLiteral("from-seq"))) {
        const auto from = positiveNumber(parser.value(QStringLiteral("from-seq")));
        if (!from)
            return usage(QStringLiteral("--from-seq: not a positive integer"));
        filter.fromSeq = *from;
    }
    if (parser.isSet(QStringLiteral("to-seq"))) {
        const auto to = positiveNumber(parser.value(QStringLiteral("to-seq")));
        if (!to)
            return usage(QStringLiteral("--to-seq: not a positive integer"));
        filter.toSeq = *to;
    }
    filter.kinds = parser.values(QStringLiteral("kind"));
    for (const QString &kind : std::as_const(filter.kinds)) {
        if (kind.isEmpty() || kind.size() > 64)
            return usage(QStringLiteral("--kind: a kind is 1 to 64 characters"));
    }
    for (const char *name : {"since", "until"}) {
        const QString option = QLatin1String(name);
        if (!parser.isSet(option))
            continue;
        const auto time = normalizedTime(parser.value(option));
        if (!time)
            return usage(QStringLiteral("--%1: not an RFC 3339 UTC time (like 2026-03-01T09:00:00Z)").arg(option));
        (option == QLatin1String("since") ? filter.since : filter.until) = *time;
    }

    Result<std::unique_ptr<AuditLog>> log = openForReading(path);
    if (!log)
        return fileProblem(log.error());
    ProgressLine progress("export");
    const AuditLog &opened = *log.value();
    const Result<qint64> written = audit::exportEntries(
        *audit::exportFormatFromName(format),
        [&opened, &filter](qint64 after) { return opened.entries(after, kExportPage, filter); },
        [](const QByteArray &bytes) {
            out(bytes);
            return std::ferror(stdout) == 0;
        },
        [&progress](qint64 done) {
            progress.report(done, 0);
            return true;
        });
    if (!written)
        return fileProblem(written.error());
    std::fflush(stdout);
    return ExitOk;
}

QJsonArray hexList(const QList<QByteArray> &hashes)
{
    QJsonArray list;
    for (const QByteArray &hash : hashes)
        list.append(QString::fromLatin1(hash.toHex()));
    return list;
}

QString hex(const QByteArray &hash)
{
    return QString::fromLatin1(hash.toHex());
}

int runProve(const QStringList &positional, const QCommandLineParser &parser)
{
    const QString kind = positional.value(1);
    const QString path = positional.value(2);
    if (kind != QLatin1String("inclusion") && kind != QLatin1String("consistency"))
        return usage(QStringLiteral("prove inclusion DB SEQ [--size N] | prove consistency DB OLD NEW"));
    const bool inclusion = kind == QLatin1String("inclusion");
    if (!inclusion && parser.isSet(QStringLiteral("size")))
        return usage(QStringLiteral("prove consistency takes the sizes as OLD NEW, not --size"));
    if (positional.size() != (inclusion ? 4 : 5))
        return usage(inclusion ? QStringLiteral("prove inclusion DB SEQ [--size N]") : QStringLiteral("prove consistency DB OLD NEW"));
    const auto first = positiveNumber(positional.at(3));
    if (!first)
        return usage(QStringLiteral("%1: not a positive integer").arg(positional.at(3)));

    Result<std::unique_ptr<AuditLog>> opened = openForReading(path);
    if (!opened)
        return fileProblem(opened.error());
    const AuditLog &log = *opened.value();
    const audit::LeafSource leaves = log.leafSource();

    qint64 size = log.size();
    if (!inclusion || parser.isSet(QStringLiteral("size"))) {
        const auto given = positiveNumber(inclusion ? parser.value(QStringLiteral("size")) : positional.at(4));
        if (!given)
            return usage(QStringLiteral("the tree size is not a positive integer"));
        size = *given;
    }
    if (size > log.size())
        return usage(QStringLiteral("the log has %1 entries, fewer than %2").arg(log.size()).arg(size));
    if (*first > size)
        return usage(QStringLiteral("%1 is beyond the tree size %2").arg(*first).arg(size));

    Result<QByteArray> root = size == log.size() ? Result<QByteArray>(log.root()) : audit::rootOf(size, leaves);
    if (!root)
        return fileProblem(root.error());
    QJsonObject proof;
    if (inclusion) {
        Result<QByteArray> leaf = leaves(*first - 1);
        Result<QList<QByteArray>> auditPath = audit::inclusionProof(*first - 1, size, leaves);
        if (!leaf || !auditPath)
            return fileProblem(!leaf ? leaf.error() : auditPath.error());
        // A proof that does not check against the tree it came from says the file is damaged.
        if (Status checked = audit::verifyInclusion(*first - 1, size, leaf.value(), auditPath.value(), root.value()); !checked) {
            out(QByteArray(QByteArray("FAILED: the stored leaves do not give a consistent proof: ") + checked.error().message.toUtf8() + '\n'));
            return ExitVerificationFailed;
        }
        proof = QJsonObject{{QStringLiteral("seq"), double(*first)},
                            {QStringLiteral("leafIndex"), double(*first - 1)},
                            {QStringLiteral("treeSize"), double(size)},
                            {QStringLiteral("leafHash"), hex(leaf.value())},
                            {QStringLiteral("rootHash"), hex(root.value())},
                            {QStringLiteral("proof"), hexList(auditPath.value())}};
    } else {
        Result<QByteArray> oldRoot = audit::rootOf(*first, leaves);
        Result<QList<QByteArray>> auditPath = audit::consistencyProof(*first, size, leaves);
        if (!oldRoot || !auditPath)
            return fileProblem(!oldRoot ? oldRoot.error() : auditPath.error());
        if (Status checked = audit::verifyConsistency(*first, size, oldRoot.value(), root.value(), auditPath.value()); !checked) {
            out(QByteArray(QByteArray("FAILED: the stored leaves do not give a consistent proof: ") + checked.error().message.toUtf8() + '\n'));
            return ExitVerificationFailed;
        }
        proof = QJsonObject{{QStringLiteral("oldSize"), double(*first)},
                            {QStringLiteral("newSize"), double(size)},
                            {QStringLiteral("oldRoot"), hex(oldRoot.value())},
                            {QStringLiteral("newRoot"), hex(root.value())},
                            {QStringLiteral("proof"), hexList(auditPath.value())}};
    }
    out(QByteArray(json::canonicalize(proof) + '\n'));
    return ExitOk;
}

int runCheckpoint(const QString &path)
{
    Result<std::unique_ptr<AuditLog>> log = openForReading(path);
    if (!log)
        return fileProblem(log.error());
    Result<QList<audit::StoredCheckpoint>> checkpoints = log.value()->checkpoints();
    if (!checkpoints)
        return fileProblem(checkpoints.error());
    if (checkpoints.value().isEmpty())
        out("latest signed checkpoint: none\n");
    else
        out(QByteArray(QByteArray("latest signed checkpoint (as stored):\n") + checkpoints.value().last().note));

    // Recomputed from the entries' content, not read from the stored tree state.
    audit::CompactTree tree;
    ProgressLine progress("checkpoint");
    qint64 after = 0;
    for (;;) {
        Result<QList<audit::AuditEntry>> page = log.value()->entries(after, kExportPage);
        if (!page)
            return fileProblem(page.error());
        if (page.value().isEmpty())
            break;
        for (const audit::AuditEntry &entry : page.value())
            tree.append(audit::leafHash(audit::leafBytes(entry)));
        after = page.value().last().seq;
        progress.report(tree.size(), log.value()->size());
    }
    const QByteArray root = tree.root();
    out(QByteArray(QByteArray("\nrecomputed tree head:\ntree size: ") + QByteArray::number(tree.size())
                   + "\nroot hash: " + root.toBase64() + "\nroot hex: " + root.toHex() + '\n'));
    return ExitOk;
}

} // namespace

int run(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setOptionsAfterPositionalArgumentsMode(QCommandLineParser::ParseAsOptions);
    const QList<QCommandLineOption> options{
        {{QStringLiteral("h"), QStringLiteral("help")}, QString()},
        {{QStringLiteral("v"), QStringLiteral("version")}, QString()},
        {QStringLiteral("reviewers"), QString(), QStringLiteral("FILE")},
        {QStringLiteral("gateway-key"), QString(), QStringLiteral("BASE64URL")},
        {QStringLiteral("format"), QString(), QStringLiteral("jsonl|csv")},
        {QStringLiteral("from-seq"), QString(), QStringLiteral("N")},
        {QStringLiteral("to-seq"), QString(), QStringLiteral("N")},
        {QStringLiteral("kind"), QString(), QStringLiteral("K")},
        {QStringLiteral("since"), QString(), QStringLiteral("TIME")},
        {QStringLiteral("until"), QString(), QStringLiteral("TIME")},
        {QStringLiteral("size"), QString(), QStringLiteral("N")},
    };
    parser.addOptions(options);
    if (!parser.parse(QStringList{QStringLiteral("countersign-audit")} + arguments))
        return usage(parser.errorText());
    if (parser.isSet(QStringLiteral("help"))) {
        out(kUsage);
        return ExitOk;
    }
    if (parser.isSet(QStringLiteral("version"))) {
        out(QByteArray("countersign-audit " COUNTERSIGN_VERSION "\n"));
        return ExitOk;
    }

    const QStringList positional = parser.positionalArguments();
    const QString command = positional.value(0);
    // Each command takes only its own options: a stray one is a mistake worth stopping on.
    const QHash<QString, QStringList> allowed{
        {QStringLiteral("verify"), {QStringLiteral("reviewers"), QStringLiteral("gateway-key")}},
        {QStringLiteral("export"),
         {QStringLiteral("format"), QStringLiteral("from-seq"), QStringLiteral("to-seq"), QStringLiteral("kind"),
          QStringLiteral("since"), QStringLiteral("until")}},
        {QStringLiteral("prove"), {QStringLiteral("size")}},
        {QStringLiteral("checkpoint"), {}},
    };
    if (command.isEmpty())
        return usage(QStringLiteral("no command given"));
    if (!allowed.contains(command))
        return usage(QStringLiteral("unknown command %1").arg(command.left(64)));
    for (const QString &name : parser.optionNames()) {
        if (!allowed.value(command).contains(name))
            return usage(QStringLiteral("%1 does not take --%2").arg(command, name.left(64)));
    }
    if (command == QLatin1String("prove"))
        return runProve(positional, parser);
    if (positional.size() != 2)
        return usage(QStringLiteral("%1 takes exactly one database file").arg(command));
    const QString path = positional.at(1);
    if (command == QLatin1String("verify"))
        return runVerify(path, parser);
    if (command == QLatin1String("export"))
        return runExport(path, parser);
    return runCheckpoint(path);
}

} // namespace countersign::audittool
