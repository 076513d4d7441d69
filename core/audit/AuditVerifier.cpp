// The audit log verifier: one pass over the entries in seq order that rebuilds the chain and the
// Merkle tree from the entries' content, checking checkpoints and decisions as the tree reaches
// them, so the first failure found is the first bad entry.
#include "core/audit/AuditVerifier.h"

#include "core/audit/AuditDatabase.h"
#include "core/audit/AuditLog.h"
#include "core/audit/Checkpoint.h"
#include "core/audit/Merkle.h"
#include "core/crypto/Jwk.h"
#include "core/decision/SignedDecision.h"
#include "core/json/FieldReader.h"
#include "core/json/CanonicalCheck.h"
#include "core/json/Json.h"

#include <QFile>
#include <QHash>
#include <QSet>
#include <QTemporaryDir>
#include <QtEndian>
#include <QJsonArray>
#include <QJsonObject>

namespace countersign::audit {

using storage::Statement;

namespace {

constexpr qint64 kProgressEvery = 4096;

Error invalidReviewers(qsizetype index, const QString &what)
{
    return makeError(QStringLiteral("audit.invalid_reviewers"), QStringLiteral("reviewers[%1]: %2").arg(index).arg(what));
}

struct Failure
{
    qint64 seq = 0;
    QString code;
    QString reason;
};

class Verifier final
{
public:
    Verifier(sqlite3 *db, const QString &path, const VerifyOptions &options)
        : m_db(db), m_path(path), m_options(options)
    {
        if (options.reviewers)
            m_reviewers = reviewersByKeyId(*options.reviewers);
    }
    Q_DISABLE_COPY_MOVE(Verifier)

    VerifyReport run()
    {
        // One read transaction: a gateway appending meanwhile (WAL) does not change what is seen
        // between the entries, the tree state and the checkpoints.
        const bool snapshot = storage::exec(m_db, "BEGIN");
        VerifyReport report = check();
        if (snapshot)
            storage::exec(m_db, "COMMIT");
        return report;
    }

private:
    VerifyReport check()
    {
        if (const auto failure = loadCheckpoints())
            return failed(*failure);
        if (const auto failure = scanEntries())
            return failed(*failure);
        if (m_report.cancelled)
            return m_report;
        if (const auto failure = checkEnd())
            return failed(*failure);
        if (const auto failure = checkFile())
            return failed(*failure);
        if (!m_options.gatewayKey && !m_checkpoints.isEmpty())
            m_report.notChecked.append(QStringLiteral("checkpoint signatures (no gateway key given)"));
        if (!m_options.reviewers && m_uncheckedDecisions > 0) {
            m_report.notChecked.append(QStringLiteral("%1 decision signature(s) (no reviewer keys given)").arg(m_uncheckedDecisions));
        }
        if (m_report.decisionsByUnknownKeys > 0) {
            m_report.notChecked.append(QStringLiteral("%1 decision signature(s) by keys not among the reviewer keys given")
                                           .arg(m_report.decisionsByUnknownKeys));
        }
        m_report.ok = true;
        return m_report;
    }

    struct StoredNote
    {
        qint64 size = 0;
        QByteArray root;
        QByteArray note;
    };

    VerifyReport failed(const Failure &failure)
    {
        m_report.ok = false;
        m_report.firstBadSeq = failure.seq;
        m_report.code = failure.code;
        m_report.reason = failure.reason;
        return m_report;
    }

    Failure unreadable(qint64 seq, const QString &what) const
    {
        return Failure{seq, QStringLiteral("audit.unreadable"),
                       QStringLiteral("%1: the file is damaged or truncated (%2)").arg(what, QString::fromUtf8(sqlite3_errmsg(m_db)))};
    }

    std::optional<Failure> loadCheckpoints()
    {
        Statement query(m_db, "SELECT size, root, note FROM checkpoints ORDER BY size");
        int rc = SQLITE_ROW;
        while ((rc = query.step()) == SQLITE_ROW)
            m_checkpoints.append(StoredNote{query.integer(0), query.blob(1), query.bytes(2)});
        if (rc != SQLITE_DONE)
            return unreadable(0, QStringLiteral("the checkpoints cannot be read"));
        return std::nullopt;
    }

