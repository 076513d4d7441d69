// The append-only audit log: a hash-chained SQLite table of entries whose leaf hashes feed an
// RFC 6962 Merkle tree, kept incrementally, with signed C2SP checkpoints of its tree heads.
//
// What is hashed. An entry's leaf is the RFC 8785 canonical JSON of exactly these members:
//   {"actor":<string>,"kind":<string>,"payload":<the payload object>,
//    "prevHash":<64 lowercase hex digits>,"seq":<integer>,"subject":<string>,
//    "time":<"YYYY-MM-DDTHH:MM:SS.mmmZ">}
// and its leaf hash is audit::leafHash(those bytes) = SHA-256(0x00 || bytes). prevHash is the
// previous entry's leaf hash (32 zero bytes, hex, for seq 1). The payload is stored as its own
// canonical JSON, so the leaf bytes are rebuilt from the stored columns without reformatting.
#pragma once

#include "core/Clock.h"
#include "core/Result.h"
#include "core/audit/AuditQuery.h"
#include "core/audit/Merkle.h"
#include "core/crypto/Ed25519.h"

#include <memory>
#include <optional>

#include <QByteArray>
#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

namespace countersign::audit {

// A submission's entry carries the action as published, which may be as large as a server
// frame (protocol::kMaxServerFrameBytes, 1 MiB) less the frame's own members.
inline constexpr qsizetype kMaxPayloadBytes = 1 << 20;    // canonical payload
inline constexpr qsizetype kMaxFieldBytes = 256;          // kind, actor, subject (UTF-8)
inline constexpr int kAuditSchemaVersion = 2; // 2: the browse index (no version 1 files were released)
inline constexpr int kMaxPageSize = 10'000;
inline constexpr int kMaxIndexBatch = 100'000; // entries updateIndex() takes in one transaction

// What a caller appends: time and seq are assigned by the log.
struct NewEntry
{
    QString kind;      // dotted lowercase name, e.g. "decision.accepted"
    QString actor;     // who did it (an authenticated identity, never text an agent chose)
    QString subject;   // what it was about (an action id, a reviewer id, ...)
    QJsonObject payload; // credentials already redacted; at most kMaxPayloadBytes canonical
};

struct AuditEntry
{
    qint64 seq = 0;        // 1-based
    QString time;          // UTC RFC 3339 with milliseconds, as hashed
    QString kind;
    QString actor;
    QString subject;
    QByteArray payload;    // canonical JSON of the payload object
    QByteArray prevHash;   // 32 bytes
    QByteArray leafHash;   // 32 bytes, as stored

    friend bool operator==(const AuditEntry &, const AuditEntry &) = default;
};

// The exact bytes an entry's leaf hash is computed over (see the top of this file). payload must
// already be canonical JSON.
[[nodiscard]] QByteArray leafBytes(qint64 seq, const QString &time, const QString &kind, const QString &actor,
                                   const QString &subject, const QByteArray &payload, const QByteArray &prevHash);
[[nodiscard]] QByteArray leafBytes(const AuditEntry &entry);

// Error "audit.invalid_entry" naming the field unless kind, actor and subject keep the rules
// (kind: lowercase dotted words; actor and subject: at most kMaxFieldBytes of UTF-8 with no
// control or format characters) and the canonical payload fits in kMaxPayloadBytes.
[[nodiscard]] Status validateEntry(const NewEntry &entry);

struct StoredCheckpoint
{
    qint64 size = 0;
    QByteArray rootHash;   // 32 bytes, as recorded next to the note
    QByteArray note;       // the C2SP signed note, verbatim
    QString createdAt;
};

struct EntryFilter
{
    qint64 fromSeq = 1;          // inclusive
    qint64 toSeq = 0;            // inclusive; 0 = no upper bound
    QStringList kinds;           // empty = any
    QString since;               // inclusive RFC 3339 UTC ("" = none)
    QString until;               // exclusive
};

class AuditLog final
{
public:
    struct Options
    {
        bool readOnly = false;     // never creates, never writes (verification, export)
        const Clock *clock = nullptr; // nullptr: the system clock
        int busyTimeoutMs = 5000;
        // A cap on the file's size in database pages (0: none): a quota, and how tests simulate
        // a full disk. An append that would exceed it fails and appends nothing.
        qint64 maxPageCount = 0;
    };

    // Opens or (unless readOnly) creates the log at path. Error codes:
    //   audit.unavailable          cannot open or configure the file (missing, unreadable, no WAL)
    //   audit.foreign_file         not SQLite, or a SQLite database that is not an audit log
    //   audit.unsupported_version  an audit log of a schema version this build does not read
    //   audit.corrupt              the stored tree state does not match the entries
    [[nodiscard]] static Result<std::unique_ptr<AuditLog>> open(const QString &path, const Options &options);
    [[nodiscard]] static Result<std::unique_ptr<AuditLog>> open(const QString &path)
    {
        return open(path, Options{});
    }
    ~AuditLog();
    Q_DISABLE_COPY_MOVE(AuditLog)

