// AuditLog's state, shared by the files that implement it (core-internal: brings in <sqlite3.h>).
#pragma once

#include "core/audit/AuditDatabase.h"
#include "core/audit/AuditLog.h"

namespace countersign::audit {

struct AuditLog::Private
{
    QString path;
    bool readOnly = false;
    const Clock *clock = nullptr;
    std::unique_ptr<detail::Database> database;
    CompactTree tree;
    QByteArray lastHash;

    [[nodiscard]] sqlite3 *db() const { return database->handle(); }

    // Restores the tree from tree_state and checks it against the last entry.
    [[nodiscard]] Status loadTreeState();
};

} // namespace countersign::audit