    std::optional<Failure> scanEntries()
    {
        {
            Statement total(m_db, "SELECT max(seq) FROM entries");
            if (total.step() == SQLITE_ROW)
                m_total = total.integer(0);
        }
        Statement rows(m_db, "SELECT seq, time, kind, actor, subject, payload, prev_hash, entry_hash FROM entries ORDER BY seq");
        QByteArray prevHash = detail::zeroHash();
        qsizetype nextCheckpoint = 0;
        int rc = SQLITE_ROW;
        while ((rc = rows.step()) == SQLITE_ROW) {
            const AuditEntry entry = detail::readEntry(rows);
            const qint64 expected = m_tree.size() + 1;
            if (entry.seq != expected) {
                if (entry.seq < expected) // seq is the primary key: only a damaged file repeats one
                    return Failure{expected, QStringLiteral("audit.seq_gap"), QStringLiteral("entries are out of order at seq %1").arg(entry.seq)};
                return Failure{expected, QStringLiteral("audit.seq_gap"),
                               QStringLiteral("entry %1 is missing: the next stored entry is seq %2").arg(expected).arg(entry.seq)};
            }
            if (const auto failure = checkEntry(entry, prevHash))
                return failure;
            m_tree.append(entry.leafHash);
            prevHash = entry.leafHash;
            m_lastHash = entry.leafHash;
            ++m_report.entriesChecked;

            while (nextCheckpoint < m_checkpoints.size() && m_checkpoints.at(nextCheckpoint).size == m_tree.size()) {
                if (const auto failure = checkCheckpoint(m_checkpoints.at(nextCheckpoint)))
                    return failure;
                ++nextCheckpoint;
            }
            if (m_options.progress && m_report.entriesChecked % kProgressEvery == 0
                && !m_options.progress(m_report.entriesChecked, m_total)) {
                m_report.cancelled = true;
                m_report.root = m_tree.root();
                return std::nullopt;
            }
        }
        m_report.root = m_tree.root();
        if (rc != SQLITE_DONE) {
            const qint64 seq = m_tree.size() + 1;
            return unreadable(seq, QStringLiteral("entry %1 and what follows cannot be read").arg(seq));
        }
        if (m_options.progress)
            m_options.progress(m_report.entriesChecked, m_total);
        return std::nullopt;
    }

    std::optional<Failure> checkEntry(const AuditEntry &entry, const QByteArray &prevHash)
    {
        const qint64 seq = entry.seq;
        auto bad = [seq](const char *code, const QString &why) {
            return Failure{seq, QString::fromLatin1(code), QStringLiteral("entry %1: %2").arg(seq).arg(why)};
        };
        if (entry.prevHash.size() != kHashSize || entry.leafHash.size() != kHashSize)
            return bad("audit.entry_invalid", QStringLiteral("a stored hash is not 32 bytes"));
        // The content first: a flipped byte anywhere in the entry shows here.
        if (leafHash(leafBytes(entry)) != entry.leafHash)
            return bad("audit.hash_mismatch", QStringLiteral("its content does not hash to its stored entry hash: it was changed after it was written"));
        if (entry.prevHash != prevHash) {
            return bad("audit.chain_broken", seq == 1 ? QStringLiteral("the first entry's previous hash is not zero")
                                                      : QStringLiteral("its previous hash is not the hash of entry %1").arg(seq - 1));
        }
        NewEntry fields{entry.kind, entry.actor, entry.subject, {}};
        if (Status valid = validateEntry(fields); !valid)
            return bad("audit.entry_invalid", valid.error().message);
        if (entry.payload.size() > kMaxPayloadBytes)
            return bad("audit.entry_invalid", QStringLiteral("the payload is over %1 bytes").arg(kMaxPayloadBytes));
        json::Limits limits;
        limits.maxBytes = kMaxPayloadBytes;
        // One pass over the bytes, no value built: the payload of every entry is checked.
        if (const Status canonical = json::checkCanonicalObject(entry.payload, limits); !canonical) {
            return bad("audit.entry_invalid",
                       QStringLiteral("the payload is not a canonical JSON object (%1)").arg(canonical.error().message.left(200)));
        }
        if (!json::parseTimestamp(entry.time))
            return bad("audit.entry_invalid", QStringLiteral("the time is not RFC 3339"));
        if (entry.kind == QLatin1String("decision.accepted")) {
            // Only decisions are read further: their token is verified.
            const Result<QJsonValue> payload = json::parse(entry.payload, limits);
            if (!payload || !payload.value().isObject())
                return bad("audit.entry_invalid", QStringLiteral("the payload is not a canonical JSON object"));
            return checkDecision(entry, payload.value().toObject());
        }
        return std::nullopt;
    }