    // Durably appends one entry (committed with synchronous=FULL before this returns) and gives
    // it back with seq, time and hashes. Errors: "audit.invalid_entry", "audit.unavailable"
    // (the write failed: nothing was appended), "audit.read_only".
    [[nodiscard]] Result<AuditEntry> append(const NewEntry &entry);
    // All or nothing, in one transaction: on any error nothing is appended and the log (size,
    // root, chain) is as it was.
    [[nodiscard]] Result<QList<AuditEntry>> appendBatch(const QList<NewEntry> &entries);

    // The browse index (AuditIndex.h) is not written by appends: it is derived evidence that a
    // writer brings up to date in its own transactions, off the path an action or a decision
    // waits on. updateIndex indexes the oldest entries not yet indexed, at most maxEntries
    // (1..kMaxIndexBatch) in one transaction, and returns how many (0: the index is complete).
    // Errors: "audit.read_only", "audit.invalid_query", "audit.unavailable" (nothing indexed).
    [[nodiscard]] Result<qint64> updateIndex(int maxEntries);
    // The seq up to which the browse index covers the log (every entry up to it is indexed, none
    // after it); browse() and matching() see only those entries.
    [[nodiscard]] Result<qint64> indexedSize() const;

    [[nodiscard]] qint64 size() const;
    [[nodiscard]] QByteArray root() const;       // RFC 6962 MTH of all entries
    [[nodiscard]] QByteArray lastHash() const;   // leaf hash of the last entry (zeros when empty)

    // Entries with seq > afterSeq that pass filter, ascending, at most limit (<= kMaxPageSize):
    // keyset paging — pass the last seq of one page as afterSeq of the next.
    [[nodiscard]] Result<QList<AuditEntry>> entries(qint64 afterSeq, int limit, const EntryFilter &filter = {}) const;
    [[nodiscard]] Result<AuditEntry> entry(qint64 seq) const;
    // The first seq whose time is at or after time (RFC 3339 UTC as the log writes it); one past
    // the last entry if none is. Found by binary search: the log never lets time go back.
    [[nodiscard]] Result<qint64> firstSeqAtOrAfter(const QString &time) const;
    // The newest entry of kind about subject, if any (an index walk from the end).
    [[nodiscard]] Result<std::optional<AuditEntry>> latest(const QString &kind, const QString &subject) const;

    // The browser's pages (AuditQuery.h), from the browse index. Newest first: rows with
    // seq < beforeSeq (0: from the newest) that pass filter, at most limit (<= kMaxPageSize) —
    // pass the last seq of one page as beforeSeq of the next. Each page is a walk of one index
    // (browsePlan() shows which). Errors: "audit.invalid_query", "audit.invalid_search",
    // "audit.unavailable".
    [[nodiscard]] Result<QList<BrowseRow>> browse(qint64 beforeSeq, int limit, const BrowseFilter &filter) const;
    // The whole entries that pass filter, oldest first, seq > afterSeq (for export).
    [[nodiscard]] Result<QList<AuditEntry>> matching(qint64 afterSeq, int limit, const BrowseFilter &filter) const;
    // SQLite's EXPLAIN QUERY PLAN of a browse() page with filter, one line per step.
    [[nodiscard]] Result<QStringList> browsePlan(const BrowseFilter &filter) const;
    // The virtual-machine steps SQLite takes for that browse() page: its work, which must not
    // grow with the size of the log (for tests; plans do not show which bound a walk starts at).
    [[nodiscard]] Result<qint64> browseWork(qint64 beforeSeq, int limit, const BrowseFilter &filter) const;
    // The distinct values of a field, ascending, at most limit (<= kMaxDistinctValues); each is
    // one index lookup, whatever the size of the log.
    [[nodiscard]] Result<QStringList> distinctValues(BrowseField field, int limit = kMaxDistinctValues) const;
    // The submission.accepted entry of an action; error "audit.not_found" if the log has none.
    [[nodiscard]] Result<AuditEntry> submissionOf(const QString &actionId) const;
    // The control.change entries, oldest first, at most kMaxPageSize after afterSeq (read from the
    // entries themselves, not the browse index: the verifier takes reviewer keys from them).
    [[nodiscard]] Result<QList<AuditEntry>> controlChanges(qint64 afterSeq) const;

    // Leaf hashes by 0-based index, read from the database, for proofs. Valid while this lives.
    [[nodiscard]] LeafSource leafSource() const;

    // Signs the current tree head as a C2SP checkpoint with origin (also the note key name) and
    // stores it. Signing the same size again gives back the stored note. Error "audit.empty" for
    // an empty log; "audit.unavailable" if it cannot be stored.
    [[nodiscard]] Result<StoredCheckpoint> writeCheckpoint(const QString &origin, const crypto::Ed25519PrivateKey &key);
    // Ascending by size.
    [[nodiscard]] Result<QList<StoredCheckpoint>> checkpoints() const;
    // The size of the first checkpoint that covers entry seq (size >= seq); 0 if none does yet.
    [[nodiscard]] Result<qint64> firstCheckpointCovering(qint64 seq) const;

    [[nodiscard]] const QString &path() const;

    // Makes a query running on another thread stop soon with an error ("audit.unavailable",
    // interrupted); safe to call from any thread while this log lives. Nothing else is.
    void interrupt() const;

private:
    struct Private;
    explicit AuditLog(std::unique_ptr<Private> d);
    std::unique_ptr<Private> d;
};

} // namespace countersign::audit
