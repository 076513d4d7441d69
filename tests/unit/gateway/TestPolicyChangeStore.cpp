// The store's record of policy changes: appended in order, read back whole, never updated or
// deleted (the schema refuses it), kept across reopening, added by migration to an older
// database, and refused (so not applied) when the database cannot take the write.
#include "gateway/GatewayStore.h"

#include "tests/support/RawSqlite.h"

#include <QTemporaryDir>
#include <QTest>

#include <sqlite3.h>

using namespace countersign;
using namespace countersign::gateway;

namespace {

PolicyChange change(const QString &command, const QString &target, const QByteArray &document)
{
    PolicyChange c;
    c.at = QDateTime(QDate(2026, 11, 30), QTime(12, 0, 0, 125), Qt::UTC);
    c.actor = QStringLiteral("ops@example.com");
    c.command = command;
    c.target = target;
    c.before = "null";
    c.after = "{\"id\":\"" + target.toUtf8() + "\"}";
    c.why = QStringLiteral("ticket SEC-42");
    c.document = document;
    return c;
}

using countersign::testsupport::execRaw;

} // namespace

class TestPolicyChangeStore final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void emptyStoreHasNoPolicy();
    void appendsAndListsInOrder();
    void survivesReopening();
    void historyCannotBeRewritten();
    void incompleteChangesAreRefused();
    void busyDatabaseRefusesTheChange();
    void olderDatabaseIsMigrated();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_path;
};

void TestPolicyChangeStore::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_path = m_dir->filePath(QStringLiteral("gateway.db"));
}

void TestPolicyChangeStore::emptyStoreHasNoPolicy()
{
    auto store = GatewayStore::open(m_path);
    QVERIFY(store);
    auto latest = store.value()->latestPolicyDocument();
    QVERIFY(latest);
    QVERIFY(!latest.value().has_value());
    auto changes = store.value()->policyChanges(0, 100);
    QVERIFY(changes);
    QVERIFY(changes.value().isEmpty());
}

void TestPolicyChangeStore::appendsAndListsInOrder()
{
    auto store = GatewayStore::open(m_path);
    QVERIFY(store);
    auto first = store.value()->appendPolicyChange(change(QStringLiteral("bootstrap"), QStringLiteral("v1"), "{\"version\":\"v1\"}"));
    QVERIFY2(first, qPrintable(first.ok() ? QString() : first.error().toString()));
    QCOMPARE(first.value(), 1);
    auto second = store.value()->appendPolicyChange(change(QStringLiteral("agents.add"), QStringLiteral("mail-agent"), "{\"version\":\"v1\",\"n\":2}"));
    QVERIFY(second);
    QCOMPARE(second.value(), 2);

    auto latest = store.value()->latestPolicyDocument();
    QVERIFY(latest && latest.value());
    QCOMPARE(*latest.value(), QByteArray("{\"version\":\"v1\",\"n\":2}"));

    auto all = store.value()->policyChanges(0, 100, true);
    QVERIFY(all);
    QCOMPARE(all.value().size(), 2);
    const PolicyChange &c = all.value().at(1);
    QCOMPARE(c.seq, 2);
    QCOMPARE(c.at, QDateTime(QDate(2026, 11, 30), QTime(12, 0, 0, 125), Qt::UTC));
    QCOMPARE(c.actor, QStringLiteral("ops@example.com"));
    QCOMPARE(c.command, QStringLiteral("agents.add"));
    QCOMPARE(c.target, QStringLiteral("mail-agent"));
    QCOMPARE(c.before, QByteArray("null"));
    QCOMPARE(c.after, QByteArray("{\"id\":\"mail-agent\"}"));
    QCOMPARE(c.why, QStringLiteral("ticket SEC-42"));
    QCOMPARE(c.document, QByteArray("{\"version\":\"v1\",\"n\":2}"));

    auto page = store.value()->policyChanges(1, 100);
    QVERIFY(page);
    QCOMPARE(page.value().size(), 1);
    QCOMPARE(page.value().at(0).seq, 2);
    QVERIFY(page.value().at(0).document.isEmpty()); // not asked for
    auto limited = store.value()->policyChanges(0, 1);
    QVERIFY(limited);
    QCOMPARE(limited.value().size(), 1);
    QCOMPARE(limited.value().at(0).seq, 1);
}

void TestPolicyChangeStore::survivesReopening()
{
    {
        auto store = GatewayStore::open(m_path);
        QVERIFY(store);
        QVERIFY(store.value()->appendPolicyChange(change(QStringLiteral("bootstrap"), QStringLiteral("v1"), "{\"a\":1}")));
    }
    auto store = GatewayStore::open(m_path);
    QVERIFY(store);
    auto latest = store.value()->latestPolicyDocument();
    QVERIFY(latest && latest.value());
    QCOMPARE(*latest.value(), QByteArray("{\"a\":1}"));
    auto next = store.value()->appendPolicyChange(change(QStringLiteral("policy.set"), QStringLiteral("v2"), "{\"a\":2}"));
    QVERIFY(next);
    QCOMPARE(next.value(), 2);
}

