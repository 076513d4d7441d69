// The audit browser's queries over the browse index: SQL assembled from fixed fragments for the
// filters that are set (values are always bound), so SQLite can pick the one index that walks a
// filter newest first; several outcomes are one walk each, merged (UNION ALL ... ORDER BY seq).
#include "core/audit/AuditQuery.h"

#include "core/audit/AuditIndex.h"
#include "core/audit/AuditLog.h"
#include "core/audit/AuditLogPrivate.h"
#include "core/json/FieldReader.h"

#include <limits>
#include <tuple>
#include <variant>

namespace countersign::audit {

using detail::TermField;
using storage::Statement;

namespace {

using Value = std::variant<qint64, QString>;

struct Query
{
    QByteArray sql;
    QList<Value> values;

    QByteArray bindValue(Value value)
    {
        values.append(std::move(value));
        return QByteArray("?") + QByteArray::number(values.size());
    }

    void bindAll(Statement &statement) const
    {
        for (qsizetype i = 0; i < values.size(); ++i) {
            const int index = static_cast<int>(i + 1);
            if (const auto *number = std::get_if<qint64>(&values.at(i)))
                statement.bind(index, *number);
            else
                statement.bind(index, std::get<QString>(values.at(i)));
        }
    }
};

enum class Order { NewestFirst, OldestFirst };
enum class Columns { Row, Entry };

Error invalidQuery(const QString &message)
{
    return makeError(QStringLiteral("audit.invalid_query"), message);
}

// filter must be normalized.
Result<Query> buildQuery(const BrowseFilter &filter, qint64 cursor, int limit, Order order, Columns columns)
{
    const Result<QString> search = searchQuery(filter.text);
    if (!search)
        return search.error();
    const bool text = !search.value().isEmpty();
    Query query;
    // The walk is on seq, or on the full-text index's rowid (which is the seq) when searching,
    // so that the full-text index delivers the matches in order.
    const QByteArray key = text ? "f.rowid" : "i.seq";
    const QByteArray select = QByteArray(key)
        + (columns == Columns::Row ? " AS seq, i.time, i.kind, e.actor, e.subject, i.action_id, t1.value, t2.value, t3.value, "
                                     "t4.value, t5.value, i.flagged"
                                   : " AS seq, e.time, e.kind, e.actor, e.subject, e.payload, e.prev_hash, e.entry_hash");
    QByteArray from = text ? "entry_text f CROSS JOIN entry_index i ON i.seq = f.rowid CROSS JOIN entries e ON e.seq = i.seq"
                           : "entry_index i CROSS JOIN entries e ON e.seq = i.seq";
    if (columns == Columns::Row) {
        from += " LEFT JOIN index_terms t1 ON t1.id = i.agent LEFT JOIN index_terms t2 ON t2.id = i.user"
                " LEFT JOIN index_terms t3 ON t3.id = i.reviewer LEFT JOIN index_terms t4 ON t4.id = i.tool"
                " LEFT JOIN index_terms t5 ON t5.id = i.outcome";
    }
    // A value is matched by its term id (one lookup); a value never indexed matches nothing.
    const auto term = [&query](TermField field, const QString &value) -> QByteArray {
        return "(SELECT id FROM index_terms WHERE field = " + QByteArray::number(static_cast<int>(field))
            + " AND value = " + query.bindValue(value) + ")";
    };
    QList<QByteArray> conditions;
    if (text)
        conditions.append("f.entry_text MATCH " + query.bindValue(search.value()));
    // The walk's bounds on seq: the page cursor and, since times never decrease with seq, the
    // first entry at or after since and the last one before until (each found by one seek of
    // entry_index_time). One expression per side: given two, SQLite bounds the walk by one of
    // them and filters by the other, so a range far back would be reached by walking from the
    // newest entry. NULL (no entry in range) makes the bound, and so the page, empty.
    QByteArray lower; // exclusive
    QByteArray upper; // exclusive
    (order == Order::NewestFirst ? upper : lower) = query.bindValue(cursor);
    if (!filter.since.isEmpty()) {
        const QByteArray since = query.bindValue(filter.since);
        const QByteArray first = "((SELECT seq FROM entry_index WHERE time >= " + since + " ORDER BY time, seq LIMIT 1) - 1)";
        lower = lower.isEmpty() ? first : QByteArray("max(" + lower + ", " + first + ")");
        conditions.append("i.time >= " + since);
    }
    if (!filter.until.isEmpty()) {
        const QByteArray until = query.bindValue(filter.until);
        const QByteArray last = "((SELECT seq FROM entry_index WHERE time < " + until + " ORDER BY time DESC, seq DESC LIMIT 1) + 1)";
        upper = upper.isEmpty() ? last : QByteArray("min(" + upper + ", " + last + ")");
        conditions.append("i.time < " + until);
    }
    if (!lower.isEmpty())
        conditions.append(key + " > " + lower);
    if (!upper.isEmpty())
        conditions.append(key + " < " + upper);
    const std::tuple<const char *, TermField, const QString *> equalities[] = {
        {"i.agent", TermField::Agent, &filter.agent},
        {"i.user", TermField::User, &filter.user},
        {"i.reviewer", TermField::Reviewer, &filter.reviewer},
        {"i.tool", TermField::Tool, &filter.tool},
    };
    for (const auto &[column, field, value] : equalities) {
        if (!value->isEmpty())
            conditions.append(QByteArray(column) + " = " + term(field, *value));
    }
    if (!filter.actionId.isEmpty())
        conditions.append("i.action_id = " + query.bindValue(filter.actionId));
    if (filter.judgeFlagged)
        conditions.append("i.flagged = 1");

    QByteArray where;
    for (const QByteArray &condition : std::as_const(conditions))
        where += (where.isEmpty() ? " WHERE " : " AND ") + condition;
    const QByteArray arm = "SELECT " + select + " FROM " + from + where;
    if (filter.outcomes.isEmpty()) {
        query.sql = arm;
    } else {
        for (const QString &name : filter.outcomes) {
            if (!query.sql.isEmpty())
                query.sql += " UNION ALL ";
            query.sql += arm + " AND i.outcome = " + term(TermField::Outcome, name);
        }
    }
    query.sql += order == Order::NewestFirst ? " ORDER BY 1 DESC" : " ORDER BY 1 ASC";
    query.sql += " LIMIT " + query.bindValue(qint64{limit});
    return query;
}

Status checkLimit(int limit, int most)
{
    if (limit < 1 || limit > most)
        return invalidQuery(QStringLiteral("page size must be 1 to %1").arg(most));
    return {};
}

TermField termField(BrowseField field)
{
    switch (field) {
    case BrowseField::Agent:
        return TermField::Agent;
    case BrowseField::User:
        return TermField::User;
    case BrowseField::Reviewer:
        return TermField::Reviewer;
    case BrowseField::Tool:
        return TermField::Tool;
    }
    return TermField::Agent;
}

QString optionalText(const Statement &row, int column)
{
    return row.type(column) == SQLITE_NULL ? QString() : row.text(column);
}

} // namespace

Result<QString> searchQuery(const QString &text)
{
    if (text.size() > kMaxSearchChars)
        return makeError(QStringLiteral("audit.invalid_search"),
                         QStringLiteral("the search is %1 characters; the limit is %2").arg(text.size()).arg(kMaxSearchChars));
    QStringList terms;
    qsizetype at = 0;
    while (at < text.size()) {
        if (text.at(at).isSpace()) {
            ++at;
            continue;
        }
        QString term;
        bool prefix = false;
        if (text.at(at) == QLatin1Char('"')) {
            const qsizetype close = text.indexOf(QLatin1Char('"'), at + 1);
            const qsizetype end = close < 0 ? text.size() : close;
            term = text.mid(at + 1, end - at - 1);
            at = end + 1;
        } else {
            qsizetype end = at;
            while (end < text.size() && !text.at(end).isSpace() && text.at(end) != QLatin1Char('"'))
                ++end;
            term = text.mid(at, end - at);
            at = end;
            if (term.size() > 1 && term.endsWith(QLatin1Char('*'))) {
                term.chop(1);
                prefix = true;
            }
        }
        if (term.trimmed().isEmpty())
            continue;
        if (terms.size() == kMaxSearchTerms) {
            return makeError(QStringLiteral("audit.invalid_search"),
                             QStringLiteral("the search has more than %1 words or phrases").arg(kMaxSearchTerms));
        }
        term.replace(QLatin1Char('"'), QStringLiteral("\"\""));
        terms.append(QString(QLatin1Char('"') + term + QLatin1Char('"') + (prefix ? QStringLiteral("*") : QString())));
    }
    return terms.join(QLatin1Char(' '));
}

Result<BrowseFilter> normalizedFilter(const BrowseFilter &filter)
{
    BrowseFilter normal = filter;
    for (QString *time : {&normal.since, &normal.until}) {
        if (time->isEmpty())
            continue;
        const std::optional<QDateTime> parsed = json::parseTimestamp(*time);
        if (!parsed) {
            return invalidQuery(QStringLiteral("%1 is not an RFC 3339 UTC time (like 2026-03-01T09:00:00Z)")
                                    .arg(time == &normal.since ? QStringLiteral("since") : QStringLiteral("until")));
        }
        *time = json::formatTimestamp(*parsed);
    }
    const QStringList known = outcomeNames();
    for (const QString &name : std::as_const(normal.outcomes)) {
        if (!known.contains(name))
            return invalidQuery(QStringLiteral("outcomes: unknown outcome \"%1\"").arg(name.left(64)));
    }
    normal.outcomes.removeDuplicates();
    for (const QString *value : {&normal.agent, &normal.user, &normal.reviewer, &normal.tool, &normal.actionId}) {
        if (value->toUtf8().size() > kMaxFieldBytes)
            return invalidQuery(QStringLiteral("a filter value is over %1 bytes").arg(kMaxFieldBytes));
    }
    return normal;
}

namespace {

// The query of one page, after the checks every page query makes (limit, filter).
Result<Query> pageQuery(const BrowseFilter &filter, qint64 cursor, int limit, Order order, Columns columns)
{
    if (Status ok = checkLimit(limit, kMaxPageSize); !ok)
        return ok.error();
    const Result<BrowseFilter> normal = normalizedFilter(filter);
    if (!normal)
        return normal.error();
    return buildQuery(normal.value(), cursor, limit, order, columns);
}

// Newest first, a page starts below beforeSeq; 0 means from the newest entry.
qint64 newestFirstCursor(qint64 beforeSeq)
{
    return beforeSeq > 0 ? beforeSeq : std::numeric_limits<qint64>::max();
}

} // namespace

Result<QList<BrowseRow>> AuditLog::browse(qint64 beforeSeq, int limit, const BrowseFilter &filter) const
{
    const Result<Query> query = pageQuery(filter, newestFirstCursor(beforeSeq), limit, Order::NewestFirst, Columns::Row);
    if (!query)
        return query.error();
    Statement statement(d->db(), query.value().sql.constData());
    query.value().bindAll(statement);
    QList<BrowseRow> rows;
    int rc = SQLITE_ROW;
    while ((rc = statement.step()) == SQLITE_ROW) {
        BrowseRow row;
        row.seq = statement.integer(0);
        row.time = statement.text(1);
        row.kind = statement.text(2);
        row.actor = statement.text(3);
        row.subject = statement.text(4);
        row.actionId = optionalText(statement, 5);
        row.agent = optionalText(statement, 6);
        row.user = optionalText(statement, 7);
        row.reviewer = optionalText(statement, 8);
        row.tool = optionalText(statement, 9);
        row.outcome = optionalText(statement, 10);
        row.flagged = statement.integer(11) != 0;
        rows.append(std::move(row));
    }
    if (rc != SQLITE_DONE) {
        // The search text is quoted, so a query the full-text index refuses is still worth naming.
        const QString message = QString::fromUtf8(sqlite3_errmsg(d->db()));
        if (message.startsWith(QLatin1String("fts5:")))
            return makeError(QStringLiteral("audit.invalid_search"), QStringLiteral("the search cannot be run: %1").arg(message));
        return detail::sqliteError(d->db(), QStringLiteral("audit.unavailable"), QStringLiteral("%1: cannot browse").arg(d->path));
    }
    return rows;
}

Result<QList<AuditEntry>> AuditLog::matching(qint64 afterSeq, int limit, const BrowseFilter &filter) const
{
    const Result<Query> query = pageQuery(filter, std::max<qint64>(afterSeq, 0), limit, Order::OldestFirst, Columns::Entry);
    if (!query)
        return query.error();
    Statement statement(d->db(), query.value().sql.constData());
    query.value().bindAll(statement);
    return detail::readEntries(d->db(), statement, d->path);
}

Result<QStringList> AuditLog::browsePlan(const BrowseFilter &filter) const
{
    const Result<Query> query = pageQuery(filter, newestFirstCursor(0), 100, Order::NewestFirst, Columns::Row);
    if (!query)
        return query.error();
    Statement statement(d->db(), QByteArray("EXPLAIN QUERY PLAN " + query.value().sql).constData());
    query.value().bindAll(statement);
    QStringList plan;
    int rc = SQLITE_ROW;
    while ((rc = statement.step()) == SQLITE_ROW)
        plan.append(statement.text(3));
    if (rc != SQLITE_DONE)
        return detail::sqliteError(d->db(), QStringLiteral("audit.unavailable"), QStringLiteral("%1: cannot explain").arg(d->path));
    return plan;
}

Result<qint64> AuditLog::browseWork(qint64 beforeSeq, int limit, const BrowseFilter &filter) const
{
    const Result<Query> query = pageQuery(filter, newestFirstCursor(beforeSeq), limit, Order::NewestFirst, Columns::Row);
    if (!query)
        return query.error();
    Statement statement(d->db(), query.value().sql.constData());
    query.value().bindAll(statement);
    int rc = SQLITE_ROW;
    while ((rc = statement.step()) == SQLITE_ROW) {
    }
    if (rc != SQLITE_DONE)
        return detail::sqliteError(d->db(), QStringLiteral("audit.unavailable"), QStringLiteral("%1: cannot browse").arg(d->path));
    return qint64{statement.status(SQLITE_STMTSTATUS_VM_STEP)};
}

Result<QStringList> AuditLog::distinctValues(BrowseField field, int limit) const
{
    if (Status ok = checkLimit(limit, kMaxDistinctValues); !ok)
        return ok.error();
    // Every value ever indexed for the field, from the terms table's own index.
    const char *sql = "SELECT value FROM index_terms WHERE field = ?1 ORDER BY value LIMIT ?2";
    Statement statement(d->db(), sql);
    statement.bind(1, static_cast<int>(termField(field)));
    statement.bind(2, limit);
    QStringList values;
    int rc = SQLITE_ROW;
    while ((rc = statement.step()) == SQLITE_ROW)
        values.append(statement.text(0));
    if (rc != SQLITE_DONE)
        return detail::sqliteError(d->db(), QStringLiteral("audit.unavailable"), QStringLiteral("%1: cannot list values").arg(d->path));
    return values;
}

Result<AuditEntry> AuditLog::submissionOf(const QString &actionId) const
{
    Statement statement(d->db(), "SELECT e.seq, e.time, e.kind, e.actor, e.subject, e.payload, e.prev_hash, e.entry_hash "
                                 "FROM entry_index i CROSS JOIN entries e ON e.seq = i.seq "
                                 "WHERE i.action_id = ?1 AND i.kind = 'submission.accepted' ORDER BY i.seq LIMIT 1");
    statement.bind(1, actionId);
    const int rc = statement.step();
    if (rc == SQLITE_ROW)
        return detail::readEntry(statement);
    if (rc == SQLITE_DONE)
        return makeError(QStringLiteral("audit.not_found"), QStringLiteral("the log has no submission of action %1").arg(actionId.left(128)));
    return detail::sqliteError(d->db(), QStringLiteral("audit.unavailable"), QStringLiteral("%1: cannot read entries").arg(d->path));
}

Result<QList<AuditEntry>> AuditLog::controlChanges(qint64 afterSeq) const
{
    Statement statement(d->db(), "SELECT seq, time, kind, actor, subject, payload, prev_hash, entry_hash FROM entries "
                                 "WHERE kind = 'control.change' AND seq > ?1 ORDER BY seq LIMIT ?2");
    statement.bind(1, afterSeq);
    statement.bind(2, kMaxPageSize);
    return detail::readEntries(d->db(), statement, d->path);
}

} // namespace countersign::audit
