// SQLite persistence of the gateway's actions and event log, over the raw C API so that every
// statement is prepared, every pragma's effect is checked, and every error rolls back.
#include "gateway/GatewayStore.h"

#include "core/crypto/Digest.h"
#include "core/json/FieldReader.h"
#include "core/storage/Sqlite.h"

#include <functional>

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>

namespace countersign::gateway {

namespace {

Error storeError(sqlite3 *db, const QString &what)
{
    return makeError(QStringLiteral("store.unavailable"),
                     what + QStringLiteral(": ") + QString::fromUtf8(db ? sqlite3_errmsg(db) : "no database"));
}

using storage::exec;
using storage::Statement;
using storage::Transaction;

const char kSchema[] = R"sql(
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE actions (
    id                 TEXT PRIMARY KEY,
    agent_id           TEXT NOT NULL,
    status             TEXT NOT NULL
                       CHECK (status IN ('pending','approved','denied','expired','allowed')),
    action_json        TEXT NOT NULL,
    digest             TEXT NOT NULL,
    created_at         TEXT NOT NULL,
    deadline           TEXT NOT NULL,
    tier               INTEGER NOT NULL,
    rule               TEXT NOT NULL,
    approvals_required INTEGER NOT NULL,
    approvals          INTEGER NOT NULL DEFAULT 0,
    approved_by        TEXT NOT NULL DEFAULT '[]',
    reason             TEXT NOT NULL DEFAULT '',
    decided_by         TEXT NOT NULL DEFAULT '',
    resolved_at        TEXT,
    signature          TEXT NOT NULL DEFAULT ''
);
CREATE INDEX actions_status ON actions(status);
CREATE TABLE events (
    seq       INTEGER PRIMARY KEY,
    action_id TEXT NOT NULL REFERENCES actions(id),
    frame     TEXT NOT NULL
);
CREATE INDEX events_action ON events(action_id, seq);
-- A resolved action is final and nothing is ever deleted: the schema refuses it, so a bug in
-- the code above cannot quietly rewrite a decision.
CREATE TRIGGER actions_final BEFORE UPDATE ON actions WHEN OLD.status <> 'pending'
BEGIN SELECT RAISE(ABORT, 'a resolved action is final'); END;
CREATE TRIGGER actions_no_delete BEFORE DELETE ON actions
BEGIN SELECT RAISE(ABORT, 'actions are never deleted'); END;
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
)sql";

// Schema version 3: every signed decision, accepted or refused, with its token. A nonce is
// accepted once (the partial unique index), however often it is replayed.
const char kDecisionsSchema[] = R"sql(
CREATE TABLE decisions (
    id         INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    session_id TEXT NOT NULL,
    reviewer   TEXT NOT NULL,
    key_id     TEXT NOT NULL,
    action_id  TEXT NOT NULL,
    verdict    TEXT NOT NULL,
    nonce      TEXT NOT NULL,
    token      TEXT NOT NULL,
    accepted   INTEGER NOT NULL CHECK (accepted IN (0, 1)),
    code       TEXT NOT NULL,
    message    TEXT NOT NULL
);
CREATE UNIQUE INDEX decisions_accepted_nonce ON decisions(nonce) WHERE accepted = 1;
CREATE INDEX decisions_action ON decisions(action_id, id);
CREATE TRIGGER decisions_no_update BEFORE UPDATE ON decisions
BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;
CREATE TRIGGER decisions_no_delete BEFORE DELETE ON decisions
BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;
)sql";

const char kDecisionColumns[] =
    "at, session_id, reviewer, key_id, action_id, verdict, nonce, token, accepted, code, message";

// Schema version 4: the control plane's record of policy changes, append-only like events.
// IF NOT EXISTS: the migration step may meet a database that already has the table.
const char kPolicyChangesSchema[] = R"sql(
CREATE TABLE IF NOT EXISTS policy_changes (
    seq      INTEGER PRIMARY KEY,
    at       TEXT NOT NULL,
    actor    TEXT NOT NULL,
    command  TEXT NOT NULL,
    target   TEXT NOT NULL,
    before   TEXT NOT NULL,
    after    TEXT NOT NULL,
    why      TEXT NOT NULL,
    document TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS policy_changes_no_update BEFORE UPDATE ON policy_changes
BEGIN SELECT RAISE(ABORT, 'policy changes are append-only'); END;
CREATE TRIGGER IF NOT EXISTS policy_changes_no_delete BEFORE DELETE ON policy_changes
BEGIN SELECT RAISE(ABORT, 'policy changes are append-only'); END;
)sql";

