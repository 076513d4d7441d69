// GatewayStore on a real SQLite file: durable across reopen, gapless ordered events, final
// resolutions, and failing closed (nothing half-written) when it cannot write.
#include "core/crypto/Digest.h"
#include "core/json/FieldReader.h"
#include "core/json/Json.h"
#include "gateway/GatewayStore.h"

#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

#include <sqlite3.h>

using namespace countersign;
using namespace countersign::gateway;

namespace {

const QDateTime kCreated(QDate(2026, 3, 1), QTime(9, 30), Qt::UTC);

StoredAction pendingAction(const QString &id)
{
    StoredAction action;
    action.id = id;
    action.agentId = QStringLiteral("payments-agent");
    action.actionJson = "{\"id\":\"" + id.toLatin1() + "\",\"x\":1}";
    action.digest = crypto::sha256Hex(action.actionJson);
    action.createdAt = kCreated;
    action.deadline = kCreated.addSecs(300);
    action.tier = 3;
    action.rule = QStringLiteral("payment-over-10k");
    action.approvalsRequired = 2;
    return action;
}

protocol::ActionPending pendingFrame(const StoredAction &action)
{
    protocol::ActionPending frame;
    frame.actionJson = QJsonDocument::fromJson(action.actionJson).object();
    frame.digest = action.digest;
    return frame;
}

DecisionRecord acceptedDecision(const QString &actionId, const QString &nonce, const QString &verdict = QStringLiteral("approve"))
{
    DecisionRecord record;
    record.at = kCreated.addSecs(30);
    record.sessionId = QStringLiteral("ses-1");
    record.reviewer = QStringLiteral("rita@example.com");
    record.keyId = QString(43, QLatin1Char('k'));
    record.actionId = actionId;
    record.verdict = verdict;
    record.nonce = nonce;
    record.token = "header.payload." + nonce.toLatin1();
    record.accepted = true;
    record.message = verdict;
    return record;
}

protocol::ActionResolved resolvedFrame(const QString &id, protocol::Outcome outcome)
{
    protocol::ActionResolved frame;
    frame.actionId = id;
    frame.outcome = outcome;
    frame.reason = QStringLiteral("because");
    frame.decidedBy = QStringLiteral("rita@example.com");
    frame.resolvedAt = kCreated.addSecs(60);
    return frame;
}

QJsonObject frameJson(const StoredEvent &event)
{
    return QJsonDocument::fromJson(event.frame).object();
}

} // namespace

class TestGatewayStore final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void createsSchemaAndIdentity();
    void pendingApprovalResolutionAreEvents();
    void reopenKeepsEverything();
    void resolvedActionsAreFinal();
    void eventsAreOrderedAndPaged();
    void allowedActionsPublishNothing();
    void duplicateIdStoresNothing();
    void busyDatabaseFailsClosed();
    void schemaRefusesRewrites();
    void newerSchemaIsRefused();
    void version1IsMigratedAndSignaturesKept();
    void aNonceIsAcceptedOnce();

private:
    [[nodiscard]] QString path() const { return m_dir->filePath(QStringLiteral("gateway.db")); }
    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestGatewayStore::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void TestGatewayStore::createsSchemaAndIdentity()
{
    auto store = GatewayStore::open(path());
    QVERIFY2(store, qPrintable(store ? QString() : store.error().toString()));
    static const QRegularExpression id(QStringLiteral("^gw-[0-9a-f]{12}$"));
    QVERIFY(id.match(store.value()->gatewayId()).hasMatch());
    QCOMPARE(store.value()->head(), 0);
    QVERIFY(store.value()->pendingActions().value().isEmpty());
    QCOMPARE(QFile::permissions(path()) & (QFileDevice::ReadOther | QFileDevice::ReadGroup), QFileDevice::Permissions());
}