void TestPolicyChangeStore::historyCannotBeRewritten()
{
    {
        auto store = GatewayStore::open(m_path);
        QVERIFY(store);
        QVERIFY(store.value()->appendPolicyChange(change(QStringLiteral("bootstrap"), QStringLiteral("v1"), "{\"a\":1}")));
    }
    QCOMPARE(execRaw(m_path, "UPDATE policy_changes SET why = 'nothing to see'"), SQLITE_CONSTRAINT);
    QCOMPARE(execRaw(m_path, "UPDATE policy_changes SET document = '{}'"), SQLITE_CONSTRAINT);
    QCOMPARE(execRaw(m_path, "DELETE FROM policy_changes"), SQLITE_CONSTRAINT);
    auto store = GatewayStore::open(m_path);
    QVERIFY(store);
    auto all = store.value()->policyChanges(0, 100, true);
    QVERIFY(all);
    QCOMPARE(all.value().size(), 1);
    QCOMPARE(all.value().at(0).why, QStringLiteral("ticket SEC-42"));
}

void TestPolicyChangeStore::incompleteChangesAreRefused()
{
    auto store = GatewayStore::open(m_path);
    QVERIFY(store);
    PolicyChange noWhy = change(QStringLiteral("agents.add"), QStringLiteral("x"), "{}");
    noWhy.why = QStringLiteral("   ");
    PolicyChange noActor = change(QStringLiteral("agents.add"), QStringLiteral("x"), "{}");
    noActor.actor.clear();
    PolicyChange noDocument = change(QStringLiteral("agents.add"), QStringLiteral("x"), {});
    for (const PolicyChange &c : {noWhy, noActor, noDocument}) {
        auto appended = store.value()->appendPolicyChange(c);
        QVERIFY(!appended);
        QCOMPARE(appended.error().code, QStringLiteral("store.invalid"));
    }
    auto all = store.value()->policyChanges(0, 100);
    QVERIFY(all);
    QVERIFY(all.value().isEmpty());
}

void TestPolicyChangeStore::busyDatabaseRefusesTheChange()
{
    GatewayStore::Options options;
    options.busyTimeoutMs = 50;
    auto store = GatewayStore::open(m_path, options);
    QVERIFY(store);
    // Another writer holds the database.
    sqlite3 *other = nullptr;
    QCOMPARE(sqlite3_open_v2(QFile::encodeName(m_path).constData(), &other, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
    QCOMPARE(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
    auto appended = store.value()->appendPolicyChange(change(QStringLiteral("agents.add"), QStringLiteral("x"), "{}"));
    QVERIFY(!appended);
    QCOMPARE(appended.error().code, QStringLiteral("store.unavailable"));
    QCOMPARE(sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close_v2(other);
    auto latest = store.value()->latestPolicyDocument();
    QVERIFY(latest);
    QVERIFY(!latest.value().has_value());
}

void TestPolicyChangeStore::olderDatabaseIsMigrated()
{
    {
        auto store = GatewayStore::open(m_path);
        QVERIFY(store);
    }
    // Make it look like a database written before policy changes were recorded.
    QCOMPARE(execRaw(m_path, "DROP TRIGGER policy_changes_no_update; DROP TRIGGER policy_changes_no_delete; "
                             "DROP TABLE policy_changes; UPDATE meta SET value = '3' WHERE key = 'schema_version'"),
             SQLITE_OK);
    auto store = GatewayStore::open(m_path);
    QVERIFY2(store, qPrintable(store.ok() ? QString() : store.error().toString()));
    QVERIFY(store.value()->appendPolicyChange(change(QStringLiteral("bootstrap"), QStringLiteral("v1"), "{}")));
    QCOMPARE(execRaw(m_path, "DELETE FROM policy_changes"), SQLITE_CONSTRAINT);

    sqlite3 *db = nullptr;
    QCOMPARE(sqlite3_open_v2(QFile::encodeName(m_path).constData(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    sqlite3_stmt *statement = nullptr;
    QCOMPARE(sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = 'schema_version'", -1, &statement, nullptr), SQLITE_OK);
    QCOMPARE(sqlite3_step(statement), SQLITE_ROW);
    const QByteArray version(reinterpret_cast<const char *>(sqlite3_column_text(statement, 0)));
    sqlite3_finalize(statement);
    sqlite3_close_v2(db);
    QCOMPARE(version, QByteArray::number(GatewayStore::kSchemaVersion));
}

QTEST_GUILESS_MAIN(TestPolicyChangeStore)
#include "TestPolicyChangeStore.moc"