    std::optional<Failure> checkDecision(const AuditEntry &entry, const QJsonObject &payload)
    {
        const qint64 seq = entry.seq;
        auto bad = [seq](const QString &why) {
            return Failure{seq, QStringLiteral("audit.decision_invalid"), QStringLiteral("entry %1: the decision %2").arg(seq).arg(why)};
        };
        if (!payload.value(QStringLiteral("token")).isString())
            return bad(QStringLiteral("has no \"token\" (the signed JWS) in its payload"));
        if (!m_options.reviewers) {
            ++m_uncheckedDecisions;
            return std::nullopt;
        }
        const DecisionSignature signature = checkDecisionSignature(payload, m_reviewers);
        if (signature.status == DecisionSignature::Status::KeyNotEnrolled && !m_options.reviewersComplete) {
            ++m_report.decisionsByUnknownKeys;
            return std::nullopt;
        }
        if (signature.status != DecisionSignature::Status::Verified)
            return bad(signature.detail);
        ++m_report.decisionsChecked;
        return std::nullopt;
    }

    std::optional<Failure> checkCheckpoint(const StoredNote &stored)
    {
        const qint64 seq = stored.size;
        auto bad = [seq](const char *code, const QString &why) {
            return Failure{seq, QString::fromLatin1(code), QStringLiteral("checkpoint at size %1: %2").arg(seq).arg(why)};
        };
        CheckpointResult &result = m_report.checkpoints.emplace_back();
        result.size = stored.size;
        result.root = stored.root;
        if (stored.note.size() > kMaxNoteBytes)
            return bad("audit.checkpoint_invalid", QStringLiteral("the note is over %1 bytes").arg(kMaxNoteBytes));
        const qsizetype split = stored.note.lastIndexOf("\n\n");
        if (split < 0)
            return bad("audit.checkpoint_invalid", QStringLiteral("the note has no signature block"));
        const QByteArray body = stored.note.left(split + 1);
        const Result<Checkpoint> checkpoint = parseCheckpoint(body);
        if (!checkpoint)
            return bad("audit.checkpoint_invalid", checkpoint.error().message);
        result.root = checkpoint.value().rootHash;
        if (m_options.gatewayKey) {
            const QString origin = checkpoint.value().origin;
            const NoteVerifier verifier(origin, *m_options.gatewayKey);
            const Result<VerifiedNote> verified = verifyNote(stored.note, {verifier});
            result.signature = verified ? CheckpointResult::Signature::Verified : CheckpointResult::Signature::Invalid;
            if (!verified)
                return bad("audit.checkpoint_signature", QStringLiteral("not signed by the gateway key: %1").arg(verified.error().toString()));
        }
        const QByteArray recomputed = m_tree.root();
        result.rootMatches = checkpoint.value().size == stored.size && checkpoint.value().rootHash == recomputed && stored.root == recomputed;
        if (checkpoint.value().size != stored.size)
            return bad("audit.checkpoint_invalid", QStringLiteral("the note says size %1").arg(checkpoint.value().size));
        if (checkpoint.value().rootHash != recomputed || stored.root != recomputed) {
            return bad("audit.checkpoint_root",
                       QStringLiteral("its root %1 is not the recomputed root %2 of the first %3 entries")
                           .arg(QString::fromLatin1(checkpoint.value().rootHash.toHex()), QString::fromLatin1(recomputed.toHex()))
                           .arg(seq));
        }
        ++m_report.checkpointsChecked;
        return std::nullopt;
    }

