// The append-only audit log over SQLite: validated, hash-chained appends that commit the entry
// and the Merkle frontier in one durable transaction, keyset-paged reads, and signed checkpoints.
#include "core/audit/AuditLog.h"

#include "core/audit/AuditIndex.h"
#include "core/audit/AuditLogPrivate.h"
#include "core/json/FieldReader.h"
#include "core/json/Json.h"

#include <optional>

#include <QJsonArray>
#include <QJsonValue>
#include <QRegularExpression>

namespace countersign::audit {

using storage::Statement;
using storage::Transaction;

namespace {

QByteArray canonicalString(const QString &text)
{
    return json::canonicalize(QJsonValue(text));
}

Error invalid(const QString &message)
{
    return makeError(QStringLiteral("audit.invalid_entry"), message);
}

// Identities and ids are written by the gateway, but the log refuses anything that would print
// as something else: control and format characters (bidi overrides, zero-width), over-long text.
Status checkField(const char *name, const QString &value, bool required)
{
    if (required && value.isEmpty())
        return invalid(QStringLiteral("%1 is empty").arg(QLatin1String(name)));
    if (value.toUtf8().size() > kMaxFieldBytes) {
        return invalid(QStringLiteral("%1 is over %2 bytes of UTF-8").arg(QLatin1String(name)).arg(kMaxFieldBytes));
    }
    for (qsizetype i = 0; i < value.size(); ++i) {
        const QChar::Category category = value.at(i).category();
        if (category == QChar::Other_Control || category == QChar::Other_Format
            || category == QChar::Other_Surrogate || category == QChar::Separator_Line
            || category == QChar::Separator_Paragraph) {
            return invalid(QStringLiteral("%1 has a control or invisible character (U+%2) at index %3")
                               .arg(QLatin1String(name))
                               .arg(value.at(i).unicode(), 4, 16, QLatin1Char('0'))
                               .arg(i));
        }
    }
    return {};
}

using detail::TermField;

constexpr qsizetype kMaxCachedTerms = 100'000;

// Writes the browse index rows of entries, oldest first, in one transaction (see AuditIndex.h).
// Term ids it creates are kept apart until the transaction commits (commitTerms).
class IndexWriter final
{
public:
    // The statements are the log's own, prepared once (AuditLog::Private::IndexStatements).
    IndexWriter(sqlite3 *db, Statement &insert, Statement &text, Statement &submission, Statement &findTerm,
                Statement &insertTerm, std::array<QHash<QString, qint64>, detail::kTermFields> &committed)
        : m_committed(committed),
          m_insert(insert),
          m_text(text),
          m_submission(submission),
          m_findTerm(findTerm),
          m_insertTerm(insertTerm),
          m_db(db)
    {
    }
    Q_DISABLE_COPY_MOVE(IndexWriter)

    [[nodiscard]] bool write(const AuditEntry &entry, const QJsonObject &payload)
    {
        std::optional<IndexFields> submission;
        if (entry.kind != QLatin1String("submission.accepted") && !entry.subject.isEmpty()
            && (entry.kind.startsWith(QLatin1String("decision.")) || entry.kind.startsWith(QLatin1String("action."))
                || entry.kind.startsWith(QLatin1String("submission.")))) {
            submission = lookup(entry.subject);
        }
        const IndexFields fields =
            deriveIndexFields(entry.kind, entry.actor, entry.subject, payload, submission ? &*submission : nullptr);
        m_insert.reset();
        m_insert.bind(1, entry.seq);
        m_insert.bind(2, entry.time);
        m_insert.bind(3, entry.kind);
        if (!fields.actionId.isEmpty()) // unbound parameters are NULL
            m_insert.bind(4, fields.actionId);
        const std::pair<TermField, const QString *> terms[] = {
            {TermField::Agent, &fields.agent}, {TermField::User, &fields.user}, {TermField::Reviewer, &fields.reviewer},
            {TermField::Tool, &fields.tool},   {TermField::Outcome, &fields.outcome},
        };
        int column = 5;
        for (const auto &[field, value] : terms) {
            if (!value->isEmpty()) {
                const std::optional<qint64> id = termId(field, *value);
                if (!id)
                    return false;
                m_insert.bind(column, *id);
            }
            ++column;
        }
        m_insert.bind(10, fields.flagged ? 1 : 0);
        if (m_insert.step() != SQLITE_DONE)
            return false;
        if (!fields.searchText.isEmpty())
            m_texts.append({entry.seq, fields.searchText});
        return true;
    }

