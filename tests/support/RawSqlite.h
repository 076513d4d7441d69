// Tests that prove a store's schema defends itself edit its file the way someone outside the
// store would: through a second, raw SQLite connection.
#pragma once

#include <QFile>
#include <QString>

#include <sqlite3.h>

namespace countersign::testsupport {

// Runs sql (one or more statements) on a second connection to the database at path; returns
// sqlite's (extended) result code.
inline int execRaw(const QString &path, const char *sql)
{
    sqlite3 *db = nullptr;
    int rc = sqlite3_open_v2(QFile::encodeName(path).constData(), &db, SQLITE_OPEN_READWRITE, nullptr);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
    sqlite3_close_v2(db);
    return rc;
}

} // namespace countersign::testsupport
