// The audit log's storage against real SQLite files: appends chain and hash as documented,
// reopening restores the tree without rehashing, paging and filters, and every way an append
// can fail (bad input, a full disk, a read-only file) leaves the log exactly as it was.
#include "core/audit/AuditLog.h"

#include "core/audit/Checkpoint.h"
#include "core/json/Json.h"
#include "tests/support/RawSqlite.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <sqlite3.h>
#include <unistd.h>

using namespace countersign;
using namespace countersign::audit;
using countersign::testsupport::execRaw;

namespace {

NewEntry sampleEntry(int i, const QString &kind = QStringLiteral("submission.accepted"))
{
    return NewEntry{kind, QStringLiteral("agent-%1").arg(i % 3), QStringLiteral("act-%1").arg(i),
                    QJsonObject{{QStringLiteral("n"), i}, {QStringLiteral("tool"), QStringLiteral("crm.lookup")}}};
}

std::unique_ptr<AuditLog> openLog(const QString &path, const Clock *clock = nullptr)
{
    AuditLog::Options options;
    options.clock = clock;
    auto log = AuditLog::open(path, options);
    if (!log) {
        qWarning("%s", qPrintable(log.error().toString()));
        return nullptr;
    }
    return std::move(log).value();
}

} // namespace

class TestAuditLog final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void leafBytesAreTheDocumentedCanonicalJson();
    void appendsChainAndReopenRestoresTheTree();
    void invalidEntriesAreRefusedAndNothingIsAppended_data();
    void invalidEntriesAreRefusedAndNothingIsAppended();
    void pagesAndFilters();
    void schemaRefusesUpdateDeleteAndOutOfOrderInserts();
    void fullDiskFailsTheWholeBatch();
    void readOnlyFileCannotBeAppendedTo();
    void foreignAndNewerFilesAreNamed();
    void tamperedTreeStateIsCorrupt();
    void checkpointsAreSignedTreeHeads();

private:
    QTemporaryDir m_dir;
    int m_file = 0;
    QString freshPath() { return m_dir.filePath(QStringLiteral("audit-%1.db").arg(++m_file)); }
};