void TestGatewayStore::pendingApprovalResolutionAreEvents()
{
    auto store = std::move(GatewayStore::open(path())).value();
    const StoredAction action = pendingAction(QStringLiteral("act-1"));
    auto pending = store->insertPending(action, pendingFrame(action));
    QVERIFY(pending);
    QCOMPARE(pending.value().seq, 1);
    QCOMPARE(frameJson(pending.value()).value(QStringLiteral("type")).toString(), QStringLiteral("action.pending"));
    QCOMPARE(frameJson(pending.value()).value(QStringLiteral("seq")).toInt(), 1);
    // Stored canonical: the bytes a console receives are the ones a digest would cover.
    QCOMPARE(pending.value().frame, json::canonicalize(frameJson(pending.value())));

    protocol::ActionUpdated update;
    update.actionId = action.id;
    update.approvedBy = {QStringLiteral("rita@example.com")};
    auto updated = store->recordApproval(update, acceptedDecision(action.id, QStringLiteral("nonce-1")));
    QVERIFY(updated);
    QCOMPARE(updated.value().seq, 2);
    QCOMPARE(frameJson(updated.value()).value(QStringLiteral("approvals")).toInt(), 1);
    QCOMPARE(store->action(action.id).value()->approvedBy, QStringList{QStringLiteral("rita@example.com")});

    auto resolved = store->resolve(resolvedFrame(action.id, protocol::Outcome::Approved),
                                   {QStringLiteral("rita@example.com"), QStringLiteral("sam@example.com")});
    QVERIFY(resolved);
    QCOMPARE(resolved.value().seq, 3);
    QCOMPARE(store->head(), 3);
    const StoredAction stored = *store->action(action.id).value();
    QCOMPARE(stored.status, ActionStatus::Approved);
    QCOMPARE(stored.decidedBy, QStringLiteral("rita@example.com"));
    QCOMPARE(stored.reason, QStringLiteral("because"));
    QCOMPARE(stored.resolvedAt, kCreated.addSecs(60));
    QCOMPARE(stored.approvedBy.size(), 2);
    QCOMPARE(stored.publishedSeq, 1);
    QVERIFY(store->pendingActions().value().isEmpty());
}

void TestGatewayStore::reopenKeepsEverything()
{
    QString gatewayId;
    {
        auto store = std::move(GatewayStore::open(path())).value();
        gatewayId = store->gatewayId();
        for (int i = 1; i <= 3; ++i) {
            const StoredAction action = pendingAction(QStringLiteral("act-%1").arg(i));
            QVERIFY(store->insertPending(action, pendingFrame(action)));
        }
        QVERIFY(store->resolve(resolvedFrame(QStringLiteral("act-2"), protocol::Outcome::Denied), {}));
    }
    auto store = std::move(GatewayStore::open(path())).value();
    QCOMPARE(store->gatewayId(), gatewayId);
    QCOMPARE(store->head(), 4);
    const QList<StoredAction> pending = store->pendingActions().value();
    QCOMPARE(pending.size(), 2);
    QCOMPARE(pending.at(0).id, QStringLiteral("act-1"));
    QCOMPARE(pending.at(0).publishedSeq, 1);
    QCOMPARE(pending.at(1).id, QStringLiteral("act-3"));
    QCOMPARE(pending.at(1).publishedSeq, 3);
    const StoredAction first = pending.at(0);
    const StoredAction original = pendingAction(QStringLiteral("act-1"));
    QCOMPARE(first.actionJson, original.actionJson);
    QCOMPARE(first.digest, original.digest);
    QCOMPARE(first.createdAt, original.createdAt);
    QCOMPARE(first.deadline, original.deadline);
    QCOMPARE(first.tier, 3);
    QCOMPARE(first.rule, original.rule);
    QCOMPARE(first.approvalsRequired, 2);
    QCOMPARE(store->action(QStringLiteral("act-2")).value()->status, ActionStatus::Denied);

    const StoredAction next = pendingAction(QStringLiteral("act-4"));
    QCOMPARE(store->insertPending(next, pendingFrame(next)).value().seq, 5);
}

void TestGatewayStore::resolvedActionsAreFinal()
{
    auto store = std::move(GatewayStore::open(path())).value();
    const StoredAction action = pendingAction(QStringLiteral("act-1"));
    QVERIFY(store->insertPending(action, pendingFrame(action)));
    QVERIFY(store->resolve(resolvedFrame(action.id, protocol::Outcome::Expired), {}));
    auto again = store->resolve(resolvedFrame(action.id, protocol::Outcome::Approved), {});
    QVERIFY(!again);
    QCOMPARE(again.error().code, QStringLiteral("store.conflict"));
    protocol::ActionUpdated update;
    update.actionId = action.id;
    update.approvedBy = {QStringLiteral("rita@example.com")};
    QCOMPARE(store->recordApproval(update, acceptedDecision(action.id, QStringLiteral("nonce-1"))).error().code,
             QStringLiteral("store.conflict"));
    // The refused change recorded no decision either: one transaction.
    QVERIFY(store->decisionsFor(action.id).value().isEmpty());
    QCOMPARE(store->resolve(resolvedFrame(QStringLiteral("act-none"), protocol::Outcome::Denied), {}).error().code,
             QStringLiteral("store.conflict"));
    QCOMPARE(store->head(), 2);
    QCOMPARE(store->action(action.id).value()->status, ActionStatus::Expired);
}