    // The full-text rows, after every other write of the transaction: FTS5 (SQLite 3.40) writes
    // what it holds in memory to disk whenever a later statement opens a savepoint, which would
    // make a tiny index segment per entry.
    [[nodiscard]] bool writeText()
    {
        for (const auto &[seq, text] : std::as_const(m_texts)) {
            m_text.reset();
            m_text.bind(1, seq);
            m_text.bind(2, text);
            if (m_text.step() != SQLITE_DONE)
                return false;
        }
        return true;
    }

    // After the commit: the ids this transaction created exist now.
    void commitTerms()
    {
        for (int i = 0; i < detail::kTermFields; ++i) {
            if (m_committed[i].size() + m_pending[i].size() > kMaxCachedTerms)
                m_committed[i].clear();
            m_committed[i].insert(m_pending[i]);
        }
    }

private:
    std::optional<qint64> termId(TermField field, const QString &value)
    {
        const int slot = static_cast<int>(field) - 1;
        if (const auto found = m_committed[slot].constFind(value); found != m_committed[slot].constEnd())
            return *found;
        if (const auto found = m_pending[slot].constFind(value); found != m_pending[slot].constEnd())
            return *found;
        m_findTerm.reset();
        m_findTerm.bind(1, static_cast<int>(field));
        m_findTerm.bind(2, value);
        qint64 id = 0;
        const int rc = m_findTerm.step();
        if (rc == SQLITE_ROW) {
            id = m_findTerm.integer(0);
            m_findTerm.reset();
        } else if (rc == SQLITE_DONE) {
            m_insertTerm.reset();
            m_insertTerm.bind(1, static_cast<int>(field));
            m_insertTerm.bind(2, value);
            if (m_insertTerm.step() != SQLITE_DONE)
                return std::nullopt;
            id = sqlite3_last_insert_rowid(m_db);
        } else {
            return std::nullopt;
        }
        m_pending[slot].insert(value, id);
        return id;
    }

    std::optional<IndexFields> lookup(const QString &actionId)
    {
        m_submission.reset();
        m_submission.bind(1, actionId);
        if (m_submission.step() != SQLITE_ROW)
            return std::nullopt;
        IndexFields found;
        found.agent = m_submission.text(0);
        found.user = m_submission.text(1);
        found.tool = m_submission.text(2);
        found.flagged = m_submission.integer(3) != 0;
        // A statement left on a row keeps a read transaction open past the commit, which would
        // stop the WAL from being checkpointed.
        m_submission.reset();
        return found;
    }

