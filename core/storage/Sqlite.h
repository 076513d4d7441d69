// Small RAII helpers over the SQLite C API shared by the stores (gateway actions, audit log):
// a prepared statement that is finalized on every path and a write transaction that rolls back
// unless committed. Include only from implementation files: it brings in <sqlite3.h>.
#pragma once

#include <QByteArray>
#include <QString>
#include <QtGlobal>

#include <sqlite3.h>

namespace countersign::storage {

// One prepared statement; finalized on every path.
class Statement final
{
public:
    Statement(sqlite3 *db, const char *sql)
    {
        m_rc = sqlite3_prepare_v2(db, sql, -1, &m_stmt, nullptr);
    }
    ~Statement() { sqlite3_finalize(m_stmt); }
    Q_DISABLE_COPY_MOVE(Statement)

    void bind(int index, const QString &text) { bind(index, text.toUtf8()); }
    void bind(int index, const char *text) { bind(index, QByteArray(text)); }
    void bind(int index, const QByteArray &text)
    {
        keep(sqlite3_bind_text(m_stmt, index, text.constData(), static_cast<int>(text.size()),
                               SQLITE_TRANSIENT));
    }
    void bindBlob(int index, const QByteArray &data)
    {
        keep(sqlite3_bind_blob(m_stmt, index, data.constData(), static_cast<int>(data.size()),
                               SQLITE_TRANSIENT));
    }
    void bind(int index, qint64 value) { keep(sqlite3_bind_int64(m_stmt, index, value)); }
    void bind(int index, int value) { keep(sqlite3_bind_int64(m_stmt, index, value)); }

    // SQLITE_ROW, SQLITE_DONE or an error code (a failed prepare or bind is reported here).
    int step()
    {
        if (m_rc != SQLITE_OK)
            return m_rc;
        return sqlite3_step(m_stmt);
    }
    // Makes the statement runnable again with new bindings.
    void reset()
    {
        sqlite3_reset(m_stmt);
        sqlite3_clear_bindings(m_stmt);
    }

    [[nodiscard]] QByteArray bytes(int column) const
    {
        const auto *data = reinterpret_cast<const char *>(sqlite3_column_text(m_stmt, column));
        return data ? QByteArray(data, sqlite3_column_bytes(m_stmt, column)) : QByteArray();
    }
    [[nodiscard]] QByteArray blob(int column) const
    {
        const auto *data = static_cast<const char *>(sqlite3_column_blob(m_stmt, column));
        return data ? QByteArray(data, sqlite3_column_bytes(m_stmt, column)) : QByteArray();
    }
    [[nodiscard]] QString text(int column) const { return QString::fromUtf8(bytes(column)); }
    [[nodiscard]] qint64 integer(int column) const { return sqlite3_column_int64(m_stmt, column); }
    [[nodiscard]] int type(int column) const { return sqlite3_column_type(m_stmt, column); }
    // sqlite3_stmt_status: SQLITE_STMTSTATUS_VM_STEP, _FULLSCAN_STEP, _SORT, ...
    [[nodiscard]] int status(int counter) const { return sqlite3_stmt_status(m_stmt, counter, 0); }

private:
    void keep(int rc)
    {
        if (m_rc == SQLITE_OK)
            m_rc = rc;
    }

    sqlite3_stmt *m_stmt = nullptr;
    int m_rc = SQLITE_OK;
};

inline bool exec(sqlite3 *db, const char *sql)
{
    return sqlite3_exec(db, sql, nullptr, nullptr, nullptr) == SQLITE_OK;
}

// BEGIN IMMEDIATE takes the write lock up front, so a busy database fails here rather than
// halfway through; anything not committed is rolled back when this goes out of scope.
class Transaction final
{
public:
    explicit Transaction(sqlite3 *db) : m_db(db), m_begun(exec(db, "BEGIN IMMEDIATE")) {}
    ~Transaction()
    {
        if (m_begun && !m_committed)
            exec(m_db, "ROLLBACK");
    }
    Q_DISABLE_COPY_MOVE(Transaction)

    [[nodiscard]] bool begun() const { return m_begun; }
    [[nodiscard]] bool commit()
    {
        m_committed = exec(m_db, "COMMIT");
        return m_committed;
    }

private:
    sqlite3 *m_db;
    bool m_begun = false;
    bool m_committed = false;
};

// Asks for WAL and synchronous=FULL and checks that both took effect (some file systems cannot
// do WAL; a committed entry must survive a power cut), and stops the schema from running
// functions a hostile file defines. Returns what failed, or an empty string.
inline QString makeDurable(sqlite3 *db)
{
    {
        Statement journal(db, "PRAGMA journal_mode = WAL");
        if (journal.step() != SQLITE_ROW)
            return QStringLiteral("cannot set journal_mode: %1").arg(QString::fromUtf8(sqlite3_errmsg(db)));
        if (journal.text(0).compare(QLatin1String("wal"), Qt::CaseInsensitive) != 0)
            return QStringLiteral("journal_mode is %1, not wal").arg(journal.text(0));
    }
    if (!exec(db, "PRAGMA synchronous = FULL") || !exec(db, "PRAGMA trusted_schema = OFF"))
        return QStringLiteral("cannot set pragmas: %1").arg(QString::fromUtf8(sqlite3_errmsg(db)));
    Statement synchronous(db, "PRAGMA synchronous");
    if (synchronous.step() != SQLITE_ROW || synchronous.integer(0) != 2)
        return QStringLiteral("synchronous is not FULL");
    return {};
}

} // namespace countersign::storage