void TestGatewayStore::eventsAreOrderedAndPaged()
{
    auto store = std::move(GatewayStore::open(path())).value();
    for (int i = 1; i <= 25; ++i) {
        const StoredAction action = pendingAction(QStringLiteral("act-%1").arg(i));
        QVERIFY(store->insertPending(action, pendingFrame(action)));
    }
    const QList<StoredEvent> all = store->eventsAfter(0, 100).value();
    QCOMPARE(all.size(), 25);
    for (int i = 0; i < all.size(); ++i) {
        QCOMPARE(all.at(i).seq, i + 1);
        QCOMPARE(frameJson(all.at(i)).value(QStringLiteral("seq")).toInt(), i + 1);
    }
    const QList<StoredEvent> page = store->eventsAfter(10, 5).value();
    QCOMPARE(page.size(), 5);
    QCOMPARE(page.first().seq, 11);
    QCOMPARE(page.last().seq, 15);
    QVERIFY(store->eventsAfter(25, 10).value().isEmpty());
}

void TestGatewayStore::allowedActionsPublishNothing()
{
    auto store = std::move(GatewayStore::open(path())).value();
    StoredAction action = pendingAction(QStringLiteral("act-ok"));
    action.status = ActionStatus::Allowed;
    action.deadline = action.createdAt;
    action.decidedBy = QStringLiteral("policy");
    action.resolvedAt = action.createdAt;
    QVERIFY(store->insertAllowed(action));
    QCOMPARE(store->head(), 0);
    const StoredAction stored = *store->action(action.id).value();
    QCOMPARE(stored.status, ActionStatus::Allowed);
    QCOMPARE(stored.publishedSeq, 0);
    QVERIFY(store->pendingActions().value().isEmpty());
    QVERIFY(!store->action(QStringLiteral("act-missing")).value().has_value());
}

void TestGatewayStore::duplicateIdStoresNothing()
{
    auto store = std::move(GatewayStore::open(path())).value();
    const StoredAction action = pendingAction(QStringLiteral("act-1"));
    QVERIFY(store->insertPending(action, pendingFrame(action)));
    auto duplicate = store->insertPending(action, pendingFrame(action));
    QVERIFY(!duplicate);
    QCOMPARE(duplicate.error().code, QStringLiteral("store.unavailable"));
    QCOMPARE(store->head(), 1);
    QCOMPARE(store->eventsAfter(0, 10).value().size(), 1);
}