    std::array<QHash<QString, qint64>, detail::kTermFields> &m_committed;
    std::array<QHash<QString, qint64>, detail::kTermFields> m_pending;
    QList<std::pair<qint64, QString>> m_texts;
    Statement &m_insert;
    Statement &m_text;
    Statement &m_submission;
    Statement &m_findTerm;
    Statement &m_insertTerm;
    sqlite3 *m_db;
};

// Drops prepared statements unless the transaction they served committed: a Statement keeps the
// first bind error it sees, so the next write prepares them afresh.
template<typename Statements>
struct DropOnFailure
{
    std::unique_ptr<Statements> &statements;
    bool committed = false;
    ~DropOnFailure()
    {
        if (!committed)
            statements.reset();
    }
};

QByteArray frontierBlob(const QList<QByteArray> &frontier)
{
    QByteArray blob;
    for (const QByteArray &hash : frontier)
        blob.append(hash);
    return blob;
}

} // namespace

QByteArray leafBytes(qint64 seq, const QString &time, const QString &kind, const QString &actor,
                     const QString &subject, const QByteArray &payload, const QByteArray &prevHash)
{
    // Members in RFC 8785 order (UTF-16 code units): actor, kind, payload, prevHash, seq,
    // subject, time.
    QByteArray out;
    out.reserve(payload.size() + 256);
    out.append("{\"actor\":").append(canonicalString(actor));
    out.append(",\"kind\":").append(canonicalString(kind));
    out.append(",\"payload\":").append(payload);
    out.append(",\"prevHash\":\"").append(prevHash.toHex()).append('"');
    out.append(",\"seq\":").append(QByteArray::number(seq));
    out.append(",\"subject\":").append(canonicalString(subject));
    out.append(",\"time\":").append(canonicalString(time));
    out.append('}');
    return out;
}

QByteArray leafBytes(const AuditEntry &entry)
{
    return leafBytes(entry.seq, entry.time, entry.kind, entry.actor, entry.subject, entry.payload, entry.prevHash);
}

namespace {

// The rules of validateEntry for the payload's canonical form, which the caller has made.
Status validateEntry(const NewEntry &entry, const QByteArray &canonicalPayload)
{
    static const QRegularExpression kindPattern(QStringLiteral("^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+$"));
    if (entry.kind.size() > 64 || !kindPattern.match(entry.kind).hasMatch())
        return invalid(QStringLiteral("kind must be dotted lowercase words of at most 64 characters"));
    if (Status status = checkField("actor", entry.actor, true); !status)
        return status;
    if (Status status = checkField("subject", entry.subject, false); !status)
        return status;
    const qsizetype payloadBytes = canonicalPayload.size();
    if (payloadBytes > kMaxPayloadBytes) {
        return invalid(QStringLiteral("payload is %1 bytes of canonical JSON, over the limit of %2")
                           .arg(payloadBytes)
                           .arg(kMaxPayloadBytes));
    }
    return {};
}

} // namespace

Status validateEntry(const NewEntry &entry)
{
    return validateEntry(entry, json::canonicalize(entry.payload));
}

Status AuditLog::Private::loadTreeState()
{
    Statement state(db(), "SELECT size, frontier, last_hash FROM tree_state WHERE id = 1");
    if (state.step() != SQLITE_ROW)
        return detail::sqliteError(db(), QStringLiteral("audit.corrupt"), QStringLiteral("%1: no tree state").arg(path));
    const qint64 size = state.integer(0);
    const QByteArray blob = state.blob(1);
    if (blob.size() % kHashSize != 0)
        return makeError(QStringLiteral("audit.corrupt"), QStringLiteral("%1: the stored frontier is not whole hashes").arg(path));
    QList<QByteArray> frontier;
    for (qsizetype at = 0; at < blob.size(); at += kHashSize)
        frontier.append(blob.mid(at, kHashSize));
    Result<CompactTree> restored = CompactTree::fromFrontier(size, frontier);
    if (!restored)
        return makeError(QStringLiteral("audit.corrupt"), QStringLiteral("%1: %2").arg(path, restored.error().message));

    // The cached state must describe the last stored entry, or the next append would chain
    // to something that is not there.
    Statement last(db(), "SELECT seq, entry_hash, time FROM entries ORDER BY seq DESC LIMIT 1");
    const int rc = last.step();
    const qint64 lastSeq = rc == SQLITE_ROW ? last.integer(0) : 0;
    const QByteArray lastEntryHash = rc == SQLITE_ROW ? last.blob(1) : detail::zeroHash();
    lastTime = rc == SQLITE_ROW ? last.text(2) : QString();
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return detail::sqliteError(db(), QStringLiteral("audit.unavailable"), QStringLiteral("cannot read %1").arg(path));
    if (lastSeq != size || lastEntryHash != state.blob(2)) {
        return makeError(QStringLiteral("audit.corrupt"),
                         QStringLiteral("%1: the tree state records %2 entries but the last entry is seq %3; "
                                        "run countersign-audit verify")
                             .arg(path)
                             .arg(size)
                             .arg(lastSeq));
    }
    tree = std::move(restored).value();
    lastHash = lastEntryHash;
    return {};
}

Result<std::unique_ptr<AuditLog>> AuditLog::open(const QString &path, const Options &options)
{
    auto d = std::make_unique<Private>();
    d->path = path;
    d->readOnly = options.readOnly;
    d->clock = options.clock ? options.clock : &SystemClock::instance();
    Result<std::unique_ptr<detail::Database>> database = detail::openDatabase(path, options.readOnly, options.busyTimeoutMs);
    if (!database)
        return database.error();
    d->database = std::move(database).value();
    if (options.maxPageCount > 0) {
        const QByteArray pragma = QByteArray("PRAGMA max_page_count = ") + QByteArray::number(options.maxPageCount);
        if (!storage::exec(d->db(), pragma.constData()))
            return detail::sqliteError(d->db(), QStringLiteral("audit.unavailable"), QStringLiteral("%1: cannot set max_page_count").arg(path));
    }
    if (Status loaded = d->loadTreeState(); !loaded)
        return loaded.error();
    return std::unique_ptr<AuditLog>(new AuditLog(std::move(d)));
}

AuditLog::AuditLog(std::unique_ptr<Private> impl) : d(std::move(impl)) {}
AuditLog::~AuditLog() = default;

const QString &AuditLog::path() const
{
    return d->path;
}

void AuditLog::interrupt() const
{
    sqlite3_interrupt(d->db());
}

qint64 AuditLog::size() const
{
    return d->tree.size();
}

QByteArray AuditLog::root() const
{
    return d->tree.root();
}

QByteArray AuditLog::lastHash() const
{
    return d->lastHash;
}

Result<AuditEntry> AuditLog::append(const NewEntry &entry)
{
    Result<QList<AuditEntry>> appended = appendBatch({entry});
    if (!appended)
        return appended.error();
    return appended.value().constFirst();
}

Result<QList<AuditEntry>> AuditLog::appendBatch(const QList<NewEntry> &entries)
{
    if (d->readOnly)
        return makeError(QStringLiteral("audit.read_only"), QStringLiteral("%1 was opened read-only").arg(d->path));
    // Each payload is made canonical once, for the size check and for what is stored.
    QList<QByteArray> payloads;
    payloads.reserve(entries.size());
    for (qsizetype i = 0; i < entries.size(); ++i) {
        payloads.append(json::canonicalize(entries.at(i).payload));
        if (Status valid = validateEntry(entries.at(i), payloads.last()); !valid) {
            return makeError(valid.error().code,
                             QStringLiteral("entry %1 of %2: %3").arg(i + 1).arg(entries.size()).arg(valid.error().message));
        }
    }
    if (entries.isEmpty())
        return QList<AuditEntry>{};

    // Work on copies: the in-memory tree moves on only once the transaction has committed.
    CompactTree tree = d->tree;
    QByteArray prevHash = d->lastHash;
    // Time never goes back in the log: a clock stepped backwards stamps entries with the last
    // entry's time until it catches up, so a time range is a seq range (the browse index uses it).
    const QString time = std::max(json::formatTimestamp(d->clock->nowUtc()), d->lastTime);
    QList<AuditEntry> written;
    written.reserve(entries.size());

    Transaction transaction(d->db());
    if (!transaction.begun())
        return detail::sqliteError(d->db(), QStringLiteral("audit.unavailable"), QStringLiteral("%1: cannot begin a write").arg(d->path));
    if (!d->appendStatements)
        d->appendStatements = std::make_unique<Private::AppendStatements>(d->db());
    // On any failure below the statements are dropped (and prepared afresh by the next append):
    // a Statement keeps the first bind error it sees.
    DropOnFailure<Private::AppendStatements> dropOnFailure{d->appendStatements};
    Statement &insert = d->appendStatements->entry;
    for (qsizetype i = 0; i < entries.size(); ++i) {
        const NewEntry &input = entries.at(i);
        AuditEntry entry;
        entry.seq = tree.size() + 1;
        entry.time = time;
        entry.kind = input.kind;
        entry.actor = input.actor;
        entry.subject = input.subject;
        entry.payload = payloads.at(i);
        entry.prevHash = prevHash;
        entry.leafHash = leafHash(leafBytes(entry));

        insert.reset();
        insert.bind(1, entry.seq);
        insert.bind(2, entry.time);
        insert.bind(3, entry.kind);
        insert.bind(4, entry.actor);
        insert.bind(5, entry.subject);
        insert.bind(6, entry.payload);
        insert.bindBlob(7, entry.prevHash);
        insert.bindBlob(8, entry.leafHash);
        if (insert.step() != SQLITE_DONE) {
            return detail::sqliteError(d->db(), QStringLiteral("audit.unavailable"),
                                       QStringLiteral("%1: cannot append entry %2").arg(d->path).arg(entry.seq));
        }
        tree.append(entry.leafHash);
        prevHash = entry.leafHash;
        written.append(std::move(entry));
    }
    Statement &state = d->appendStatements->state;
    state.reset();
    state.bind(1, tree.size());
    state.bindBlob(2, frontierBlob(tree.frontier()));
    state.bindBlob(3, prevHash);
    if (state.step() != SQLITE_DONE || sqlite3_changes(d->db()) != 1)
        return detail::sqliteError(d->db(), QStringLiteral("audit.unavailable"), QStringLiteral("%1: cannot store the tree state").arg(d->path));
    state.reset();
    insert.reset();
    if (!transaction.commit())
        return detail::sqliteError(d->db(), QStringLiteral("audit.unavailable"), QStringLiteral("%1: cannot commit").arg(d->path));
    dropOnFailure.committed = true;
    d->tree = std::move(tree);
    d->lastHash = prevHash;
    d->lastTime = time;
    return written;
}

Result<qint64> AuditLog::indexedSize() const
{
    Statement indexed(d->db(), "SELECT COALESCE(MAX(seq), 0) FROM entry_index");
    if (indexed.step() != SQLITE_ROW)
        return detail::sqliteError(d->db(), QStringLiteral("audit.unavailable"), QStringLiteral("%1: cannot read the browse index").arg(d->path));
    return indexed.integer(0);
}

Result<qint64> AuditLog::updateIndex(int maxEntries)
{
    if (d->readOnly)
        return makeError(QStringLiteral("audit.read_only"), QStringLiteral("%1 was opened read-only").arg(d->path));
    if (maxEntries < 1 || maxEntries > kMaxIndexBatch) {
        return makeError(QStringLiteral("audit.invalid_query"),
                         QStringLiteral("an index batch is 1 to %1 entries, not %2").arg(kMaxIndexBatch).arg(maxEntries));
    }
    // IMMEDIATE: another writer of the same file (a second AuditLog on it) cannot index the same
    // entries between the read of the high-water mark and the inserts.
    Transaction transaction(d->db());
    if (!transaction.begun())
        return detail::sqliteError(d->db(), QStringLiteral("audit.unavailable"), QStringLiteral("%1: cannot begin a write").arg(d->path));
    if (!d->indexStatements)
        d->indexStatements = std::make_unique<Private::IndexStatements>(d->db());
    DropOnFailure<Private::IndexStatements> dropOnFailure{d->indexStatements};
    Private::IndexStatements &prepared = *d->indexStatements;

    prepared.indexed.reset();
    if (prepared.indexed.step() != SQLITE_ROW)
        return detail::sqliteError(d->db(), QStringLiteral("audit.unavailable"), QStringLiteral("%1: cannot read the browse index").arg(d->path));
    const qint64 indexed = prepared.indexed.integer(0);
    prepared.indexed.reset();

    // Read the entries first: the index rows are then written with no read statement open.
    QList<AuditEntry> pending;
    prepared.unindexed.reset();
    prepared.unindexed.bind(1, indexed);
    prepared.unindexed.bind(2, maxEntries);
    int rc = SQLITE_ROW;
    while ((rc = prepared.unindexed.step()) == SQLITE_ROW) {
        AuditEntry entry;
        entry.seq = prepared.unindexed.integer(0);
        entry.time = prepared.unindexed.text(1);
        entry.kind = prepared.unindexed.text(2);
        entry.actor = prepared.unindexed.text(3);
        entry.subject = prepared.unindexed.text(4);
        entry.payload = prepared.unindexed.blob(5);
        pending.append(std::move(entry));
    }
    prepared.unindexed.reset();
    if (rc != SQLITE_DONE)
        return detail::sqliteError(d->db(), QStringLiteral("audit.unavailable"), QStringLiteral("%1: cannot read entries").arg(d->path));
    if (pending.isEmpty())
        return qint64(0);

    IndexWriter index(d->db(), prepared.index, prepared.text, prepared.submission, prepared.findTerm, prepared.insertTerm,
                      d->terms);
    json::Limits limits;
    limits.maxBytes = kMaxPayloadBytes;
    for (const AuditEntry &entry : std::as_const(pending)) {
        // The payload was canonical JSON of an object when it was appended; a file edited since
        // is the verifier's business, and its entry is indexed by what can still be read.
        const Result<QJsonValue> payload = json::parse(entry.payload, limits);
        const QJsonObject object = payload && payload.value().isObject() ? payload.value().toObject() : QJsonObject();
        if (!index.write(entry, object)) {
            return detail::sqliteError(d->db(), QStringLiteral("audit.unavailable"),
                                       QStringLiteral("%1: cannot index entry %2").arg(d->path).arg(entry.seq));
        }
    }
    if (!index.writeText())
        return detail::sqliteError(d->db(), QStringLiteral("audit.unavailable"), QStringLiteral("%1: cannot index the entries' text").arg(d->path));
    if (!transaction.commit())
        return detail::sqliteError(d->db(), QStringLiteral("audit.unavailable"), QStringLiteral("%1: cannot commit").arg(d->path));
    dropOnFailure.committed = true;
    index.commitTerms();
    return qint64(pending.size());
}

Result<QList<AuditEntry>> AuditLog::entries(qint64 afterSeq, int limit, const EntryFilter &filter) const
{
    if (limit < 1 || limit > kMaxPageSize)
        return makeError(QStringLiteral("audit.invalid_query"), QStringLiteral("page size must be 1 to %1").arg(kMaxPageSize));
    if (filter.kinds.size() > 32)
        return makeError(QStringLiteral("audit.invalid_query"), QStringLiteral("at most 32 kinds in one filter"));
    // One prepared statement for every filter: an unset bound is NULL and the condition holds.
    // Kinds are matched against a JSON array so their number does not change the SQL.
    Statement query(d->db(), "SELECT seq, time, kind, actor, subject, payload, prev_hash, entry_hash FROM entries "
                             "WHERE seq > ?1 AND (?2 IS NULL OR seq <= ?2) "
                             "AND (?3 IS NULL OR kind IN (SELECT value FROM json_each(?3))) "
                             "AND (?4 IS NULL OR time >= ?4) AND (?5 IS NULL OR time < ?5) "
                             "ORDER BY seq LIMIT ?6");
    // Times never go back in the log (see appendBatch), so a time bound is also a seq bound,
    // found with a few point reads: a query for the last two days of a large log reads those
    // two days, not the whole log. The time conditions below stay, for the rows at the edges.
    qint64 from = std::max(afterSeq, filter.fromSeq - 1);
    if (!filter.since.isEmpty()) {
        const Result<qint64> first = firstSeqAtOrAfter(filter.since);
        if (!first)
            return first.error();
        from = std::max(from, first.value() - 1);
    }
    query.bind(1, from);
    if (filter.toSeq > 0)
        query.bind(2, filter.toSeq);
    if (!filter.kinds.isEmpty())
        query.bind(3, json::canonicalize(QJsonArray::fromStringList(filter.kinds)));
    if (!filter.since.isEmpty())
        query.bind(4, filter.since);
    if (!filter.until.isEmpty())
        query.bind(5, filter.until);
    query.bind(6, limit);
    return detail::readEntries(d->db(), query, d->path);
}

Result<qint64> AuditLog::firstSeqAtOrAfter(const QString &time) const
{
    // The last seq from the file itself: another writer may have appended since this opened.
    Statement last(d->db(), "SELECT COALESCE(MAX(seq), 0) FROM entries");
    Statement timeOf(d->db(), "SELECT time FROM entries WHERE seq = ?1");
    if (last.step() != SQLITE_ROW)
        return detail::sqliteError(d->db(), QStringLiteral("audit.unavailable"), QStringLiteral("%1: cannot read entries").arg(d->path));
    // Binary search for the first entry whose time is >= time (entries are in time order).
    qint64 low = 1;
    qint64 high = last.integer(0) + 1; // past the end: no entry is that late
    while (low < high) {
        const qint64 middle = low + (high - low) / 2;
        timeOf.reset();
        timeOf.bind(1, middle);
        if (timeOf.step() != SQLITE_ROW)
            return detail::sqliteError(d->db(), QStringLiteral("audit.unavailable"), QStringLiteral("%1: cannot read entry %2").arg(d->path).arg(middle));
        if (timeOf.text(0) < time)
            low = middle + 1;
        else
            high = middle;
    }
    return low;
}

Result<AuditEntry> AuditLog::entry(qint64 seq) const
{
    EntryFilter only;
    only.fromSeq = seq;
    only.toSeq = seq;
    Result<QList<AuditEntry>> page = entries(seq - 1, 1, only);
    if (!page)
        return page.error();
    if (page.value().isEmpty())
        return makeError(QStringLiteral("audit.not_found"), QStringLiteral("no entry with seq %1 (the log has %2)").arg(seq).arg(size()));
    return page.value().constFirst();
}

Result<std::optional<AuditEntry>> AuditLog::latest(const QString &kind, const QString &subject) const
{
    Statement query(d->db(), "SELECT seq, time, kind, actor, subject, payload, prev_hash, entry_hash FROM entries "
                             "WHERE kind = ?1 AND subject = ?2 ORDER BY seq DESC LIMIT 1");
    query.bind(1, kind);
    query.bind(2, subject);
    const int rc = query.step();
    if (rc == SQLITE_ROW)
        return std::optional<AuditEntry>(detail::readEntry(query));
    if (rc == SQLITE_DONE)
        return std::optional<AuditEntry>();
    return detail::sqliteError(d->db(), QStringLiteral("audit.unavailable"), QStringLiteral("%1: cannot read entries").arg(d->path));
}

LeafSource AuditLog::leafSource() const
{
    auto statement = std::make_shared<Statement>(d->db(), "SELECT entry_hash FROM entries WHERE seq = ?1");
    sqlite3 *db = d->db();
    const QString path = d->path;
    return [statement, db, path](qint64 index) -> Result<QByteArray> {
        statement->reset();
        statement->bind(1, index + 1);
        const int rc = statement->step();
        if (rc == SQLITE_ROW)
            return statement->blob(0);
        if (rc == SQLITE_DONE)
            return makeError(QStringLiteral("audit.not_found"), QStringLiteral("%1: no entry with seq %2").arg(path).arg(index + 1));
        return detail::sqliteError(db, QStringLiteral("audit.unavailable"), QStringLiteral("%1: cannot read a leaf").arg(path));
    };
}

} // namespace countersign::audit
