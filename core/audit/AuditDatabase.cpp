// Opening the audit log's SQLite file: the append-only schema, and telling a damaged, foreign or
// newer file apart from an audit log this build can read.
#include "core/audit/AuditDatabase.h"

#include <QFile>
#include <QFileInfo>

namespace countersign::audit::detail {

namespace {

using storage::exec;
using storage::Statement;
using storage::Transaction;

// Entries and checkpoints can only be inserted, entries only in order and chained to the one
// before. tree_state is the one row that changes: the Merkle frontier after the last append, so
// reopening does not rehash the log; the verifier recomputes it rather than trusting it.
const char kSchema[] = R"sql(
CREATE TABLE audit_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE entries (
    seq        INTEGER PRIMARY KEY CHECK (seq >= 1),
    time       TEXT NOT NULL,
    kind       TEXT NOT NULL,
    actor      TEXT NOT NULL,
    subject    TEXT NOT NULL,
    payload    TEXT NOT NULL,
    prev_hash  BLOB NOT NULL CHECK (length(prev_hash) = 32),
    entry_hash BLOB NOT NULL CHECK (length(entry_hash) = 32)
);
CREATE INDEX entries_kind ON entries(kind, seq);
CREATE TABLE tree_state (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    size      INTEGER NOT NULL,
    frontier  BLOB NOT NULL,
    last_hash BLOB NOT NULL CHECK (length(last_hash) = 32)
);
INSERT INTO tree_state (id, size, frontier, last_hash) VALUES (1, 0, x'', zeroblob(32));
CREATE TABLE checkpoints (
    size       INTEGER PRIMARY KEY CHECK (size >= 1),
    root       BLOB NOT NULL CHECK (length(root) = 32),
    note       TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries
BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;
CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries
BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;
CREATE TRIGGER entries_in_order BEFORE INSERT ON entries
WHEN NEW.seq IS NOT (SELECT COALESCE(MAX(seq), 0) + 1 FROM entries)
  OR NEW.prev_hash IS NOT COALESCE((SELECT entry_hash FROM entries WHERE seq = NEW.seq - 1), zeroblob(32))
BEGIN SELECT RAISE(ABORT, 'audit entries are appended in order, chained to the last one'); END;
CREATE TRIGGER checkpoints_no_update BEFORE UPDATE ON checkpoints
BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;
CREATE TRIGGER checkpoints_no_delete BEFORE DELETE ON checkpoints
BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;
CREATE TRIGGER audit_meta_no_update BEFORE UPDATE ON audit_meta
BEGIN SELECT RAISE(ABORT, 'audit_meta is append-only'); END;
CREATE TRIGGER audit_meta_no_delete BEFORE DELETE ON audit_meta
BEGIN SELECT RAISE(ABORT, 'audit_meta is append-only'); END;
)sql"
// The browse index (schema version 2): derived from the entries, oldest first, by
// AuditLog::updateIndex in transactions of its own (off the append path), for the audit
// browser's filters and search; MAX(entry_index.seq) is how far it has got. Not evidence: not
// hashed, not read by the verifier. Agents, users, reviewers, tools and outcomes are stored as
// small integers naming a row of index_terms (short index keys keep the index small); each filter column has a partial
// index ending in seq, so a filtered page is a walk of one index newest first. Time is
// nondecreasing in seq (AuditLog never lets it go back), so a time range is a seq range found
// through entry_index_time. entry_text is a contentless full-text index (rowid = seq).
R"sql(
CREATE TABLE index_terms (
    id    INTEGER PRIMARY KEY,
    field INTEGER NOT NULL CHECK (field BETWEEN 1 AND 5),
    value TEXT NOT NULL,
    UNIQUE (field, value)
);
CREATE TABLE entry_index (
    seq       INTEGER PRIMARY KEY CHECK (seq >= 1),
    time      TEXT NOT NULL,
    kind      TEXT NOT NULL,
    action_id TEXT,
    agent     INTEGER,
    user      INTEGER,
    reviewer  INTEGER,
    tool      INTEGER,
    outcome   INTEGER,
    flagged   INTEGER NOT NULL CHECK (flagged IN (0, 1))
);
CREATE INDEX entry_index_time ON entry_index(time, seq);
CREATE INDEX entry_index_action ON entry_index(action_id, seq) WHERE action_id IS NOT NULL;
CREATE INDEX entry_index_agent ON entry_index(agent, seq) WHERE agent IS NOT NULL;
CREATE INDEX entry_index_user ON entry_index(user, seq) WHERE user IS NOT NULL;
CREATE INDEX entry_index_reviewer ON entry_index(reviewer, seq) WHERE reviewer IS NOT NULL;
CREATE INDEX entry_index_tool ON entry_index(tool, seq) WHERE tool IS NOT NULL;
CREATE INDEX entry_index_outcome ON entry_index(outcome, seq) WHERE outcome IS NOT NULL;
CREATE INDEX entry_index_flagged ON entry_index(seq) WHERE flagged = 1;
CREATE TRIGGER entry_index_no_update BEFORE UPDATE ON entry_index
BEGIN SELECT RAISE(ABORT, 'the browse index is append-only'); END;
CREATE TRIGGER entry_index_no_delete BEFORE DELETE ON entry_index
BEGIN SELECT RAISE(ABORT, 'the browse index is append-only'); END;
CREATE TRIGGER index_terms_no_update BEFORE UPDATE ON index_terms
BEGIN SELECT RAISE(ABORT, 'the browse index is append-only'); END;
CREATE TRIGGER index_terms_no_delete BEFORE DELETE ON index_terms
BEGIN SELECT RAISE(ABORT, 'the browse index is append-only'); END;
CREATE VIRTUAL TABLE entry_text USING fts5(text, content='', columnsize=0, tokenize='unicode61 remove_diacritics 2');
)sql";

bool isDamage(int rc)
{
    const int primary = rc & 0xff;
    return primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB;
}

Status createSchema(sqlite3 *db, const QString &path)
{
    Transaction transaction(db);
    if (!transaction.begun())
        return sqliteError(db, QStringLiteral("audit.unavailable"), QStringLiteral("%1: cannot begin").arg(path));
    if (!exec(db, kSchema))
        return sqliteError(db, QStringLiteral("audit.unavailable"), QStringLiteral("%1: cannot create the schema").arg(path));
    Statement meta(db, "INSERT INTO audit_meta (key, value) VALUES ('format', ?1), ('version', ?2)");
    meta.bind(1, kFormatName);
    meta.bind(2, QByteArray::number(kAuditSchemaVersion));
    if (meta.step() != SQLITE_DONE || !transaction.commit())
        return sqliteError(db, QStringLiteral("audit.unavailable"), QStringLiteral("%1: cannot create the schema").arg(path));
    return {};
}

} // namespace