void TestAuditLog::leafBytesAreTheDocumentedCanonicalJson()
{
    const QByteArray prev = QByteArray::fromHex("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
    const QByteArray bytes = leafBytes(7, QStringLiteral("2026-01-01T12:00:00.000Z"), QStringLiteral("decision.accepted"),
                                       QStringLiteral("rita@example.com"), QStringLiteral("act-\"1\""),
                                       QByteArray("{\"a\":[1,\"é\"]}"), prev);
    QCOMPARE(bytes, QByteArray("{\"actor\":\"rita@example.com\",\"kind\":\"decision.accepted\",\"payload\":{\"a\":[1,\"é\"]},"
                               "\"prevHash\":\"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\","
                               "\"seq\":7,\"subject\":\"act-\\\"1\\\"\",\"time\":\"2026-01-01T12:00:00.000Z\"}"));
    // Exactly what the canonicalizer makes of the same object, so any JCS implementation agrees.
    const auto parsed = json::parse(bytes);
    QVERIFY(parsed);
    QCOMPARE(json::canonicalize(parsed.value()), bytes);
}

void TestAuditLog::appendsChainAndReopenRestoresTheTree()
{
    const QString path = freshPath();
    ManualClock clock;
    {
        auto log = openLog(path, &clock);
        QVERIFY(log);
        QCOMPARE(log->size(), 0);
        QCOMPARE(log->root(), emptyRoot());
        QByteArray prev(kHashSize, '\0');
        for (int i = 1; i <= 5; ++i) {
            clock.advanceMs(1500);
            auto entry = log->append(sampleEntry(i));
            QVERIFY2(entry, qPrintable(entry ? QString() : entry.error().toString()));
            QCOMPARE(entry.value().seq, i);
            QCOMPARE(entry.value().prevHash, prev);
            QCOMPARE(entry.value().time, clock.nowUtc().toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss.zzzZ")));
            QCOMPARE(entry.value().leafHash, leafHash(leafBytes(entry.value())));
            prev = entry.value().leafHash;
        }
        QCOMPARE(log->lastHash(), prev);
        const auto recomputed = rootOf(5, log->leafSource());
        QVERIFY(recomputed);
        QCOMPARE(log->root(), recomputed.value());
    }
    auto reopened = openLog(path, &clock);
    QVERIFY(reopened);
    QCOMPARE(reopened->size(), 5);
    const auto fromLeaves = rootOf(5, reopened->leafSource());
    QVERIFY(fromLeaves);
    QCOMPARE(reopened->root(), fromLeaves.value());
    // Appends after a reopen continue the chain and the tree.
    QList<NewEntry> batch;
    for (int i = 6; i <= 13; ++i)
        batch.append(sampleEntry(i));
    auto written = reopened->appendBatch(batch);
    QVERIFY(written);
    QCOMPARE(written.value().size(), 8);
    QCOMPARE(written.value().first().seq, 6);
    QCOMPARE(reopened->size(), 13);
    const auto stored = reopened->entry(5);
    QVERIFY(stored);
    QCOMPARE(written.value().first().prevHash, stored.value().leafHash);
    const auto after = rootOf(13, reopened->leafSource());
    QVERIFY(after);
    QCOMPARE(reopened->root(), after.value());
    // The stored entry reads back as written, payload canonical.
    QCOMPARE(reopened->entry(13).value(), written.value().last());
    QCOMPARE(written.value().last().payload, QByteArray("{\"n\":13,\"tool\":\"crm.lookup\"}"));
}

void TestAuditLog::invalidEntriesAreRefusedAndNothingIsAppended_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("actor");
    QTest::addColumn<QString>("subject");
    QTest::addColumn<int>("payloadBytes");
    QTest::addColumn<QString>("named");

    QTest::newRow("kind not dotted") << "accepted" << "gw" << "" << 0 << "kind";
    QTest::newRow("kind uppercase") << "Decision.Accepted" << "gw" << "" << 0 << "kind";
    QTest::newRow("empty actor") << "auth.failed" << "" << "" << 0 << "actor";
    QTest::newRow("actor with bidi override") << "auth.failed" << QStringLiteral("ev\u202Eil") << "" << 0 << "actor";
    QTest::newRow("subject with newline") << "auth.failed" << "gw" << "a\nb" << 0 << "subject";
    QTest::newRow("subject too long") << "auth.failed" << "gw" << QString(300, QLatin1Char('s')) << 0 << "subject";
    QTest::newRow("payload over the limit") << "auth.failed" << "gw" << "" << int(kMaxPayloadBytes) << "payload";
}

void TestAuditLog::invalidEntriesAreRefusedAndNothingIsAppended()
{
    QFETCH(QString, kind);
    QFETCH(QString, actor);
    QFETCH(QString, subject);
    QFETCH(int, payloadBytes);
    QFETCH(QString, named);

    auto log = openLog(freshPath());
    QVERIFY(log);
    QVERIFY(log->append(sampleEntry(1)));
    const QByteArray rootBefore = log->root();
    NewEntry bad{kind, actor, subject, {}};
    if (payloadBytes > 0)
        bad.payload.insert(QStringLiteral("blob"), QString(payloadBytes, QLatin1Char('x')));
    // The bad entry is the second of a batch: the good first one is not appended either.
    auto result = log->appendBatch({sampleEntry(2), bad});
    QVERIFY(!result);
    QCOMPARE(result.error().code, QStringLiteral("audit.invalid_entry"));
    QVERIFY2(result.error().message.contains(named), qPrintable(result.error().message));
    QVERIFY(result.error().message.contains(QStringLiteral("entry 2 of 2")));
    QCOMPARE(log->size(), 1);
    QCOMPARE(log->root(), rootBefore);
}

void TestAuditLog::pagesAndFilters()
{
    ManualClock clock(QDateTime(QDate(2026, 3, 1), QTime(9, 0), Qt::UTC));
    auto log = openLog(freshPath(), &clock);
    QVERIFY(log);
    for (int i = 1; i <= 25; ++i) {
        clock.advanceMs(60'000);
        QVERIFY(log->append(sampleEntry(i, i % 5 == 0 ? QStringLiteral("action.denied_by_timeout")
                                                       : QStringLiteral("submission.accepted"))));
    }
    // Keyset paging: each page starts after the last seq of the one before.
    QList<qint64> seen;
    qint64 after = 0;
    QList<int> pageSizes;
    for (;;) {
        auto page = log->entries(after, 10);
        QVERIFY(page);
        if (page.value().isEmpty())
            break;
        pageSizes.append(int(page.value().size()));
        for (const AuditEntry &entry : page.value())
            seen.append(entry.seq);
        after = page.value().last().seq;
    }
    QCOMPARE(pageSizes, (QList<int>{10, 10, 5}));
    QCOMPARE(seen.size(), 25);
    QCOMPARE(seen.first(), 1);
    QCOMPARE(seen.last(), 25);

    EntryFilter timeouts;
    timeouts.kinds = {QStringLiteral("action.denied_by_timeout")};
    auto expired = log->entries(0, 100, timeouts);
    QVERIFY(expired);
    QCOMPARE(expired.value().size(), 5);
    QCOMPARE(expired.value().at(1).seq, 10);

    EntryFilter range;
    range.fromSeq = 4;
    range.toSeq = 8;
    auto ranged = log->entries(0, 100, range);
    QVERIFY(ranged);
    QCOMPARE(ranged.value().size(), 5);
    QCOMPARE(ranged.value().first().seq, 4);

    // Entry i is at 09:00 + i minutes: [09:10, 09:15) holds seq 10..14.
    EntryFilter window;
    window.since = QStringLiteral("2026-03-01T09:10:00.000Z");
    window.until = QStringLiteral("2026-03-01T09:15:00.000Z");
    auto windowed = log->entries(0, 100, window);
    QVERIFY(windowed);
    QCOMPARE(windowed.value().size(), 5);
    QCOMPARE(windowed.value().first().seq, 10);
    QCOMPARE(windowed.value().last().seq, 14);

    QVERIFY(!log->entries(0, 0));
    QVERIFY(!log->entries(0, kMaxPageSize + 1));
    QCOMPARE(log->entry(26).error().code, QStringLiteral("audit.not_found"));
}

void TestAuditLog::schemaRefusesUpdateDeleteAndOutOfOrderInserts()
{
    const QString path = freshPath();
    {
        auto log = openLog(path);
        QVERIFY(log);
        QVERIFY(log->appendBatch({sampleEntry(1), sampleEntry(2)}));
    }
    QCOMPARE(execRaw(path, "UPDATE entries SET actor = 'someone else' WHERE seq = 1") & 0xff, SQLITE_CONSTRAINT);
    QCOMPARE(execRaw(path, "DELETE FROM entries WHERE seq = 2") & 0xff, SQLITE_CONSTRAINT);
    QCOMPARE(execRaw(path, "INSERT INTO entries VALUES (5, 't', 'a.b', 'x', '', '{}', zeroblob(32), zeroblob(32))") & 0xff,
             SQLITE_CONSTRAINT);
    QCOMPARE(execRaw(path, "INSERT INTO entries VALUES (3, 't', 'a.b', 'x', '', '{}', zeroblob(32), zeroblob(32))") & 0xff,
             SQLITE_CONSTRAINT);
    QCOMPARE(execRaw(path, "UPDATE audit_meta SET value = '2' WHERE key = 'version'") & 0xff, SQLITE_CONSTRAINT);
    auto log = openLog(path);
    QVERIFY(log);
    QCOMPARE(log->size(), 2);
}

void TestAuditLog::fullDiskFailsTheWholeBatch()
{
    const QString path = freshPath();
    qint64 pages = 0;
    QByteArray rootBefore;
    {
        auto log = openLog(path);
        QVERIFY(log);
        QVERIFY(log->appendBatch({sampleEntry(1), sampleEntry(2), sampleEntry(3)}));
        rootBefore = log->root();
    }
    {
        sqlite3 *db = nullptr;
        QCOMPARE(sqlite3_open_v2(QFile::encodeName(path).constData(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
        sqlite3_stmt *stmt = nullptr;
        QCOMPARE(sqlite3_prepare_v2(db, "PRAGMA page_count", -1, &stmt, nullptr), SQLITE_OK);
        QCOMPARE(sqlite3_step(stmt), SQLITE_ROW);
        pages = sqlite3_column_int64(stmt, 0);
        sqlite3_finalize(stmt);
        sqlite3_close_v2(db);
    }
    QVERIFY(pages > 0);

    // The "disk" has room for two more pages: a batch of 50 KiB entries cannot fit.
    AuditLog::Options options;
    options.maxPageCount = pages + 2;
    auto opened = AuditLog::open(path, options);
    QVERIFY2(opened, qPrintable(opened ? QString() : opened.error().toString()));
    auto &log = opened.value();
    QList<NewEntry> batch;
    for (int i = 4; i <= 20; ++i) {
        NewEntry entry = sampleEntry(i);
        entry.payload.insert(QStringLiteral("blob"), QString(50'000, QLatin1Char('a' + i % 26)));
        batch.append(entry);
    }
    auto result = log->appendBatch(batch);
    QVERIFY(!result);
    QCOMPARE(result.error().code, QStringLiteral("audit.unavailable"));
    QVERIFY2(result.error().message.contains(QStringLiteral("full")), qPrintable(result.error().message));
    QCOMPARE(log->size(), 3);
    QCOMPARE(log->root(), rootBefore);
    // A small entry still fits, chained to the last stored entry, not to anything of the batch.
    auto small = log->append(sampleEntry(4));
    QVERIFY2(small, qPrintable(small ? QString() : small.error().toString()));
    QCOMPARE(small.value().seq, 4);
    log.reset();

    auto reopened = openLog(path);
    QVERIFY(reopened);
    QCOMPARE(reopened->size(), 4);
    QCOMPARE(reopened->entry(4).value().prevHash, reopened->entry(3).value().leafHash);
    QCOMPARE(reopened->root(), rootOf(4, reopened->leafSource()).value());
}

void TestAuditLog::readOnlyFileCannotBeAppendedTo()
{
    const QString path = freshPath();
    {
        auto log = openLog(path);
        QVERIFY(log);
        QVERIFY(log->appendBatch({sampleEntry(1), sampleEntry(2)}));
    }
    // As root, permissions do not stop a write; the immutable attribute does.
    QVERIFY(QFile::setPermissions(path, QFileDevice::ReadOwner));
    bool immutable = false;
    if (::geteuid() == 0) {
        immutable = QProcess::execute(QStringLiteral("chattr"), {QStringLiteral("+i"), path}) == 0;
        if (!immutable)
            QSKIP("running as root where chattr +i is not available: a read-only file cannot be made");
    }
    auto refused = AuditLog::open(path);
    if (immutable)
        QProcess::execute(QStringLiteral("chattr"), {QStringLiteral("-i"), path});
    QVERIFY(!refused);
    QCOMPARE(refused.error().code, QStringLiteral("audit.unavailable"));
    QVERIFY2(refused.error().message.contains(path), qPrintable(refused.error().message));

    // Read-only opening is for readers; it refuses to write rather than failing later.
    AuditLog::Options readOnly;
    readOnly.readOnly = true;
    auto reader = AuditLog::open(path, readOnly);
    QVERIFY2(reader, qPrintable(reader ? QString() : reader.error().toString()));
    QCOMPARE(reader.value()->size(), 2);
    auto write = reader.value()->append(sampleEntry(3));
    QVERIFY(!write);
    QCOMPARE(write.error().code, QStringLiteral("audit.read_only"));
    QCOMPARE(reader.value()->size(), 2);
}

void TestAuditLog::foreignAndNewerFilesAreNamed()
{
    const QString text = freshPath();
    {
        QFile file(text);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QByteArray("this is a text file, long enough to look like a header of something\n").repeated(20));
    }
    auto notSqlite = AuditLog::open(text);
    QVERIFY(!notSqlite);
    QCOMPARE(notSqlite.error().code, QStringLiteral("audit.foreign_file"));

    const QString other = freshPath();
    {
        sqlite3 *db = nullptr;
        QCOMPARE(sqlite3_open_v2(QFile::encodeName(other).constData(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr),
                 SQLITE_OK);
        QCOMPARE(sqlite3_exec(db, "CREATE TABLE actions (id TEXT)", nullptr, nullptr, nullptr), SQLITE_OK);
        sqlite3_close_v2(db);
    }
    auto foreign = AuditLog::open(other);
    QVERIFY(!foreign);
    QCOMPARE(foreign.error().code, QStringLiteral("audit.foreign_file"));

    AuditLog::Options readOnly;
    readOnly.readOnly = true;
    auto missing = AuditLog::open(m_dir.filePath(QStringLiteral("nothing-here.db")), readOnly);
    QVERIFY(!missing);
    QCOMPARE(missing.error().code, QStringLiteral("audit.unavailable"));
    QVERIFY(missing.error().message.contains(QStringLiteral("no such file")));

    const QString newer = freshPath();
    QVERIFY(openLog(newer));
    QCOMPARE(execRaw(newer, "DROP TRIGGER audit_meta_no_update; UPDATE audit_meta SET value = '99' WHERE key = 'version'"),
             SQLITE_OK);
    auto unsupported = AuditLog::open(newer);
    QVERIFY(!unsupported);
    QCOMPARE(unsupported.error().code, QStringLiteral("audit.unsupported_version"));
    QVERIFY(unsupported.error().message.contains(QStringLiteral("99")));
}

void TestAuditLog::tamperedTreeStateIsCorrupt()
{
    const QString path = freshPath();
    {
        auto log = openLog(path);
        QVERIFY(log);
        QVERIFY(log->appendBatch({sampleEntry(1), sampleEntry(2), sampleEntry(3)}));
    }
    // A tail deleted around the triggers no longer matches the recorded tree state.
    QCOMPARE(execRaw(path, "DROP TRIGGER entries_no_delete; DELETE FROM entries WHERE seq = 3"), SQLITE_OK);
    auto opened = AuditLog::open(path);
    QVERIFY(!opened);
    QCOMPARE(opened.error().code, QStringLiteral("audit.corrupt"));
    QVERIFY2(opened.error().message.contains(QStringLiteral("3 entries")), qPrintable(opened.error().message));
}

void TestAuditLog::checkpointsAreSignedTreeHeads()
{
    const auto key = crypto::Ed25519PrivateKey::generate();
    QVERIFY(key);
    const QString origin = QStringLiteral("countersign.test/gw-1");
    const QString path = freshPath();
    auto log = openLog(path);
    QVERIFY(log);
    QCOMPARE(log->writeCheckpoint(origin, key.value()).error().code, QStringLiteral("audit.empty"));

    QVERIFY(log->appendBatch({sampleEntry(1), sampleEntry(2), sampleEntry(3)}));
    auto first = log->writeCheckpoint(origin, key.value());
    QVERIFY2(first, qPrintable(first ? QString() : first.error().toString()));
    QCOMPARE(first.value().size, 3);
    QCOMPARE(first.value().rootHash, log->root());
    const NoteVerifier verifier(origin, key.value().publicKey());
    auto verified = verifyNote(first.value().note, {verifier});
    QVERIFY2(verified, qPrintable(verified ? QString() : verified.error().toString()));
    auto checkpoint = parseCheckpoint(verified.value().text);
    QVERIFY(checkpoint);
    QCOMPARE(checkpoint.value().origin, origin);
    QCOMPARE(checkpoint.value().size, 3);
    QCOMPARE(checkpoint.value().rootHash, log->root());
    // The same size again is the stored note, not a second one.
    QCOMPARE(log->writeCheckpoint(origin, key.value()).value().note, first.value().note);

    QVERIFY(log->append(sampleEntry(4)));
    QVERIFY(log->writeCheckpoint(origin, key.value()));
    log.reset();
    auto reopened = openLog(path);
    QVERIFY(reopened);
    auto all = reopened->checkpoints();
    QVERIFY(all);
    QCOMPARE(all.value().size(), 2);
    QCOMPARE(all.value().at(0).size, 3);
    QCOMPARE(all.value().at(1).size, 4);
    QCOMPARE(all.value().at(1).rootHash, reopened->root());
    QCOMPARE(execRaw(path, "DELETE FROM checkpoints") & 0xff, SQLITE_CONSTRAINT);
    QCOMPARE(execRaw(path, "UPDATE checkpoints SET note = 'x'") & 0xff, SQLITE_CONSTRAINT);
}

QTEST_GUILESS_MAIN(TestAuditLog)
#include "test_audit_log.moc"