const char kActionColumns[] =
    "a.id, a.agent_id, a.status, a.action_json, a.digest, a.created_at, a.deadline, a.tier, "
    "a.rule, a.approvals_required, a.approved_by, a.reason, a.decided_by, a.resolved_at, "
    "COALESCE((SELECT MIN(e.seq) FROM events e WHERE e.action_id = a.id), 0), a.signature";

QString timestampText(const QDateTime &time)
{
    return time.isValid() ? json::formatTimestamp(time) : QString();
}

QByteArray approvedByJson(const QStringList &approvedBy)
{
    return QJsonDocument(QJsonArray::fromStringList(approvedBy)).toJson(QJsonDocument::Compact);
}

std::optional<StoredAction> readAction(const Statement &row)
{
    StoredAction action;
    action.id = row.text(0);
    action.agentId = row.text(1);
    const auto status = statusFromName(row.text(2));
    action.actionJson = row.bytes(3);
    action.digest = row.bytes(4);
    const auto created = json::parseTimestamp(row.text(5));
    const auto deadline = json::parseTimestamp(row.text(6));
    action.tier = static_cast<int>(row.integer(7));
    action.rule = row.text(8);
    action.approvalsRequired = static_cast<int>(row.integer(9));
    const QJsonDocument approvedBy = QJsonDocument::fromJson(row.bytes(10));
    action.reason = row.text(11);
    action.decidedBy = row.text(12);
    const QString resolved = row.text(13);
    action.publishedSeq = row.integer(14);
    action.signature = row.bytes(15);
    if (!status || !created || !deadline || !approvedBy.isArray())
        return std::nullopt;
    action.status = *status;
    action.createdAt = *created;
    action.deadline = *deadline;
    for (const QJsonValue &reviewer : approvedBy.array())
        action.approvedBy.append(reviewer.toString());
    if (!resolved.isEmpty()) {
        const auto resolvedAt = json::parseTimestamp(resolved);
        if (!resolvedAt)
            return std::nullopt;
        action.resolvedAt = *resolvedAt;
    }
    return action;
}

Error corrupt(const QString &id)
{
    return makeError(QStringLiteral("store.corrupt"),
                     QStringLiteral("action %1 has an unreadable row").arg(id.left(128)));
}

// The columns every inserted action has, in the order both INSERT statements name them (?1-?9).
void bindActionColumns(Statement &insert, const StoredAction &action)
{
    insert.bind(1, action.id);
    insert.bind(2, action.agentId);
    insert.bind(3, action.actionJson);
    insert.bind(4, action.digest);
    insert.bind(5, timestampText(action.createdAt));
    insert.bind(6, timestampText(action.deadline));
    insert.bind(7, action.tier);
    insert.bind(8, action.rule);
    insert.bind(9, action.approvalsRequired);
}

} // namespace

QString statusName(ActionStatus status)
{
    switch (status) {
    case ActionStatus::Pending: return QStringLiteral("pending");
    case ActionStatus::Approved: return QStringLiteral("approved");
    case ActionStatus::Denied: return QStringLiteral("denied");
    case ActionStatus::Expired: return QStringLiteral("expired");
    case ActionStatus::Allowed: return QStringLiteral("allowed");
    }
    return {};
}

std::optional<ActionStatus> statusFromName(const QString &name)
{
    for (ActionStatus status : {ActionStatus::Pending, ActionStatus::Approved, ActionStatus::Denied,
                                ActionStatus::Expired, ActionStatus::Allowed}) {
        if (statusName(status) == name)
            return status;
    }
    return std::nullopt;
}

struct GatewayStore::Private
{
    sqlite3 *db = nullptr;
    QString gatewayId;
    qint64 head = 0;

    ~Private()
    {
        if (db)
            sqlite3_close_v2(db);
    }

    Status createOrMigrate();
    Status insertDecision(const DecisionRecord &decision);
    Result<StoredEvent> appendEvent(const QString &actionId, qint64 seq, const QByteArray &frame);
    Status updatePending(const QString &actionId, const QByteArray &sql,
                         const std::function<void(Statement &)> &bindRest);
};

