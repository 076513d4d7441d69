// What the audit browser asks of a log: filtered, searched pages of entries, newest first, read
// from the browse index (AuditIndex.h) by keyset paging on seq, and the values its filter lists
// offer. The index only selects and orders; what is shown as the record is read from the entries.
#pragma once

#include "core/Result.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace countersign::audit {

inline constexpr int kMaxDistinctValues = 1000;   // per filter list
inline constexpr qsizetype kMaxSearchChars = 512; // the search box
inline constexpr int kMaxSearchTerms = 16;

struct BrowseFilter
{
    QString since;          // inclusive, RFC 3339 UTC as the log writes it ("" = none)
    QString until;          // exclusive
    QString agent;          // exact identities and names ("" = any)
    QString user;
    QString reviewer;
    QString tool;           // "tool.operation"
    QString actionId;       // every entry about one action
    QStringList outcomes;   // outcome::* names (AuditIndex.h), any of them; empty = any
    bool judgeFlagged = false; // only entries about an action a Judge flagged
    // Words and "quoted phrases" that must all occur (a word ending in * is a prefix). Never
    // FTS5 syntax: every term is quoted, so AND, NEAR, column filters and the like are words.
    QString text;

    [[nodiscard]] bool isEmpty() const { return *this == BrowseFilter{}; }
    friend bool operator==(const BrowseFilter &, const BrowseFilter &) = default;
};

// One row of the browser's list: thin, formatted by the view.
struct BrowseRow
{
    qint64 seq = 0;
    QString time;     // UTC RFC 3339 with milliseconds, as recorded
    QString kind;
    QString actor;
    QString subject;
    QString actionId;
    QString agent;
    QString user;
    QString reviewer;
    QString tool;
    QString outcome;
    bool flagged = false;

    friend bool operator==(const BrowseRow &, const BrowseRow &) = default;
};

// The filter lists: the distinct values the index holds.
enum class BrowseField { Agent, User, Reviewer, Tool };

// The FTS5 query for search-box text: each word or phrase quoted (inner quotes doubled), joined
// so all must match; a bare word ending in '*' becomes a prefix query. Empty for text with no
// terms. Error "audit.invalid_search" naming the limit for text over kMaxSearchChars or with
// more than kMaxSearchTerms terms.
[[nodiscard]] Result<QString> searchQuery(const QString &text);

// Error "audit.invalid_query" naming the field unless since/until are RFC 3339 times (normalized
// to the log's form here: use the returned filter) and every outcome is a known name.
[[nodiscard]] Result<BrowseFilter> normalizedFilter(const BrowseFilter &filter);

} // namespace countersign::audit