Error sqliteError(sqlite3 *db, const QString &code, const QString &what)
{
    const int rc = db ? sqlite3_extended_errcode(db) : SQLITE_CANTOPEN;
    const QString detail = QString::fromUtf8(db ? sqlite3_errmsg(db) : "no database");
    return makeError(isDamage(rc) ? QStringLiteral("audit.corrupt") : code, QString(what + QStringLiteral(": ") + detail));
}

QByteArray zeroHash()
{
    return QByteArray(kHashSize, '\0');
}

AuditEntry readEntry(const Statement &row)
{
    AuditEntry entry;
    entry.seq = row.integer(0);
    entry.time = row.text(1);
    entry.kind = row.text(2);
    entry.actor = row.text(3);
    entry.subject = row.text(4);
    entry.payload = row.bytes(5);
    entry.prevHash = row.blob(6);
    entry.leafHash = row.blob(7);
    return entry;
}

Result<QList<AuditEntry>> readEntries(sqlite3 *db, Statement &statement, const QString &path)
{
    QList<AuditEntry> entries;
    int rc = SQLITE_ROW;
    while ((rc = statement.step()) == SQLITE_ROW)
        entries.append(readEntry(statement));
    if (rc != SQLITE_DONE)
        return sqliteError(db, QStringLiteral("audit.unavailable"), QStringLiteral("%1: cannot read entries").arg(path));
    return entries;
}