Status GatewayStore::Private::createOrMigrate()
{
    Transaction tx(db);
    if (!tx.begun())
        return storeError(db, QStringLiteral("cannot begin the schema transaction"));

    Statement exists(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'");
    if (exists.step() != SQLITE_ROW)
        return storeError(db, QStringLiteral("cannot read the schema"));
    if (exists.integer(0) == 0) {
        if (!exec(db, kSchema) || !exec(db, kDecisionsSchema) || !exec(db, kPolicyChangesSchema))
            return storeError(db, QStringLiteral("cannot create the schema"));
        const QString id = QStringLiteral("gw-") + QString::fromLatin1(crypto::randomBytes(6).toHex());
        Statement meta(db, "INSERT INTO meta(key, value) VALUES ('schema_version', ?1), ('gateway_id', ?2)");
        meta.bind(1, QString::number(kSchemaVersion));
        meta.bind(2, id);
        if (meta.step() != SQLITE_DONE)
            return storeError(db, QStringLiteral("cannot write the meta table"));
    } else {
        Statement version(db, "SELECT value FROM meta WHERE key = 'schema_version'");
        if (version.step() != SQLITE_ROW)
            return makeError(QStringLiteral("store.corrupt"), QStringLiteral("the meta table has no schema_version"));
        bool ok = false;
        const int found = version.text(0).toInt(&ok);
        if (!ok || found < 1)
            return makeError(QStringLiteral("store.corrupt"), QStringLiteral("unreadable schema_version"));
        if (found > kSchemaVersion) {
            return makeError(QStringLiteral("store.unsupported_version"),
                             QStringLiteral("the database has schema version %1; this gateway knows up to %2")
                                 .arg(found).arg(kSchemaVersion));
        }
        // One step per version.
        if (found < 2) {
            // Version 2: the gateway's signature over each published action. Actions published
            // before have none; consoles refuse them as unsigned.
            if (!exec(db, "ALTER TABLE actions ADD COLUMN signature TEXT NOT NULL DEFAULT ''")
                || !exec(db, "UPDATE meta SET value = '2' WHERE key = 'schema_version'"))
                return storeError(db, QStringLiteral("cannot migrate the schema to version 2"));
        }
        if (found < 3) {
            // Version 3: decisions arrive signed and every one is kept.
            if (!exec(db, kDecisionsSchema) || !exec(db, "UPDATE meta SET value = '3' WHERE key = 'schema_version'"))
                return storeError(db, QStringLiteral("cannot migrate the schema to version 3"));
        }
        if (found < 4) {
            // Version 4: policy changes made through the control plane. A database from before
            // has none; the gateway records its policy file as the first change.
            if (!exec(db, kPolicyChangesSchema)
                || !exec(db, "UPDATE meta SET value = '4' WHERE key = 'schema_version'"))
                return storeError(db, QStringLiteral("cannot migrate the schema to version 4"));
        }
    }

    Statement id(db, "SELECT value FROM meta WHERE key = 'gateway_id'");
    if (id.step() != SQLITE_ROW)
        return makeError(QStringLiteral("store.corrupt"), QStringLiteral("the meta table has no gateway_id"));
    gatewayId = id.text(0);
    Statement maxSeq(db, "SELECT COALESCE(MAX(seq), 0) FROM events");
    if (maxSeq.step() != SQLITE_ROW)
        return storeError(db, QStringLiteral("cannot read the event head"));
    head = maxSeq.integer(0);
    if (!tx.commit())
        return storeError(db, QStringLiteral("cannot commit the schema"));
    return {};
}

Result<StoredEvent> GatewayStore::Private::appendEvent(const QString &actionId, qint64 seq,
                                                       const QByteArray &frame)
{
    Statement insert(db, "INSERT INTO events(seq, action_id, frame) VALUES (?1, ?2, ?3)");
    insert.bind(1, seq);
    insert.bind(2, actionId);
    insert.bind(3, frame);
    if (insert.step() != SQLITE_DONE)
        return storeError(db, QStringLiteral("cannot append event %1").arg(seq));
    return StoredEvent{seq, frame};
}

Status GatewayStore::Private::updatePending(const QString &actionId, const QByteArray &sql,
                                            const std::function<void(Statement &)> &bindRest)
{
    Statement update(db, sql.constData());
    update.bind(1, actionId);
    bindRest(update);
    if (update.step() != SQLITE_DONE)
        return storeError(db, QStringLiteral("cannot update action %1").arg(actionId.left(128)));
    if (sqlite3_changes(db) != 1) {
        return makeError(QStringLiteral("store.conflict"),
                         QStringLiteral("action %1 is not pending").arg(actionId.left(128)));
    }
    return {};
}

Result<std::unique_ptr<GatewayStore>> GatewayStore::open(const QString &path, const Options &options)
{
    auto d = std::make_unique<Private>();
    const QByteArray file = QFile::encodeName(path);
    const int rc = sqlite3_open_v2(file.constData(), &d->db,
                                   SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                                   nullptr);
    if (rc != SQLITE_OK)
        return storeError(d->db, QStringLiteral("cannot open %1").arg(path));
    // The database holds what agents asked to do: readable by this user only. SQLite gives its
    // -wal and -shm files the same permissions.
    QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner);

    sqlite3_extended_result_codes(d->db, 1);
    sqlite3_busy_timeout(d->db, options.busyTimeoutMs);

    if (const QString failed = storage::makeDurable(d->db); !failed.isEmpty())
        return makeError(QStringLiteral("store.unavailable"), QStringLiteral("%1: %2").arg(path, failed));
    if (!exec(d->db, "PRAGMA foreign_keys = ON"))
        return storeError(d->db, QStringLiteral("cannot set pragmas"));

    if (Status status = d->createOrMigrate(); !status)
        return status.error();
    return std::unique_ptr<GatewayStore>(new GatewayStore(std::move(d)));
}