void TestGatewayStore::busyDatabaseFailsClosed()
{
    GatewayStore::Options options;
    options.busyTimeoutMs = 50;
    auto store = std::move(GatewayStore::open(path(), options)).value();
    const StoredAction first = pendingAction(QStringLiteral("act-1"));
    QVERIFY(store->insertPending(first, pendingFrame(first)));

    // Another writer holds the lock: every write must fail whole, and say so.
    sqlite3 *other = nullptr;
    QCOMPARE(sqlite3_open(QFile::encodeName(path()).constData(), &other), SQLITE_OK);
    QCOMPARE(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);

    const StoredAction second = pendingAction(QStringLiteral("act-2"));
    auto refused = store->insertPending(second, pendingFrame(second));
    QVERIFY(!refused);
    QCOMPARE(refused.error().code, QStringLiteral("store.unavailable"));
    QVERIFY(!store->resolve(resolvedFrame(first.id, protocol::Outcome::Approved), {}));
    QCOMPARE(store->head(), 1);

    QCOMPARE(sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(other);
    QVERIFY(!store->action(second.id).value().has_value());
    QCOMPARE(store->action(first.id).value()->status, ActionStatus::Pending);
    QCOMPARE(store->insertPending(second, pendingFrame(second)).value().seq, 2);
}

void TestGatewayStore::schemaRefusesRewrites()
{
    {
        auto store = std::move(GatewayStore::open(path())).value();
        const StoredAction action = pendingAction(QStringLiteral("act-1"));
        QVERIFY(store->insertPending(action, pendingFrame(action)));
        const DecisionRecord deny = acceptedDecision(action.id, QStringLiteral("nonce-1"), QStringLiteral("deny"));
        QVERIFY(store->resolve(resolvedFrame(action.id, protocol::Outcome::Denied), {}, &deny));
    }
    sqlite3 *db = nullptr;
    QCOMPARE(sqlite3_open(QFile::encodeName(path()).constData(), &db), SQLITE_OK);
    for (const char *sql : {"UPDATE actions SET status = 'approved' WHERE id = 'act-1'",
                            "DELETE FROM actions", "UPDATE events SET frame = '{}'", "DELETE FROM events",
                            "UPDATE decisions SET verdict = 'deny'", "DELETE FROM decisions"}) {
        QVERIFY2(sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK, sql);
    }
    sqlite3_close(db);
}

void TestGatewayStore::newerSchemaIsRefused()
{
    { QVERIFY(GatewayStore::open(path())); }
    sqlite3 *db = nullptr;
    QCOMPARE(sqlite3_open(QFile::encodeName(path()).constData(), &db), SQLITE_OK);
    QCOMPARE(sqlite3_exec(db, "UPDATE meta SET value = '99' WHERE key = 'schema_version'", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
    auto store = GatewayStore::open(path());
    QVERIFY(!store);
    QCOMPARE(store.error().code, QStringLiteral("store.unsupported_version"));
}

void TestGatewayStore::version1IsMigratedAndSignaturesKept()
{
    // A version 1 database: no signature column.
    { QVERIFY(GatewayStore::open(path())); }
    sqlite3 *db = nullptr;
    QCOMPARE(sqlite3_open(QFile::encodeName(path()).constData(), &db), SQLITE_OK);
    QCOMPARE(sqlite3_exec(db, "ALTER TABLE actions DROP COLUMN signature; DROP TABLE decisions; "
                              "UPDATE meta SET value = '1' WHERE key = 'schema_version'",
                          nullptr, nullptr, nullptr),
             SQLITE_OK);
    sqlite3_close(db);

    auto store = GatewayStore::open(path());
    QVERIFY2(store, qPrintable(store ? QString() : store.error().toString()));
    const StoredAction action = pendingAction(QStringLiteral("act-1"));
    protocol::ActionPending frame = pendingFrame(action);
    frame.signature = "header.payload.signature";
    auto event = store.value()->insertPending(action, frame);
    QVERIFY(event);
    QCOMPARE(frameJson(event.value()).value(QStringLiteral("signature")).toString(), QStringLiteral("header.payload.signature"));
    QCOMPARE(store.value()->action(action.id).value()->signature, QByteArray("header.payload.signature"));
    QCOMPARE(store.value()->pendingActions().value().first().signature, QByteArray("header.payload.signature"));
    // Version 3's decisions table is there too.
    QVERIFY(store.value()->recordRefusedDecision(DecisionRecord{}));
}

void TestGatewayStore::aNonceIsAcceptedOnce()
{
    auto store = std::move(GatewayStore::open(path())).value();
    const StoredAction first = pendingAction(QStringLiteral("act-1"));
    const StoredAction second = pendingAction(QStringLiteral("act-2"));
    QVERIFY(store->insertPending(first, pendingFrame(first)));
    QVERIFY(store->insertPending(second, pendingFrame(second)));
    protocol::ActionUpdated update;
    update.actionId = first.id;
    update.approvedBy = {QStringLiteral("rita@example.com")};
    QVERIFY(store->recordApproval(update, acceptedDecision(first.id, QStringLiteral("nonce-1"))));
    const qint64 head = store->head();

    // The same nonce on another action: refused, and nothing of that transaction remains.
    const DecisionRecord reused = acceptedDecision(second.id, QStringLiteral("nonce-1"), QStringLiteral("deny"));
    auto replayed = store->resolve(resolvedFrame(second.id, protocol::Outcome::Denied), {}, &reused);
    QVERIFY(!replayed);
    QCOMPARE(replayed.error().code, QStringLiteral("store.duplicate_nonce"));
    QCOMPARE(store->head(), head);
    QCOMPARE(store->action(second.id).value()->status, ActionStatus::Pending);

    // Refusals are kept however often a nonce comes back.
    DecisionRecord refused = reused;
    refused.accepted = false;
    refused.code = QStringLiteral("decision.replayed");
    QVERIFY(store->recordRefusedDecision(refused));
    QVERIFY(store->recordRefusedDecision(refused));
    const QList<DecisionRecord> kept = store->decisionsFor(second.id).value();
    QCOMPARE(kept.size(), 2);
    QCOMPARE(kept.at(0).code, QStringLiteral("decision.replayed"));
    QCOMPARE(kept.at(0).token, reused.token);
    QVERIFY(!kept.at(0).accepted);

    const auto accepted = store->acceptedDecision(QStringLiteral("nonce-1")).value();
    QVERIFY(accepted.has_value());
    QCOMPARE(accepted->actionId, first.id);
    QCOMPARE(accepted->token, QByteArray("header.payload.nonce-1"));
    QCOMPARE(accepted->at, kCreated.addSecs(30));
    QVERIFY(!store->acceptedDecision(QStringLiteral("nonce-2")).value().has_value());
}

QTEST_GUILESS_MAIN(TestGatewayStore)
#include "TestGatewayStore.moc"
