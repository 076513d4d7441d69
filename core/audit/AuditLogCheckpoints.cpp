// Signed checkpoints of the audit log's tree heads: a C2SP tlog-checkpoint signed as a C2SP note
// with the gateway's key, stored next to the entries it covers.
#include "core/audit/AuditLog.h"

#include "core/audit/AuditLogPrivate.h"
#include "core/audit/Checkpoint.h"
#include "core/json/FieldReader.h"

namespace countersign::audit {

using storage::Statement;

Result<StoredCheckpoint> AuditLog::writeCheckpoint(const QString &origin, const crypto::Ed25519PrivateKey &key)
{
    if (d->readOnly)
        return makeError(QStringLiteral("audit.read_only"), QStringLiteral("%1 was opened read-only").arg(d->path));
    if (size() == 0)
        return makeError(QStringLiteral("audit.empty"), QStringLiteral("an empty log has no checkpoint to sign"));
    {
        Statement existing(d->db(), "SELECT size, root, note, created_at FROM checkpoints WHERE size = ?1");
        existing.bind(1, size());
        if (existing.step() == SQLITE_ROW)
            return StoredCheckpoint{existing.integer(0), existing.blob(1), existing.bytes(2), existing.text(3)};
    }
    Checkpoint checkpoint;
    checkpoint.origin = origin;
    checkpoint.size = size();
    checkpoint.rootHash = root();
    StoredCheckpoint stored{checkpoint.size, checkpoint.rootHash, signNote(checkpointText(checkpoint), origin, key),
                            json::formatTimestamp(d->clock->nowUtc())};
    if (stored.note.isEmpty()) {
        return makeError(QStringLiteral("audit.invalid_origin"),
                         QStringLiteral("cannot sign a checkpoint with origin \"%1\" (a key name: no spaces, '+' or control characters)")
                             .arg(origin.left(128)));
    }
    Statement insert(d->db(), "INSERT INTO checkpoints (size, root, note, created_at) VALUES (?1, ?2, ?3, ?4)");
    insert.bind(1, stored.size);
    insert.bindBlob(2, stored.rootHash);
    insert.bind(3, stored.note);
    insert.bind(4, stored.createdAt);
    if (insert.step() != SQLITE_DONE)
        return detail::sqliteError(d->db(), QStringLiteral("audit.unavailable"), QStringLiteral("%1: cannot store the checkpoint").arg(d->path));
    return stored;
}

Result<QList<StoredCheckpoint>> AuditLog::checkpoints() const
{
    Statement query(d->db(), "SELECT size, root, note, created_at FROM checkpoints ORDER BY size");
    QList<StoredCheckpoint> all;
    int rc = SQLITE_ROW;
    while ((rc = query.step()) == SQLITE_ROW)
        all.append(StoredCheckpoint{query.integer(0), query.blob(1), query.bytes(2), query.text(3)});
    if (rc != SQLITE_DONE)
        return detail::sqliteError(d->db(), QStringLiteral("audit.unavailable"), QStringLiteral("%1: cannot read checkpoints").arg(d->path));
    return all;
}

Result<qint64> AuditLog::firstCheckpointCovering(qint64 seq) const
{
    Statement query(d->db(), "SELECT size FROM checkpoints WHERE size >= ?1 ORDER BY size LIMIT 1");
    query.bind(1, seq);
    const int rc = query.step();
    if (rc == SQLITE_ROW)
        return query.integer(0);
    if (rc == SQLITE_DONE)
        return qint64{0};
    return detail::sqliteError(d->db(), QStringLiteral("audit.unavailable"), QStringLiteral("%1: cannot read checkpoints").arg(d->path));
}

} // namespace countersign::audit