GatewayStore::GatewayStore(std::unique_ptr<Private> impl) : d(std::move(impl)) {}
GatewayStore::~GatewayStore() = default;

const QString &GatewayStore::gatewayId() const
{
    return d->gatewayId;
}

qint64 GatewayStore::head() const
{
    return d->head;
}

Result<StoredEvent> GatewayStore::insertPending(const StoredAction &action, protocol::ActionPending frame)
{
    Transaction tx(d->db);
    if (!tx.begun())
        return storeError(d->db, QStringLiteral("cannot begin a transaction"));
    Statement insert(d->db,
                     "INSERT INTO actions(id, agent_id, status, action_json, digest, created_at, deadline, "
                     "tier, rule, approvals_required, signature) "
                     "VALUES (?1, ?2, 'pending', ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
    bindActionColumns(insert, action);
    // The signature published now is the one every snapshot repeats.
    insert.bind(10, frame.signature);
    if (insert.step() != SQLITE_DONE)
        return storeError(d->db, QStringLiteral("cannot insert action %1").arg(action.id.left(128)));

    frame.seq = d->head + 1;
    frame.approvals = 0;
    auto event = d->appendEvent(action.id, frame.seq, protocol::serialize(frame));
    if (!event)
        return event;
    if (!tx.commit())
        return storeError(d->db, QStringLiteral("cannot commit action %1").arg(action.id.left(128)));
    d->head = frame.seq;
    return event;
}

Status GatewayStore::insertAllowed(const StoredAction &action)
{
    Transaction tx(d->db);
    if (!tx.begun())
        return storeError(d->db, QStringLiteral("cannot begin a transaction"));
    Statement insert(d->db,
                     "INSERT INTO actions(id, agent_id, status, action_json, digest, created_at, deadline, "
                     "tier, rule, approvals_required, reason, decided_by, resolved_at) "
                     "VALUES (?1, ?2, 'allowed', ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
    bindActionColumns(insert, action);
    insert.bind(10, action.reason);
    insert.bind(11, action.decidedBy);
    insert.bind(12, timestampText(action.resolvedAt));
    if (insert.step() != SQLITE_DONE)
        return storeError(d->db, QStringLiteral("cannot insert action %1").arg(action.id.left(128)));
    if (!tx.commit())
        return storeError(d->db, QStringLiteral("cannot commit action %1").arg(action.id.left(128)));
    return {};
}

Result<StoredEvent> GatewayStore::recordApproval(protocol::ActionUpdated frame, const DecisionRecord &decision)
{
    Transaction tx(d->db);
    if (!tx.begun())
        return storeError(d->db, QStringLiteral("cannot begin a transaction"));
    if (Status inserted = d->insertDecision(decision); !inserted)
        return inserted.error();
    const Status updated = d->updatePending(
        frame.actionId,
        "UPDATE actions SET approvals = ?2, approved_by = ?3 WHERE id = ?1 AND status = 'pending'",
        [&](Statement &s) {
            s.bind(2, static_cast<qint64>(frame.approvedBy.size()));
            s.bind(3, approvedByJson(frame.approvedBy));
        });
    if (!updated)
        return updated.error();
    frame.seq = d->head + 1;
    frame.approvals = static_cast<int>(frame.approvedBy.size());
    auto event = d->appendEvent(frame.actionId, frame.seq, protocol::serialize(frame));
    if (!event)
        return event;
    if (!tx.commit())
        return storeError(d->db, QStringLiteral("cannot commit the approval"));
    d->head = frame.seq;
    return event;
}

Result<StoredEvent> GatewayStore::recordEscalation(protocol::ActionEscalated frame)
{
    Transaction tx(d->db);
    if (!tx.begun())
        return storeError(d->db, QStringLiteral("cannot begin a transaction"));
    Statement pending(d->db, "SELECT 1 FROM actions WHERE id = ?1 AND status = 'pending'");
    pending.bind(1, frame.actionId);
    if (pending.step() != SQLITE_ROW) {
        return makeError(QStringLiteral("store.conflict"),
                         QStringLiteral("action %1 is not pending").arg(frame.actionId.left(128)));
    }
    frame.seq = d->head + 1;
    auto event = d->appendEvent(frame.actionId, frame.seq, protocol::serialize(frame));
    if (!event)
        return event;
    if (!tx.commit())
        return storeError(d->db, QStringLiteral("cannot commit the escalation"));
    d->head = frame.seq;
    return event;
}

Result<QHash<QString, StoredEvent>> GatewayStore::pendingEscalations() const
{
    // Frames are stored in canonical form, so the type member is always the last one.
    Statement select(d->db, "SELECT e.action_id, e.seq, e.frame FROM events e JOIN actions a ON a.id = e.action_id "
                            "WHERE a.status = 'pending' AND e.frame LIKE '%\"type\":\"action.escalated\"}' "
                            "ORDER BY e.seq");
    QHash<QString, StoredEvent> escalations;
    int rc = SQLITE_ROW;
    while ((rc = select.step()) == SQLITE_ROW)
        escalations.insert(select.text(0), StoredEvent{select.integer(1), select.bytes(2)});
    if (rc != SQLITE_DONE)
        return storeError(d->db, QStringLiteral("cannot read escalations"));
    return escalations;
}

Result<StoredEvent> GatewayStore::resolve(protocol::ActionResolved frame, const QStringList &approvedBy,
                                          const DecisionRecord *decision)
{
    QByteArray status;
    switch (frame.outcome) {
    case protocol::Outcome::Approved: status = "approved"; break;
    case protocol::Outcome::Denied: status = "denied"; break;
    case protocol::Outcome::Expired: status = "expired"; break;
    case protocol::Outcome::Withdrawn:
        return makeError(QStringLiteral("store.unsupported"), QStringLiteral("withdrawal is not supported yet"));
    }
    Transaction tx(d->db);
    if (!tx.begun())
        return storeError(d->db, QStringLiteral("cannot begin a transaction"));
    if (decision) {
        if (Status inserted = d->insertDecision(*decision); !inserted)
            return inserted.error();
    }
    const Status updated = d->updatePending(
        frame.actionId,
        "UPDATE actions SET status = ?2, approvals = ?3, approved_by = ?4, reason = ?5, "
        "decided_by = ?6, resolved_at = ?7 WHERE id = ?1 AND status = 'pending'",
        [&](Statement &s) {
            s.bind(2, status);
            s.bind(3, static_cast<qint64>(approvedBy.size()));
            s.bind(4, approvedByJson(approvedBy));
            s.bind(5, frame.reason);
            s.bind(6, frame.decidedBy);
            s.bind(7, timestampText(frame.resolvedAt));
        });
    if (!updated)
        return updated.error();
    frame.seq = d->head + 1;
    auto event = d->appendEvent(frame.actionId, frame.seq, protocol::serialize(frame));
    if (!event)
        return event;
    if (!tx.commit())
        return storeError(d->db, QStringLiteral("cannot commit the resolution"));
    d->head = frame.seq;
    return event;
}

Status GatewayStore::Private::insertDecision(const DecisionRecord &decision)
{
    const QByteArray sql = QByteArray("INSERT INTO decisions(") + kDecisionColumns
                           + ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";
    Statement insert(db, sql.constData());
    insert.bind(1, timestampText(decision.at));
    insert.bind(2, decision.sessionId);
    insert.bind(3, decision.reviewer);
    insert.bind(4, decision.keyId);
    insert.bind(5, decision.actionId);
    insert.bind(6, decision.verdict);
    insert.bind(7, decision.nonce);
    insert.bind(8, decision.token);
    insert.bind(9, qint64{decision.accepted ? 1 : 0});
    insert.bind(10, decision.code);
    insert.bind(11, decision.message);
    const int rc = insert.step();
    if (rc == SQLITE_CONSTRAINT_UNIQUE) {
        return makeError(QStringLiteral("store.duplicate_nonce"),
                         QStringLiteral("a decision with nonce %1 was already accepted").arg(decision.nonce.left(64)));
    }
    if (rc != SQLITE_DONE)
        return storeError(db, QStringLiteral("cannot record the decision"));
    return {};
}

Status GatewayStore::recordRefusedDecision(const DecisionRecord &decision)
{
    Q_ASSERT(!decision.accepted);
    Transaction tx(d->db);
    if (!tx.begun())
        return storeError(d->db, QStringLiteral("cannot begin a transaction"));
    if (Status inserted = d->insertDecision(decision); !inserted)
        return inserted;
    if (!tx.commit())
        return storeError(d->db, QStringLiteral("cannot commit the refused decision"));
    return {};
}

namespace {

DecisionRecord readDecision(const Statement &row)
{
    DecisionRecord record;
    record.at = json::parseTimestamp(row.text(0)).value_or(QDateTime());
    record.sessionId = row.text(1);
    record.reviewer = row.text(2);
    record.keyId = row.text(3);
    record.actionId = row.text(4);
    record.verdict = row.text(5);
    record.nonce = row.text(6);
    record.token = row.bytes(7);
    record.accepted = row.integer(8) == 1;
    record.code = row.text(9);
    record.message = row.text(10);
    return record;
}

} // namespace

Result<std::optional<DecisionRecord>> GatewayStore::acceptedDecision(const QString &nonce) const
{
    const QByteArray sql = QByteArray("SELECT ") + kDecisionColumns + " FROM decisions WHERE nonce = ?1 AND accepted = 1";
    Statement select(d->db, sql.constData());
    select.bind(1, nonce);
    const int rc = select.step();
    if (rc == SQLITE_DONE)
        return std::optional<DecisionRecord>();
    if (rc != SQLITE_ROW)
        return storeError(d->db, QStringLiteral("cannot read decisions"));
    return std::optional<DecisionRecord>(readDecision(select));
}

Result<QList<DecisionRecord>> GatewayStore::decisionsFor(const QString &actionId) const
{
    const QByteArray sql = QByteArray("SELECT ") + kDecisionColumns + " FROM decisions WHERE action_id = ?1 ORDER BY id";
    Statement select(d->db, sql.constData());
    select.bind(1, actionId);
    QList<DecisionRecord> records;
    int rc = SQLITE_ROW;
    while ((rc = select.step()) == SQLITE_ROW)
        records.append(readDecision(select));
    if (rc != SQLITE_DONE)
        return storeError(d->db, QStringLiteral("cannot read decisions"));
    return records;
}

Result<std::optional<StoredAction>> GatewayStore::action(const QString &id) const
{
    const QByteArray sql = QByteArray("SELECT ") + kActionColumns + " FROM actions a WHERE a.id = ?1";
    Statement select(d->db, sql.constData());
    select.bind(1, id);
    const int rc = select.step();
    if (rc == SQLITE_DONE)
        return std::optional<StoredAction>();
    if (rc != SQLITE_ROW)
        return storeError(d->db, QStringLiteral("cannot read action %1").arg(id.left(128)));
    auto action = readAction(select);
    if (!action)
        return corrupt(id);
    return action;
}

Result<QList<StoredAction>> GatewayStore::pendingActions() const
{
    const QByteArray sql = QByteArray("SELECT ") + kActionColumns
                           + " FROM actions a WHERE a.status = 'pending' ORDER BY 15, a.id";
    Statement select(d->db, sql.constData());
    QList<StoredAction> actions;
    int rc = SQLITE_ROW;
    while ((rc = select.step()) == SQLITE_ROW) {
        auto action = readAction(select);
        if (!action)
            return corrupt(select.text(0));
        actions.append(std::move(*action));
    }
    if (rc != SQLITE_DONE)
        return storeError(d->db, QStringLiteral("cannot read pending actions"));
    return actions;
}

Result<QList<StoredEvent>> GatewayStore::eventsAfter(qint64 since, int limit) const
{
    Statement select(d->db, "SELECT seq, frame FROM events WHERE seq > ?1 ORDER BY seq LIMIT ?2");
    select.bind(1, since);
    select.bind(2, limit);
    QList<StoredEvent> events;
    int rc = SQLITE_ROW;
    while ((rc = select.step()) == SQLITE_ROW)
        events.append(StoredEvent{select.integer(0), select.bytes(1)});
    if (rc != SQLITE_DONE)
        return storeError(d->db, QStringLiteral("cannot read events"));
    return events;
}

Result<qint64> GatewayStore::appendPolicyChange(const PolicyChange &change)
{
    if (change.actor.isEmpty() || change.command.isEmpty() || change.why.trimmed().isEmpty()
        || change.document.isEmpty() || !change.at.isValid()) {
        return makeError(QStringLiteral("store.invalid"),
                         QStringLiteral("a policy change needs a time, an actor, a command, a reason and the document"));
    }
    Transaction tx(d->db);
    if (!tx.begun())
        return storeError(d->db, QStringLiteral("cannot begin a transaction"));
    Statement insert(d->db,
                     "INSERT INTO policy_changes(seq, at, actor, command, target, before, after, why, document) "
                     "VALUES ((SELECT COALESCE(MAX(seq), 0) + 1 FROM policy_changes), ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    insert.bind(1, timestampText(change.at));
    insert.bind(2, change.actor);
    insert.bind(3, change.command);
    insert.bind(4, change.target);
    insert.bind(5, change.before.isEmpty() ? QByteArray("null") : change.before);
    insert.bind(6, change.after.isEmpty() ? QByteArray("null") : change.after);
    insert.bind(7, change.why);
    insert.bind(8, change.document);
    if (insert.step() != SQLITE_DONE)
        return storeError(d->db, QStringLiteral("cannot record the policy change"));
    const qint64 seq = sqlite3_last_insert_rowid(d->db);
    if (!tx.commit())
        return storeError(d->db, QStringLiteral("cannot commit the policy change"));
    return seq;
}

Result<std::optional<QByteArray>> GatewayStore::latestPolicyDocument() const
{
    Statement select(d->db, "SELECT document FROM policy_changes ORDER BY seq DESC LIMIT 1");
    const int rc = select.step();
    if (rc == SQLITE_DONE)
        return std::optional<QByteArray>();
    if (rc != SQLITE_ROW)
        return storeError(d->db, QStringLiteral("cannot read the policy"));
    return std::optional<QByteArray>(select.bytes(0));
}

Result<QList<PolicyChange>> GatewayStore::policyChanges(qint64 after, int limit, bool withDocuments) const
{
    Statement select(d->db,
                     withDocuments
                         ? "SELECT seq, at, actor, command, target, before, after, why, document FROM policy_changes "
                           "WHERE seq > ?1 ORDER BY seq LIMIT ?2"
                         : "SELECT seq, at, actor, command, target, before, after, why, '' FROM policy_changes "
                           "WHERE seq > ?1 ORDER BY seq LIMIT ?2");
    select.bind(1, after);
    select.bind(2, limit);
    QList<PolicyChange> changes;
    int rc = SQLITE_ROW;
    while ((rc = select.step()) == SQLITE_ROW) {
        PolicyChange change;
        change.seq = select.integer(0);
        const auto at = json::parseTimestamp(select.text(1));
        if (!at) {
            return makeError(QStringLiteral("store.corrupt"),
                             QStringLiteral("policy change %1 has an unreadable time").arg(change.seq));
        }
        change.at = *at;
        change.actor = select.text(2);
        change.command = select.text(3);
        change.target = select.text(4);
        change.before = select.bytes(5);
        change.after = select.bytes(6);
        change.why = select.text(7);
        change.document = select.bytes(8);
        changes.append(std::move(change));
    }
    if (rc != SQLITE_DONE)
        return storeError(d->db, QStringLiteral("cannot read policy changes"));
    return changes;
}

} // namespace countersign::gateway
