// AuditLog's state, shared by the files that implement it (core-internal: brings in <sqlite3.h>).
#pragma once

#include "core/audit/AuditDatabase.h"
#include "core/audit/AuditLog.h"

#include <array>

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

    [[nodiscard]] sqlite3 *db() const { return database->handle(); }

    // Restores the tree from tree_state and checks it against the last entry.
    [[nodiscard]] Status loadTreeState();
};

} // namespace countersign::audit
