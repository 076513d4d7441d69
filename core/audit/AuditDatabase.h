// The audit log's SQLite file, shared by the log and its verifier (core-internal: brings in
// <sqlite3.h>): the schema, opening with the foreign-file and version checks, and reading rows.
#pragma once

#include "core/Result.h"
#include "core/audit/AuditLog.h"
#include "core/storage/Sqlite.h"

#include <memory>

#include <QString>

namespace countersign::audit::detail {

// The value of audit_meta 'format' that marks a file as a Countersign audit log.
inline constexpr char kFormatName[] = "countersign-audit-log";

// The triggers that make the schema append-only; the verifier checks that each is present.
inline constexpr const char *kTriggerNames[] = {
    "entries_no_update", "entries_no_delete", "entries_in_order",
    "checkpoints_no_update", "checkpoints_no_delete", "audit_meta_no_update", "audit_meta_no_delete",
};

// index_terms.field: what an id in entry_index's agent, user, reviewer, tool and outcome names.
enum class TermField : int { Agent = 1, User = 2, Reviewer = 3, Tool = 4, Outcome = 5 };
inline constexpr int kTermFields = 5;

// The columns every entry query selects, in AuditEntry order.
inline constexpr char kEntryColumns[] = "seq, time, kind, actor, subject, payload, prev_hash, entry_hash";

class Database final
{
public:
    Database() = default;
    ~Database() { sqlite3_close_v2(m_db); }
    Q_DISABLE_COPY_MOVE(Database)

    [[nodiscard]] sqlite3 *handle() const { return m_db; }
    [[nodiscard]] sqlite3 **slot() { return &m_db; }

private:
    sqlite3 *m_db = nullptr;
};

// Opens path. readOnly never creates or writes (and does not need WAL to be settable); otherwise
// a new or empty file gets the schema. Errors: audit.unavailable, audit.foreign_file,
// audit.unsupported_version, audit.corrupt (the file is damaged).
[[nodiscard]] Result<std::unique_ptr<Database>> openDatabase(const QString &path, bool readOnly, int busyTimeoutMs);

// The error for a failed SQLite call: audit.corrupt for a damaged file, else code.
[[nodiscard]] Error sqliteError(sqlite3 *db, const QString &code, const QString &what);

// The row a statement selecting kEntryColumns is on.
[[nodiscard]] AuditEntry readEntry(const storage::Statement &row);
// Every row a statement selecting kEntryColumns gives, in order; "audit.unavailable" naming path
// if a step fails.
[[nodiscard]] Result<QList<AuditEntry>> readEntries(sqlite3 *db, storage::Statement &statement, const QString &path);

[[nodiscard]] QByteArray zeroHash();

} // namespace countersign::audit::detail