Result<std::unique_ptr<Database>> openDatabase(const QString &path, bool readOnly, int busyTimeoutMs)
{
    const QFileInfo info(path);
    if (readOnly && !info.exists())
        return makeError(QStringLiteral("audit.unavailable"), QStringLiteral("%1: no such file").arg(path));
    if (info.exists() && !info.isFile())
        return makeError(QStringLiteral("audit.unavailable"), QStringLiteral("%1: not a regular file").arg(path));
    if (info.exists() && !info.isReadable())
        return makeError(QStringLiteral("audit.unavailable"), QStringLiteral("%1: not readable").arg(path));

    auto database = std::make_unique<Database>();
    const QByteArray file = QFile::encodeName(path);
    const int flags = readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    if (sqlite3_open_v2(file.constData(), database->slot(), flags | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK)
        return sqliteError(database->handle(), QStringLiteral("audit.unavailable"), QStringLiteral("cannot open %1").arg(path));
    sqlite3 *db = database->handle();
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, busyTimeoutMs);
    if (!readOnly) {
        // The log says who approved what: readable by this user only (SQLite gives -wal and
        // -shm the same permissions).
        QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    }

    // The first read of the schema tells a SQLite file from anything else.
    qint64 tables = 0;
    {
        Statement count(db, "SELECT count(*) FROM sqlite_master");
        const int rc = count.step();
        if ((rc & 0xff) == SQLITE_NOTADB) {
            return makeError(QStringLiteral("audit.foreign_file"),
                             QStringLiteral("%1 is not a SQLite database, so not an audit log").arg(path));
        }
        if (rc != SQLITE_ROW)
            return sqliteError(db, QStringLiteral("audit.unavailable"), QStringLiteral("cannot read %1").arg(path));
        tables = count.integer(0);
    }
    if (!exec(db, "PRAGMA trusted_schema = OFF"))
        return sqliteError(db, QStringLiteral("audit.unavailable"), QStringLiteral("%1: cannot set pragmas").arg(path));
    if (!readOnly) {
        if (sqlite3_db_readonly(db, "main") == 1)
            return makeError(QStringLiteral("audit.unavailable"), QStringLiteral("%1 is read-only: nothing can be appended").arg(path));
        if (const QString failed = storage::makeDurable(db); !failed.isEmpty())
            return makeError(QStringLiteral("audit.unavailable"), QStringLiteral("%1: %2").arg(path, failed));
    }

    if (tables == 0) {
        if (readOnly) {
            return makeError(QStringLiteral("audit.foreign_file"),
                             QStringLiteral("%1 is an empty SQLite database, not an audit log").arg(path));
        }
        if (Status created = createSchema(db, path); !created)
            return created.error();
    }

    Statement format(db, "SELECT value FROM audit_meta WHERE key = 'format'");
    const int formatRc = format.step();
    if (formatRc != SQLITE_ROW || format.bytes(0) != kFormatName) {
        if (isDamage(formatRc))
            return sqliteError(db, QStringLiteral("audit.corrupt"), QStringLiteral("cannot read %1").arg(path));
        return makeError(QStringLiteral("audit.foreign_file"),
                         QStringLiteral("%1 is a SQLite database but not a Countersign audit log").arg(path));
    }
    Statement version(db, "SELECT value FROM audit_meta WHERE key = 'version'");
    if (version.step() != SQLITE_ROW)
        return makeError(QStringLiteral("audit.corrupt"), QStringLiteral("%1: the schema version is missing").arg(path));
    if (version.bytes(0) != QByteArray::number(kAuditSchemaVersion)) {
        return makeError(QStringLiteral("audit.unsupported_version"),
                         QStringLiteral("%1: schema version %2; this build reads version %3")
                             .arg(path, version.text(0).left(32))
                             .arg(kAuditSchemaVersion));
    }
    return database;
}

} // namespace countersign::audit::detail
