// AuditLog's state, shared by the files that implement it (core-internal: brings in <sqlite3.h>).
#pragma once

#include "core/audit/AuditDatabase.h"
#include "core/audit/AuditLog.h"

#include <array>
#include <memory>

#include <QHash>

namespace countersign::audit {

struct AuditLog::Private
{
    QString path;
    bool readOnly = false;
    const Clock *clock = nullptr;
    std::unique_ptr<detail::Database> database;
    CompactTree tree;
    QByteArray lastHash;
    QString lastTime; // of the last entry; empty when the log is empty
    // index_terms ids already committed, per field (TermField - 1): value → id.
    std::array<QHash<QString, qint64>, detail::kTermFields> terms;
    // The append path's and the indexer's statements, prepared at first use and kept across
    // transactions (declared after `database`, so finalized before it closes). Dropped after a
    // failed write so that a sticky bind error cannot outlive it.
    struct AppendStatements;
    std::unique_ptr<AppendStatements> appendStatements;
    struct IndexStatements;
    std::unique_ptr<IndexStatements> indexStatements;

    [[nodiscard]] sqlite3 *db() const { return database->handle(); }

    // Restores the tree from tree_state and checks it against the last entry.
    [[nodiscard]] Status loadTreeState();
};

struct AuditLog::Private::AppendStatements
{
    explicit AppendStatements(sqlite3 *db)
        : entry(db, "INSERT INTO entries (seq, time, kind, actor, subject, payload, prev_hash, entry_hash) "
                    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"),
          state(db, "UPDATE tree_state SET size = ?1, frontier = ?2, last_hash = ?3 WHERE id = 1")
    {
    }
    storage::Statement entry;
    storage::Statement state;
};

struct AuditLog::Private::IndexStatements
{
    explicit IndexStatements(sqlite3 *db)
        : indexed(db, "SELECT COALESCE(MAX(seq), 0) FROM entry_index"),
          unindexed(db, "SELECT seq, time, kind, actor, subject, payload FROM entries WHERE seq > ?1 ORDER BY seq LIMIT ?2"),
          index(db, "INSERT INTO entry_index (seq, time, kind, action_id, agent, user, reviewer, tool, outcome, flagged) "
                    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"),
          text(db, "INSERT INTO entry_text (rowid, text) VALUES (?1, ?2)"),
          submission(db, "SELECT ta.value, tu.value, tt.value, i.flagged FROM entry_index i "
                         "LEFT JOIN index_terms ta ON ta.id = i.agent LEFT JOIN index_terms tu ON tu.id = i.user "
                         "LEFT JOIN index_terms tt ON tt.id = i.tool "
                         "WHERE i.action_id = ?1 AND i.kind = 'submission.accepted' ORDER BY i.seq LIMIT 1"),
          findTerm(db, "SELECT id FROM index_terms WHERE field = ?1 AND value = ?2"),
          insertTerm(db, "INSERT INTO index_terms (field, value) VALUES (?1, ?2)")
    {
    }
    storage::Statement indexed;
    storage::Statement unindexed;
    storage::Statement index;
    storage::Statement text;
    storage::Statement submission;
    storage::Statement findTerm;
    storage::Statement insertTerm;
};

} // namespace countersign::audit