    // What the file says its size is must be what was found: a tail cut off is visible in the
    // stored tree state and in any checkpoint beyond the last entry.
    std::optional<Failure> checkEnd()
    {
        const qint64 found = m_tree.size();
        for (const StoredNote &stored : std::as_const(m_checkpoints)) {
            if (stored.size > found) {
                return Failure{found + 1, QStringLiteral("audit.tail_missing"),
                               QStringLiteral("entry %1 is missing: checkpoint at size %2 was signed but the log ends at seq %3")
                                   .arg(found + 1)
                                   .arg(stored.size)
                                   .arg(found)};
            }
        }
        Statement state(m_db, "SELECT size, frontier, last_hash FROM tree_state WHERE id = 1");
        if (state.step() != SQLITE_ROW)
            return unreadable(0, QStringLiteral("the tree state cannot be read"));
        if (state.integer(0) > found) {
            return Failure{found + 1, QStringLiteral("audit.tail_missing"),
                           QStringLiteral("entry %1 is missing: the log recorded %2 entries but ends at seq %3")
                               .arg(found + 1)
                               .arg(state.integer(0))
                               .arg(found)};
        }
        QByteArray frontier;
        for (const QByteArray &hash : m_tree.frontier())
            frontier.append(hash);
        if (state.integer(0) != found || state.blob(1) != frontier || state.blob(2) != (found ? m_lastHash : detail::zeroHash())) {
            return Failure{0, QStringLiteral("audit.corrupt"),
                           QStringLiteral("the stored tree state (size %1) does not match the %2 entries").arg(state.integer(0)).arg(found)};
        }
        return std::nullopt;
    }

    // SQLite's own structure check, and the triggers that keep the log append-only.
    std::optional<Failure> checkFile()
    {
        Statement check(m_db, "PRAGMA quick_check");
        if (check.step() != SQLITE_ROW || check.bytes(0) != "ok") {
            return Failure{0, QStringLiteral("audit.corrupt"),
                           QStringLiteral("SQLite's integrity check fails: %1").arg(check.text(0).left(200))};
        }
        for (const char *name : detail::kTriggerNames) {
            Statement trigger(m_db, "SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = ?1");
            trigger.bind(1, name);
            if (trigger.step() != SQLITE_ROW) {
                return Failure{0, QStringLiteral("audit.schema_tampered"),
                               QStringLiteral("the append-only trigger %1 is missing: the file was edited outside the log")
                                   .arg(QLatin1String(name))};
            }
        }
        return std::nullopt;
    }

    sqlite3 *m_db;
    QString m_path;
    const VerifyOptions &m_options;
    QHash<QString, EnrolledReviewer> m_reviewers;
    QList<StoredNote> m_checkpoints;
    CompactTree m_tree;
    QByteArray m_lastHash;
    qint64 m_total = 0;
    qint64 m_uncheckedDecisions = 0;
    VerifyReport m_report;
};

struct Truncation
{
    qint64 fileBytes = 0;
    qint64 recordedBytes = 0; // what the SQLite header says the file holds
    qint64 pageSize = 0;
};

// SQLite refuses a file shorter than its header says before reading any of it. Whether that is
// what happened is read from the header itself (https://sqlite.org/fileformat.html §1.3).
std::optional<Truncation> detectTruncation(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return std::nullopt;
    const QByteArray header = file.read(100);
    if (header.size() < 100 || !header.startsWith(QByteArrayView("SQLite format 3\0", 16)))
        return std::nullopt;
    qint64 pageSize = qFromBigEndian<quint16>(header.constData() + 16);
    if (pageSize == 1)
        pageSize = 65536;
    const qint64 pages = qFromBigEndian<quint32>(header.constData() + 28);
    if (pageSize < 512 || file.size() >= pageSize * pages)
        return std::nullopt;
    return Truncation{file.size(), pageSize * pages, pageSize};
}

// Copies the whole pages that are left into dir with the header's page count corrected, so the
// entries that survive can be read and the first lost one named. The original is not touched.
QString readableRemainder(const QString &path, const Truncation &truncation, const QTemporaryDir &dir)
{
    QFile source(path);
    if (!source.open(QIODevice::ReadOnly))
        return {};
    const qint64 pages = truncation.fileBytes / truncation.pageSize;
    const QString copyPath = dir.filePath(QStringLiteral("remainder.db"));
    QFile copy(copyPath);
    if (pages < 1 || !copy.open(QIODevice::WriteOnly))
        return {};
    for (qint64 page = 0; page < pages; ++page) {
        QByteArray bytes = source.read(truncation.pageSize);
        if (bytes.size() != truncation.pageSize)
            return {};
        if (page == 0)
            qToBigEndian<quint32>(static_cast<quint32>(pages), bytes.data() + 28);
        if (copy.write(bytes) != bytes.size())
            return {};
    }
    return copy.flush() ? copyPath : QString();
}

Result<VerifyReport> verifyTruncated(const QString &path, const Error &openError, const VerifyOptions &options)
{
    const std::optional<Truncation> truncation = detectTruncation(path);
    if (!truncation)
        return openError;
    const QString what = QStringLiteral("the file is truncated: %1 bytes of the %2 its header records")
                             .arg(truncation->fileBytes)
                             .arg(truncation->recordedBytes);
    VerifyReport report;
    report.code = QStringLiteral("audit.truncated");
    report.reason = what;
    QTemporaryDir dir;
    const QString remainder = dir.isValid() ? readableRemainder(path, *truncation, dir) : QString();
    if (remainder.isEmpty())
        return report;
    Result<std::unique_ptr<detail::Database>> database = detail::openDatabase(remainder, true, 5000);
    if (!database)
        return report; // not even the schema survived: no entry can be named
    Verifier verifier(database.value()->handle(), remainder, options);
    VerifyReport found = verifier.run();
    if (found.ok || found.cancelled) {
        // Whatever survived is consistent, but the file is still not what was written.
        found.ok = found.cancelled;
        found.code = report.code;
        found.reason = what;
        return found;
    }
    found.reason = QString(what + QStringLiteral("; ") + found.reason);
    return found;
}

} // namespace

QHash<QString, EnrolledReviewer> reviewersByKeyId(const QList<EnrolledReviewer> &reviewers)
{
    QHash<QString, EnrolledReviewer> byKeyId;
    for (const EnrolledReviewer &reviewer : reviewers)
        byKeyId.insert(reviewer.keyId, reviewer);
    return byKeyId;
}

DecisionSignature checkDecisionSignature(const QJsonObject &payload, const QHash<QString, EnrolledReviewer> &reviewersByKeyId,
                                         const QString &actionId, const QByteArray &actionDigest)
{
    using Status = DecisionSignature::Status;
    DecisionSignature result;
    const QJsonValue token = payload.value(QStringLiteral("token"));
    if (!token.isString()) {
        result.detail = QStringLiteral("has no \"token\" (the signed JWS) in its payload");
        return result;
    }
    // Parsed once: its kid names the key to verify it with.
    const Result<crypto::ParsedStatement> parsed = decision::parseDecision(token.toString().toUtf8());
    result.status = Status::Invalid;
    if (!parsed) {
        result.detail = QStringLiteral("token is malformed: %1").arg(parsed.error().message);
        return result;
    }
    const QString &keyId = parsed.value().keyId;
    result.keyId = keyId;
    const auto reviewer = reviewersByKeyId.constFind(keyId);
    if (reviewer == reviewersByKeyId.constEnd()) {
        result.status = Status::KeyNotEnrolled;
        result.detail = QStringLiteral("is signed by key %1, which is not enrolled").arg(keyId.left(64));
        return result;
    }
    const Result<decision::DecisionClaims> claims = decision::verifyDecision(parsed.value(), reviewer->key);
    if (!claims) {
        result.detail = QStringLiteral("does not verify under %1's key: %2").arg(reviewer->id, claims.error().toString());
        return result;
    }
    if (claims.value().reviewer != reviewer->id) {
        result.detail = QStringLiteral("names reviewer %1 but is signed with the key enrolled for %2")
                            .arg(claims.value().reviewer.left(128), reviewer->id);
        return result;
    }
    result.reviewer = reviewer->id;
    result.reason = claims.value().reason;
    if ((!actionId.isEmpty() && claims.value().actionId != actionId)
        || (!actionDigest.isEmpty() && claims.value().actionDigest != actionDigest)) {
        result.status = Status::DigestMismatch;
        result.detail = QStringLiteral("is signed for action %1 with digest %2, not for the action shown (%3, digest %4)")
                            .arg(claims.value().actionId.left(128), QString::fromLatin1(claims.value().actionDigest.left(64)),
                                 actionId.left(128), QString::fromLatin1(actionDigest.left(64)));
        return result;
    }
    result.status = Status::Verified;
    result.detail = QStringLiteral("verified: signed by %1 with key %2").arg(reviewer->id, keyId);
    return result;
}

Result<QList<EnrolledReviewer>> reviewerKeysFromLog(const AuditLog &log)
{
    QList<EnrolledReviewer> enrolled;
    QSet<QString> seen;
    qint64 after = 0;
    for (;;) {
        const Result<QList<AuditEntry>> page = log.controlChanges(after);
        if (!page)
            return page.error();
        if (page.value().isEmpty())
            break;
        for (const AuditEntry &entry : page.value()) {
            after = entry.seq;
            json::Limits limits;
            limits.maxBytes = kMaxPayloadBytes;
            const Result<QJsonValue> payload = json::parse(entry.payload, limits);
            if (!payload || !payload.value().isObject())
                continue;
            const QJsonObject change = payload.value().toObject();
            const QString command = change.value(QStringLiteral("command")).toString();
            QJsonArray listed; // reviewer entries as Policy::reviewerJson writes them
            if (command == QLatin1String("bootstrap")) {
                listed = change.value(QStringLiteral("after")).toObject().value(QStringLiteral("reviewers")).toArray();
            } else if (command.startsWith(QLatin1String("reviewers."))) {
                listed = {change.value(QStringLiteral("before")), change.value(QStringLiteral("after"))};
            }
            for (const QJsonValue &one : std::as_const(listed)) {
                // One at a time: a key the log got wrong costs that key only.
                const Result<QList<EnrolledReviewer>> keys = parseReviewerKeys(json::canonicalize(QJsonArray{one}));
                if (!keys)
                    continue;
                for (const EnrolledReviewer &reviewer : keys.value()) {
                    const QString seenAs = reviewer.id + QLatin1Char(' ') + reviewer.keyId;
                    if (!seen.contains(seenAs)) {
                        seen.insert(seenAs);
                        enrolled.append(reviewer);
                    }
                }
            }
        }
    }
    return enrolled;
}

Result<QList<EnrolledReviewer>> parseReviewerKeys(QByteArrayView text)
{
    json::Limits limits;
    limits.maxBytes = kMaxReviewersJsonBytes;
    const Result<QJsonValue> parsed = json::parse(text, limits);
    if (!parsed)
        return parsed.error();
    QJsonArray list;
    if (parsed.value().isArray())
        list = parsed.value().toArray();
    else if (parsed.value().isObject() && parsed.value().toObject().value(QStringLiteral("reviewers")).isArray())
        list = parsed.value().toObject().value(QStringLiteral("reviewers")).toArray();
    else
        return makeError(QStringLiteral("audit.invalid_reviewers"), QStringLiteral("expected {\"reviewers\":[...]} or an array"));
    QList<EnrolledReviewer> reviewers;
    for (qsizetype i = 0; i < list.size(); ++i) {
        const QJsonObject object = list.at(i).toObject();
        const QString id = object.value(QStringLiteral("id")).toString();
        if (id.isEmpty())
            return invalidReviewers(i, QStringLiteral("\"id\" is missing"));
        if (!object.value(QStringLiteral("key")).isObject())
            return invalidReviewers(i, QStringLiteral("\"key\" (a JWK) is missing"));
        Result<crypto::Ed25519PublicKey> key = crypto::publicKeyFromJwk(object.value(QStringLiteral("key")).toObject());
        if (!key)
            return invalidReviewers(i, key.error().toString());
        // The thumbprint is computed, never read from the list: decisions are matched by it.
        const QString keyId = QString::fromLatin1(crypto::jwkThumbprint(key.value()));
        reviewers.append(EnrolledReviewer{id, keyId, key.value()});
    }
    return reviewers;
}

Result<VerifyReport> verifyLog(const QString &path, const VerifyOptions &options)
{
    Result<std::unique_ptr<detail::Database>> database = detail::openDatabase(path, true, 5000);
    if (!database) {
        if (database.error().code == QLatin1String("audit.corrupt"))
            return verifyTruncated(path, database.error(), options);
        return database.error();
    }
    Verifier verifier(database.value()->handle(), path, options);
    return verifier.run();
}

} // namespace countersign::audit
