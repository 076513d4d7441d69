// The browse index and its queries against real log files written by the gateway-shaped
// generator: every filter finds exactly the entries the generator says it should (found by
// paging with small pages), search treats its text as words and phrases only, the filter lists,
// the index's own append-only rules, time that never goes back, decision signature status from
// the log's own enrolments, the index kept up behind the appends (in any chunks, by any number
// of writers, never read by the verifier), and — on a log of 200,000 entries — that every page query walks an
// index rather than scanning (asserted on SQLite's query plan, never on timing).
#include "core/audit/AuditExport.h"
#include "core/audit/AuditIndex.h"
#include "core/audit/AuditIndexer.h"
#include "core/audit/AuditLog.h"
#include "core/audit/AuditQuery.h"
#include "core/audit/AuditVerifier.h"
#include "core/crypto/Digest.h"
#include "core/json/FieldReader.h"
#include "core/json/Json.h"
#include "tests/support/AuditLogGenerator.h"
#include "tests/support/RawSqlite.h"

#include <functional>

#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <sqlite3.h>

using namespace countersign;
using namespace countersign::audit;
using countersign::testsupport::ExpectedEntry;
using countersign::testsupport::execRaw;

using KeepEntry = std::function<bool(const countersign::testsupport::ExpectedEntry &)>;
Q_DECLARE_METATYPE(countersign::audit::BrowseFilter)
Q_DECLARE_METATYPE(KeepEntry)

namespace {

std::unique_ptr<AuditLog> openReadOnly(const QString &path)
{
    AuditLog::Options options;
    options.readOnly = true;
    auto log = AuditLog::open(path, options);
    if (!log) {
        qWarning("%s", qPrintable(log.error().toString()));
        return nullptr;
    }
    return std::move(log).value();
}

// What a filter should find, from the generator's record, newest first.
QList<qint64> expectedSeqs(const QList<ExpectedEntry> &entries, const std::function<bool(const ExpectedEntry &)> &keep)
{
    QList<qint64> seqs;
    for (auto it = entries.crbegin(); it != entries.crend(); ++it) {
        if (keep(*it))
            seqs.append(it->seq);
    }
    return seqs;
}

// Every page of a filter, pageSize at a time.
QList<qint64> browseAll(const AuditLog &log, const BrowseFilter &filter, int pageSize, QString *error = nullptr)
{
    QList<qint64> seqs;
    qint64 before = 0;
    for (;;) {
        const auto page = log.browse(before, pageSize, filter);
        if (!page) {
            if (error)
                *error = page.error().toString();
            return {};
        }
        if (page.value().size() > pageSize) {
            if (error)
                *error = QStringLiteral("a page is longer than asked for");
            return {};
        }
        for (const BrowseRow &row : page.value())
            seqs.append(row.seq);
        if (page.value().size() < pageSize)
            return seqs;
        before = page.value().last().seq;
    }
}

// The plan of a page query scans nothing: every table is reached through an index (the
// full-text index is a virtual table, which SQLite reports as a scan of it) and nothing is
// sorted after the fact.
QString scanIn(const QStringList &plan)
{
    for (const QString &step : plan) {
        if (step.contains(QLatin1String("TEMP B-TREE")))
            return step;
        if (step.startsWith(QLatin1String("SCAN ")) && !step.contains(QLatin1String("VIRTUAL TABLE")))
            return step;
    }
    return {};
}

} // namespace

class TestAuditBrowse final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void indexRecordsWhatTheGatewayDid();
    void filtersFindExactlyTheirEntries_data();
    void filtersFindExactlyTheirEntries();
    void searchFindsWordsAndPhrases();
    void searchTextIsNeverQuerySyntax_data();
    void searchTextIsNeverQuerySyntax();
    void searchQueryQuotesEveryTerm();
    void searchAndFilterLimits();
    void pagingBoundaries();
    void distinctValuesListTheIndexedValues();
    void invalidFiltersAreNamed();
    void exportWritesTheFilteredEntriesInTheSharedFormat();
    void indexIsAppendOnly();
    void timeNeverGoesBackwards();
    void aTimeBoundIsASeqBound();
    void indexFollowsTheLogInAnyChunks();
    void indexUpdatesAreRefusedWhenTheyCannotHappen();
    void twoWritersIndexEachEntryOnce();
    void indexerKeepsUpBehindTheAppends();
    void decisionSignaturesAreCheckedAgainstTheLogsOwnEnrolments();
    void verifierReportsEachCheckpoint();
    void pageQueriesWalkAnIndexOnALargeLog_data();
    void pageQueriesWalkAnIndexOnALargeLog();
    void aTimeRangeFarBackCostsNoMoreThanARecentOne_data();
    void aTimeRangeFarBackCostsNoMoreThanARecentOne();

private:
    QTemporaryDir m_dir;
    testsupport::GeneratedAuditLog m_small;
    std::unique_ptr<AuditLog> m_log;
    testsupport::GeneratedAuditLog m_large;
    std::unique_ptr<std::optional<std::unique_ptr<AuditLog>>> m_largeLog; // set once generation was tried
};

void TestAuditBrowse::initTestCase()
{
    QVERIFY(m_dir.isValid());
    testsupport::AuditLogSpec spec;
    spec.actions = 90;
    auto generated = testsupport::generateAuditLog(m_dir.filePath(QStringLiteral("small.db")), spec);
    QVERIFY2(generated, qPrintable(generated ? QString() : generated.error().toString()));
    m_small = generated.value();
    m_log = openReadOnly(m_small.path);
    QVERIFY(m_log);
    QCOMPARE(m_log->size(), m_small.entries.size());
}

void TestAuditBrowse::indexRecordsWhatTheGatewayDid()
{
    // Everything, newest first, in pages that do not divide the log evenly.
    QList<BrowseRow> rows;
    qint64 before = 0;
    for (;;) {
        const auto page = m_log->browse(before, 13, {});
        QVERIFY(page);
        rows.append(page.value());
        if (page.value().size() < 13)
            break;
        before = page.value().last().seq;
    }
    QCOMPARE(rows.size(), m_small.entries.size());
    for (qsizetype i = 0; i < rows.size(); ++i) {
        const BrowseRow &row = rows.at(i);
        const ExpectedEntry &expected = m_small.entries.at(m_small.entries.size() - 1 - i);
        const QString what = QStringLiteral("seq %1 (%2)").arg(expected.seq).arg(expected.kind);
        QCOMPARE(row.seq, expected.seq);
        QCOMPARE(row.time, expected.time);
        QCOMPARE(row.kind, expected.kind);
        QCOMPARE(row.actor, expected.actor);
        QCOMPARE(row.subject, expected.subject);
        QVERIFY2(row.actionId == expected.actionId, qPrintable(what));
        QVERIFY2(row.agent == expected.agent, qPrintable(what + QStringLiteral(": agent ") + row.agent));
        QVERIFY2(row.user == expected.user, qPrintable(what + QStringLiteral(": user ") + row.user));
        QVERIFY2(row.reviewer == expected.reviewer, qPrintable(what + QStringLiteral(": reviewer ") + row.reviewer));
        QVERIFY2(row.tool == expected.tool, qPrintable(what + QStringLiteral(": tool ") + row.tool));
        QVERIFY2(row.outcome == expected.outcome, qPrintable(what + QStringLiteral(": outcome ") + row.outcome));
        QVERIFY2(row.flagged == expected.flagged, qPrintable(what));
    }
}

void TestAuditBrowse::filtersFindExactlyTheirEntries_data()
{
    using Keep = KeepEntry;
    QTest::addColumn<BrowseFilter>("filter");
    QTest::addColumn<Keep>("keep");
    QTest::addColumn<int>("pageSize");

    const QString since = m_small.entries.at(m_small.entries.size() / 3).time;
    const QString until = m_small.entries.at(m_small.entries.size() * 2 / 3).time;
    BrowseFilter filter;
    QTest::newRow("none") << filter << Keep([](const ExpectedEntry &) { return true; }) << 10;
    filter = {};
    filter.agent = QStringLiteral("mail-agent");
    QTest::newRow("agent") << filter << Keep([](const ExpectedEntry &e) { return e.agent == QLatin1String("mail-agent"); }) << 4;
    filter = {};
    filter.user = QStringLiteral("bob@example.com");
    QTest::newRow("user (decisions included)") << filter
                                               << Keep([](const ExpectedEntry &e) { return e.user == QLatin1String("bob@example.com"); })
                                               << 5;
    filter = {};
    filter.reviewer = QStringLiteral("sam@example.com");
    QTest::newRow("reviewer") << filter << Keep([](const ExpectedEntry &e) { return e.reviewer == QLatin1String("sam@example.com"); })
                              << 3;
    filter = {};
    filter.tool = QStringLiteral("payments.transfer");
    QTest::newRow("tool") << filter << Keep([](const ExpectedEntry &e) { return e.tool == QLatin1String("payments.transfer"); }) << 7;
    for (const QString &name : outcomeNames()) {
        filter = {};
        filter.outcomes = {name};
        QTest::addRow("outcome %s", qPrintable(name)) << filter << Keep([name](const ExpectedEntry &e) { return e.outcome == name; }) << 6;
    }
    filter = {};
    filter.outcomes = {QStringLiteral("approved"), QStringLiteral("denied_by_reviewer"), QStringLiteral("denied_by_timeout")};
    QTest::newRow("three outcomes, merged") << filter << Keep([](const ExpectedEntry &e) {
        return e.outcome == QLatin1String("approved") || e.outcome == QLatin1String("denied_by_reviewer")
            || e.outcome == QLatin1String("denied_by_timeout");
    }) << 9;
    filter = {};
    filter.judgeFlagged = true;
    QTest::newRow("judge flagged") << filter << Keep([](const ExpectedEntry &e) { return e.flagged; }) << 4;
    filter = {};
    filter.since = since;
    filter.until = until;
    QTest::newRow("time range") << filter << Keep([since, until](const ExpectedEntry &e) { return e.time >= since && e.time < until; })
                                << 8;
    filter = {};
    filter.since = QStringLiteral("2026-03-02T09:30:00Z"); // not the log's own spelling: normalized
    QTest::newRow("since, other spelling") << filter
                                           << Keep([](const ExpectedEntry &e) { return e.time >= QLatin1String("2026-03-02T09:30:00.000Z"); })
                                           << 50;
    filter = {};
    filter.agent = QStringLiteral("ops-agent");
    filter.outcomes = {QStringLiteral("denied_by_timeout")};
    filter.since = since;
    QTest::newRow("agent, outcome and since") << filter << Keep([since](const ExpectedEntry &e) {
        return e.agent == QLatin1String("ops-agent") && e.outcome == QLatin1String("denied_by_timeout") && e.time >= since;
    }) << 2;
    filter = {};
    filter.actionId = m_small.uniqueWordActionId;
    const QString actionId = m_small.uniqueWordActionId;
    QTest::newRow("one action's history") << filter << Keep([actionId](const ExpectedEntry &e) { return e.actionId == actionId; }) << 1;
    filter = {};
    filter.agent = QStringLiteral("nobody-agent");
    QTest::newRow("a value never indexed") << filter << Keep([](const ExpectedEntry &) { return false; }) << 5;
    filter = {};
    filter.text = QStringLiteral("timeout");
    filter.user = QStringLiteral("alice@example.com");
    QTest::newRow("search and user") << filter << Keep([](const ExpectedEntry &e) {
        return e.user == QLatin1String("alice@example.com") && e.kind == QLatin1String("action.denied_by_timeout");
    }) << 3;
}

void TestAuditBrowse::filtersFindExactlyTheirEntries()
{
    QFETCH(BrowseFilter, filter);
    QFETCH(KeepEntry, keep);
    QFETCH(int, pageSize);
    const QList<qint64> expected = expectedSeqs(m_small.entries, keep);
    QString error;
    const QList<qint64> found = browseAll(*m_log, filter, pageSize, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(found, expected);

    // Oldest first, whole entries (what export writes), the same set.
    QList<qint64> ascending;
    qint64 after = 0;
    for (;;) {
        const auto page = m_log->matching(after, pageSize, filter);
        QVERIFY(page);
        for (const AuditEntry &entry : page.value()) {
            QCOMPARE(entry.leafHash, leafHash(leafBytes(entry)));
            ascending.prepend(entry.seq);
        }
        if (page.value().size() < pageSize)
            break;
        after = page.value().last().seq;
    }
    QCOMPARE(ascending, expected);
}

void TestAuditBrowse::searchFindsWordsAndPhrases()
{
    BrowseFilter filter;
    filter.text = m_small.uniqueWord;
    auto rows = m_log->browse(0, 100, filter);
    QVERIFY(rows);
    QCOMPARE(rows.value().size(), 1);
    QCOMPARE(rows.value().first().kind, QStringLiteral("submission.accepted"));
    QCOMPARE(rows.value().first().actionId, m_small.uniqueWordActionId);

    // Case and a prefix.
    filter.text = m_small.uniqueWord.toUpper().left(6) + QLatin1Char('*');
    rows = m_log->browse(0, 100, filter);
    QVERIFY(rows);
    QCOMPARE(rows.value().size(), 1);

    // A phrase from a denial's reason (in the signed token) finds denials only, in order.
    filter.text = QStringLiteral("\"approved vendor list\"");
    rows = m_log->browse(0, 100, filter);
    QVERIFY(rows);
    QVERIFY(!rows.value().isEmpty());
    for (qsizetype i = 0; i < rows.value().size(); ++i) {
        QCOMPARE(rows.value().at(i).outcome, QStringLiteral("denied_by_reviewer"));
        if (i > 0)
            QVERIFY(rows.value().at(i).seq < rows.value().at(i - 1).seq);
    }
    // The same words out of order are not the phrase.
    filter.text = QStringLiteral("\"vendor approved list\"");
    rows = m_log->browse(0, 100, filter);
    QVERIFY(rows);
    QVERIFY(rows.value().isEmpty());
    // All words must occur.
    filter.text = m_small.uniqueWord + QStringLiteral(" denied");
    rows = m_log->browse(0, 100, filter);
    QVERIFY(rows);
    QVERIFY(rows.value().isEmpty());
    // A parameter's key and a number in the parameters are words too.
    filter.text = QStringLiteral("estimatedRows");
    rows = m_log->browse(0, 100, filter);
    QVERIFY(rows);
    QVERIFY(!rows.value().isEmpty());
    for (const BrowseRow &row : rows.value())
        QCOMPARE(row.tool, QStringLiteral("db.delete"));
}

void TestAuditBrowse::searchTextIsNeverQuerySyntax_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("findsTheAction");
    const QString word = m_small.uniqueWord;
    QTest::newRow("OR is a word") << QString(word + QStringLiteral(" OR nonsenseword")) << false;
    QTest::newRow("NOT is a word") << QString(word + QStringLiteral(" NOT parameters")) << false;
    QTest::newRow("AND is a word") << QString(word + QStringLiteral(" AND")) << false;
    QTest::newRow("NEAR") << QStringLiteral("NEAR(a b)") << false;
    QTest::newRow("column filter") << QString(QStringLiteral("text:") + word) << false;
    QTest::newRow("caret") << QString(QLatin1Char('^') + word) << true;
    QTest::newRow("minus") << QString(QLatin1Char('-') + word) << true;
    QTest::newRow("parentheses") << QString(QLatin1Char('(') + word + QLatin1Char(')')) << true;
    QTest::newRow("unterminated quote") << QString(QLatin1Char('"') + word) << true;
    QTest::newRow("quote inside") << QString(word + QStringLiteral("\"x")) << false;
    QTest::newRow("lone star") << QStringLiteral("*") << false;
    QTest::newRow("punctuation only") << QStringLiteral("--- :: @@") << false;
    QTest::newRow("plus") << QString(QLatin1Char('+') + word) << true;
}

void TestAuditBrowse::searchTextIsNeverQuerySyntax()
{
    QFETCH(QString, text);
    QFETCH(bool, findsTheAction);
    BrowseFilter filter;
    filter.text = text;
    const auto rows = m_log->browse(0, 100, filter);
    QVERIFY2(rows, qPrintable(rows ? QString() : rows.error().toString()));
    bool found = false;
    for (const BrowseRow &row : rows.value())
        found = found || row.actionId == m_small.uniqueWordActionId;
    QCOMPARE(found, findsTheAction);
}

void TestAuditBrowse::searchQueryQuotesEveryTerm()
{
    QCOMPARE(searchQuery(QStringLiteral("  hello \"big world\" pay* ")).value(), QStringLiteral("\"hello\" \"big world\" \"pay\"*"));
    QCOMPARE(searchQuery(QStringLiteral("say\"hi\"")).value(), QStringLiteral("\"say\" \"hi\""));
    QCOMPARE(searchQuery(QStringLiteral("a\"\"b")).value(), QStringLiteral("\"a\" \"b\""));
    QCOMPARE(searchQuery(QStringLiteral("AND OR NOT")).value(), QStringLiteral("\"AND\" \"OR\" \"NOT\""));
    QCOMPARE(searchQuery(QStringLiteral("col:x")).value(), QStringLiteral("\"col:x\""));
    QCOMPARE(searchQuery(QStringLiteral("   ")).value(), QString());
    QCOMPARE(searchQuery(QStringLiteral("*")).value(), QStringLiteral("\"*\""));
}

void TestAuditBrowse::searchAndFilterLimits()
{
    BrowseFilter filter;
    filter.text = QString(kMaxSearchChars + 1, QLatin1Char('a'));
    auto rows = m_log->browse(0, 10, filter);
    QVERIFY(!rows);
    QCOMPARE(rows.error().code, QStringLiteral("audit.invalid_search"));
    QVERIFY2(rows.error().message.contains(QString::number(kMaxSearchChars)), qPrintable(rows.error().message));

    QStringList words;
    for (int i = 0; i <= kMaxSearchTerms; ++i)
        words.append(QStringLiteral("w%1").arg(i));
    filter.text = words.join(QLatin1Char(' '));
    rows = m_log->browse(0, 10, filter);
    QVERIFY(!rows);
    QCOMPARE(rows.error().code, QStringLiteral("audit.invalid_search"));
    QVERIFY2(rows.error().message.contains(QString::number(kMaxSearchTerms)), qPrintable(rows.error().message));

    filter = {};
    filter.agent = QString(kMaxFieldBytes + 1, QLatin1Char('a'));
    rows = m_log->browse(0, 10, filter);
    QVERIFY(!rows);
    QCOMPARE(rows.error().code, QStringLiteral("audit.invalid_query"));
}

void TestAuditBrowse::pagingBoundaries()
{
    const qint64 newest = m_small.entries.last().seq;
    auto page = m_log->browse(0, 1, {});
    QVERIFY(page);
    QCOMPARE(page.value().size(), 1);
    QCOMPARE(page.value().first().seq, newest);
    // beforeSeq is exclusive.
    page = m_log->browse(newest, 2, {});
    QVERIFY(page);
    QCOMPARE(page.value().size(), 2);
    QCOMPARE(page.value().first().seq, newest - 1);
    // The oldest page, then nothing.
    page = m_log->browse(3, 10, {});
    QVERIFY(page);
    QCOMPARE(page.value().size(), 2);
    QCOMPARE(page.value().last().seq, 1);
    page = m_log->browse(1, 10, {});
    QVERIFY(page);
    QVERIFY(page.value().isEmpty());
    // A page exactly as long as what is left, and the next one empty.
    page = m_log->browse(11, 10, {});
    QVERIFY(page);
    QCOMPARE(page.value().size(), 10);
    QVERIFY(m_log->browse(page.value().last().seq, 10, {}).value().isEmpty());
    // Sizes.
    for (int bad : {0, -1, kMaxPageSize + 1}) {
        const auto refused = m_log->browse(0, bad, {});
        QVERIFY(!refused);
        QCOMPARE(refused.error().code, QStringLiteral("audit.invalid_query"));
        QVERIFY(refused.error().message.contains(QString::number(kMaxPageSize)));
    }
    QVERIFY(m_log->browse(0, kMaxPageSize, {}));
}

void TestAuditBrowse::distinctValuesListTheIndexedValues()
{
    const auto collect = [this](QString ExpectedEntry::*field) {
        QStringList values;
        for (const ExpectedEntry &entry : std::as_const(m_small.entries)) {
            if (!(entry.*field).isEmpty() && !values.contains(entry.*field))
                values.append(entry.*field);
        }
        values.sort();
        return values;
    };
    QCOMPARE(m_log->distinctValues(BrowseField::Agent).value(), collect(&ExpectedEntry::agent));
    QCOMPARE(m_log->distinctValues(BrowseField::User).value(), collect(&ExpectedEntry::user));
    QCOMPARE(m_log->distinctValues(BrowseField::Reviewer).value(), collect(&ExpectedEntry::reviewer));
    QCOMPARE(m_log->distinctValues(BrowseField::Tool).value(), collect(&ExpectedEntry::tool));
    QCOMPARE(m_log->distinctValues(BrowseField::Agent, 2).value().size(), 2);
    QVERIFY(!m_log->distinctValues(BrowseField::Agent, kMaxDistinctValues + 1));
}

void TestAuditBrowse::invalidFiltersAreNamed()
{
    BrowseFilter filter;
    filter.since = QStringLiteral("yesterday");
    auto rows = m_log->browse(0, 10, filter);
    QVERIFY(!rows);
    QCOMPARE(rows.error().code, QStringLiteral("audit.invalid_query"));
    QVERIFY(rows.error().message.startsWith(QLatin1String("since")));
    filter = {};
    filter.until = QStringLiteral("2026-03-02 10:00");
    rows = m_log->browse(0, 10, filter);
    QVERIFY(!rows);
    QVERIFY(rows.error().message.startsWith(QLatin1String("until")));
    filter = {};
    filter.outcomes = {QStringLiteral("approved"), QStringLiteral("maybe")};
    rows = m_log->browse(0, 10, filter);
    QVERIFY(!rows);
    QVERIFY2(rows.error().message.contains(QLatin1String("outcomes")) && rows.error().message.contains(QLatin1String("maybe")),
             qPrintable(rows.error().message));
}

void TestAuditBrowse::exportWritesTheFilteredEntriesInTheSharedFormat()
{
    BrowseFilter filter;
    filter.outcomes = {QStringLiteral("denied_by_timeout")};
    QByteArray jsonl;
    const auto written = exportEntries(
        ExportFormat::JsonLines, [this, &filter](qint64 after) { return m_log->matching(after, 3, filter); },
        [&jsonl](const QByteArray &bytes) {
            jsonl += bytes;
            return true;
        });
    QVERIFY(written);
    const QList<qint64> expected = expectedSeqs(m_small.entries, [](const ExpectedEntry &e) { return e.outcome == QLatin1String("denied_by_timeout"); });
    QCOMPARE(written.value(), expected.size());
    const QList<QByteArray> lines = jsonl.split('\n');
    QCOMPARE(lines.size(), expected.size() + 1); // the last line ends with a line feed
    // Each line: the entry's exact leaf bytes and its hash, as countersign-audit writes.
    const auto first = m_log->entry(expected.last());
    QVERIFY(first);
    QCOMPARE(lines.first() + '\n', exportLine(first.value(), ExportFormat::JsonLines));
    QVERIFY(lines.first().startsWith(QByteArray(QByteArray("{\"entry\":") + leafBytes(first.value()) + ",\"leafHash\":\"")));

    QByteArray csv;
    int pages = 0;
    const auto cancelled = exportEntries(
        ExportFormat::Csv, [this, &filter](qint64 after) { return m_log->matching(after, 2, filter); },
        [&csv](const QByteArray &bytes) {
            csv += bytes;
            return true;
        },
        [&pages](qint64) { return ++pages < 2; });
    QVERIFY(!cancelled);
    QCOMPARE(cancelled.error().code, QStringLiteral("audit.cancelled"));
    QVERIFY(csv.startsWith("seq,time,kind,actor,subject,payload,prev_hash,leaf_hash\r\n"));

    const auto failing = exportEntries(
        ExportFormat::Csv, [this, &filter](qint64 after) { return m_log->matching(after, 2, filter); },
        [](const QByteArray &) { return false; });
    QVERIFY(!failing);
    QCOMPARE(failing.error().code, QStringLiteral("audit.export_failed"));

    QCOMPARE(csvCell("=SUM(A1)"), QByteArray("'=SUM(A1)"));
    QCOMPARE(csvCell("a,\"b\""), QByteArray("\"a,\"\"b\"\"\""));
    QCOMPARE(csvCell("-1"), QByteArray("'-1"));
    QCOMPARE(exportFormatFromName(QStringLiteral("csv")), std::optional<ExportFormat>(ExportFormat::Csv));
    QVERIFY(!exportFormatFromName(QStringLiteral("xml")));
}

void TestAuditBrowse::indexIsAppendOnly()
{
    const QString path = m_dir.filePath(QStringLiteral("append-only.db"));
    QVERIFY(QFile::copy(m_small.path, path));
    QCOMPARE(execRaw(path, "UPDATE entry_index SET outcome = NULL WHERE seq = 5") & 0xff, SQLITE_CONSTRAINT);
    QCOMPARE(execRaw(path, "DELETE FROM entry_index WHERE seq = 5") & 0xff, SQLITE_CONSTRAINT);
    QCOMPARE(execRaw(path, "UPDATE index_terms SET value = 'x' WHERE id = 1") & 0xff, SQLITE_CONSTRAINT);
    QCOMPARE(execRaw(path, "DELETE FROM index_terms") & 0xff, SQLITE_CONSTRAINT);
    // The index is not evidence: an edit around its triggers leaves the log verified (what the
    // browser shows as the record is read from the entries), and is documented as such.
    QCOMPARE(execRaw(path, "DROP TRIGGER entry_index_no_update; UPDATE entry_index SET flagged = 1"), SQLITE_OK);
    const auto report = verifyLog(path, {});
    QVERIFY(report);
    QVERIFY2(report.value().ok, qPrintable(report.value().reason));
}

void TestAuditBrowse::timeNeverGoesBackwards()
{
    ManualClock clock(QDateTime(QDate(2026, 5, 1), QTime(10, 0), Qt::UTC));
    AuditLog::Options options;
    options.clock = &clock;
    const QString path = m_dir.filePath(QStringLiteral("clock.db"));
    {
        auto log = AuditLog::open(path, options);
        QVERIFY(log);
        QVERIFY(log.value()->append({QStringLiteral("session.opened"), QStringLiteral("rita"), QStringLiteral("s-1"), {}}));
        clock.setWallClock(QDateTime(QDate(2026, 5, 1), QTime(9, 0), Qt::UTC)); // stepped back an hour
        const auto second = log.value()->append({QStringLiteral("session.closed"), QStringLiteral("rita"), QStringLiteral("s-1"), {}});
        QVERIFY(second);
        QCOMPARE(second.value().time, QStringLiteral("2026-05-01T10:00:00.000Z"));
    }
    // Across a reopen too.
    auto reopened = AuditLog::open(path, options);
    QVERIFY(reopened);
    const auto third = reopened.value()->append({QStringLiteral("session.opened"), QStringLiteral("rita"), QStringLiteral("s-2"), {}});
    QVERIFY(third);
    QCOMPARE(third.value().time, QStringLiteral("2026-05-01T10:00:00.000Z"));
    clock.setWallClock(QDateTime(QDate(2026, 5, 1), QTime(11, 0), Qt::UTC));
    QCOMPARE(reopened.value()->append({QStringLiteral("session.closed"), QStringLiteral("rita"), QStringLiteral("s-2"), {}}).value().time,
             QStringLiteral("2026-05-01T11:00:00.000Z"));
}

void TestAuditBrowse::aTimeBoundIsASeqBound()
{
    ManualClock clock(QDateTime(QDate(2026, 6, 1), QTime(8, 0), Qt::UTC));
    AuditLog::Options options;
    options.clock = &clock;
    auto log = AuditLog::open(m_dir.filePath(QStringLiteral("times.db")), options);
    QVERIFY(log);
    // Minutes 0, 0, 1, 2, 2, 2, 5 (several entries share a time).
    const int minutes[] = {0, 0, 1, 2, 2, 2, 5};
    for (const int minute : minutes) {
        clock.setWallClock(QDateTime(QDate(2026, 6, 1), QTime(8, minute), Qt::UTC));
        QVERIFY(log.value()->append({QStringLiteral("session.opened"), QStringLiteral("rita"), QStringLiteral("s"), {}}));
    }
    auto at = [](int minute, int second = 0) { return QStringLiteral("2026-06-01T08:%1:%2.000Z").arg(minute, 2, 10, QLatin1Char('0')).arg(second, 2, 10, QLatin1Char('0')); };
    QCOMPARE(log.value()->firstSeqAtOrAfter(QStringLiteral("2026-05-31T00:00:00.000Z")).value(), 1);
    QCOMPARE(log.value()->firstSeqAtOrAfter(at(0)).value(), 1);
    QCOMPARE(log.value()->firstSeqAtOrAfter(at(0, 1)).value(), 3);
    QCOMPARE(log.value()->firstSeqAtOrAfter(at(2)).value(), 4);
    QCOMPARE(log.value()->firstSeqAtOrAfter(at(3)).value(), 7);
    QCOMPARE(log.value()->firstSeqAtOrAfter(at(5)).value(), 7);
    QCOMPARE(log.value()->firstSeqAtOrAfter(at(6)).value(), 8); // past the end
    auto seqsSince = [&](const QString &since, const QString &until = {}) {
        EntryFilter filter;
        filter.since = since;
        filter.until = until;
        QList<qint64> seqs;
        const auto page = log.value()->entries(0, 100, filter);
        if (!page) {
            qWarning("%s", qPrintable(page.error().toString()));
            return QList<qint64>{-1}; // fails the comparison, naming the error above
        }
        for (const AuditEntry &entry : page.value())
            seqs.append(entry.seq);
        return seqs;
    };
    QCOMPARE(seqsSince(at(2)), (QList<qint64>{4, 5, 6, 7}));
    QCOMPARE(seqsSince(at(1, 30)), (QList<qint64>{4, 5, 6, 7}));
    QCOMPARE(seqsSince(at(0), at(2)), (QList<qint64>{1, 2, 3}));
    QCOMPARE(seqsSince(at(9)), QList<qint64>{});
    QCOMPARE(AuditLog::open(m_dir.filePath(QStringLiteral("empty-times.db"))).value()->firstSeqAtOrAfter(at(0)).value(), 1);
}

void TestAuditBrowse::indexFollowsTheLogInAnyChunks()
{
    // The same generated traffic, left unindexed: the generator is deterministic given its spec
    // (but for its freshly made keys, which no index row holds).
    testsupport::AuditLogSpec spec;
    spec.actions = 90;
    spec.index = false;
    const QString path = m_dir.filePath(QStringLiteral("unindexed.db"));
    auto generated = testsupport::generateAuditLog(path, spec);
    QVERIFY2(generated, qPrintable(generated ? QString() : generated.error().toString()));
    auto log = AuditLog::open(path);
    QVERIFY(log);
    AuditLog &unindexed = *log.value();
    QCOMPARE(unindexed.size(), m_log->size());
    QCOMPARE(unindexed.indexedSize().value(), 0);
    QVERIFY(unindexed.browse(0, 100, {}).value().isEmpty());

    // The verifier reads enrolments from the entries, so an unindexed log verifies the same.
    const auto keys = reviewerKeysFromLog(unindexed);
    QVERIFY(keys);
    QCOMPARE(keys.value().size(), m_small.reviewers.size());

    // Chunks of 7: each update takes exactly the oldest entries not yet indexed.
    qint64 covered = 0;
    const auto first = unindexed.updateIndex(7);
    QVERIFY(first);
    QCOMPARE(first.value(), 7);
    covered += 7;
    QCOMPARE(unindexed.indexedSize().value(), covered);
    QCOMPARE(browseAll(unindexed, {}, 100), expectedSeqs(m_small.entries, [](const ExpectedEntry &entry) { return entry.seq <= 7; }));
    for (;;) {
        const auto step = unindexed.updateIndex(7);
        QVERIFY(step);
        if (step.value() == 0)
            break;
        QVERIFY(step.value() <= 7);
        covered += step.value();
        QCOMPARE(unindexed.indexedSize().value(), covered);
    }
    QCOMPARE(covered, unindexed.size());

    // Indexed in chunks afterwards or after every append, the index answers the same.
    BrowseFilter flagged;
    flagged.judgeFlagged = true;
    BrowseFilter timeouts;
    timeouts.outcomes = {QString::fromLatin1(outcome::kDeniedByTimeout)};
    BrowseFilter word;
    word.text = m_small.uniqueWord;
    for (const BrowseFilter &filter : {BrowseFilter(), flagged, timeouts, word}) {
        QString error;
        const QList<qint64> chunked = browseAll(unindexed, filter, 50, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(chunked, browseAll(*m_log, filter, 50));
    }
    QVERIFY(!browseAll(unindexed, word, 50).isEmpty());
    QCOMPARE(unindexed.browse(0, kMaxPageSize, {}).value(), m_log->browse(0, kMaxPageSize, {}).value()); // row by row
    for (const BrowseField field : {BrowseField::Agent, BrowseField::User, BrowseField::Reviewer, BrowseField::Tool})
        QCOMPARE(unindexed.distinctValues(field).value(), m_log->distinctValues(field).value());
}

void TestAuditBrowse::indexUpdatesAreRefusedWhenTheyCannotHappen()
{
    auto writable = AuditLog::open(m_dir.filePath(QStringLiteral("refusals.db")));
    QVERIFY(writable);
    for (const int bad : {0, -1, kMaxIndexBatch + 1}) {
        const auto refused = writable.value()->updateIndex(bad);
        QVERIFY(!refused);
        QCOMPARE(refused.error().code, QStringLiteral("audit.invalid_query"));
        QVERIFY2(refused.error().message.contains(QString::number(kMaxIndexBatch)), qPrintable(refused.error().message));
    }
    QCOMPARE(writable.value()->updateIndex(kMaxIndexBatch).value(), 0); // an empty log: nothing to do
    const auto readOnly = m_log->updateIndex(10);
    QVERIFY(!readOnly);
    QCOMPARE(readOnly.error().code, QStringLiteral("audit.read_only"));
}

void TestAuditBrowse::twoWritersIndexEachEntryOnce()
{
    testsupport::AuditLogSpec spec;
    spec.actions = 40;
    spec.index = false;
    const QString path = m_dir.filePath(QStringLiteral("two-writers.db"));
    QVERIFY(testsupport::generateAuditLog(path, spec));
    auto one = AuditLog::open(path);
    auto two = AuditLog::open(path);
    QVERIFY(one && two);
    qint64 total = 0;
    for (int round = 0; round < 1000; ++round) {
        const auto a = one.value()->updateIndex(3);
        const auto b = two.value()->updateIndex(5);
        QVERIFY(a && b);
        total += a.value() + b.value();
        if (a.value() == 0 && b.value() == 0)
            break;
    }
    QCOMPARE(total, one.value()->size());
    QCOMPARE(one.value()->indexedSize().value(), one.value()->size());
    QCOMPARE(browseAll(*one.value(), {}, 1000).size(), one.value()->size());
}

void TestAuditBrowse::indexerKeepsUpBehindTheAppends()
{
    auto log = AuditLog::open(m_dir.filePath(QStringLiteral("indexer.db")));
    QVERIFY(log);
    AuditIndexer indexer(*log.value(), 20, 4);
    int failures = 0;
    connect(&indexer, &AuditIndexer::failed, this, [&failures] { ++failures; });
    for (int i = 0; i < 30; ++i) {
        QVERIFY(log.value()->append({QStringLiteral("session.opened"), QStringLiteral("rita"), QStringLiteral("s-%1").arg(i), {}}));
        indexer.appended();
    }
    // Nothing was indexed by the appends themselves: the indexer does it from the event loop.
    QCOMPARE(log.value()->indexedSize().value(), 0);
    QTRY_COMPARE(log.value()->indexedSize().value(), 30); // in chunks of 4, one after another
    QCOMPARE(failures, 0);
    QCOMPARE(browseAll(*log.value(), {}, 100).size(), 30);

    QVERIFY(log.value()->append({QStringLiteral("session.closed"), QStringLiteral("rita"), QStringLiteral("s-0"), {}}));
    QVERIFY(indexer.catchUp());
    QCOMPARE(log.value()->indexedSize().value(), 31);
}

void TestAuditBrowse::decisionSignaturesAreCheckedAgainstTheLogsOwnEnrolments()
{
    const auto keys = reviewerKeysFromLog(*m_log);
    QVERIFY2(keys, qPrintable(keys ? QString() : keys.error().toString()));
    QCOMPARE(keys.value().size(), m_small.reviewers.size());
    const auto byKeyId = reviewersByKeyId(keys.value());

    BrowseFilter approvals;
    approvals.outcomes = {QStringLiteral("approved")};
    const auto rows = m_log->browse(0, 1, approvals);
    QVERIFY(rows && !rows.value().isEmpty());
    const BrowseRow row = rows.value().first();
    const auto decision = m_log->entry(row.seq);
    const auto submission = m_log->submissionOf(row.actionId);
    QVERIFY(decision && submission);
    const QJsonObject payload = json::parse(decision.value().payload).value().toObject();
    const QJsonObject submitted = json::parse(submission.value().payload).value().toObject();
    const QByteArray digest = crypto::sha256Hex(json::canonicalize(submitted.value(QStringLiteral("action"))));

    DecisionSignature signature = checkDecisionSignature(payload, byKeyId, row.actionId, digest);
    QCOMPARE(signature.status, DecisionSignature::Status::Verified);
    QCOMPARE(signature.reviewer, row.reviewer);
    QVERIFY(signature.detail.contains(signature.keyId));

    signature = checkDecisionSignature(payload, byKeyId, row.actionId, QByteArray(64, 'a'));
    QCOMPARE(signature.status, DecisionSignature::Status::DigestMismatch);
    signature = checkDecisionSignature(payload, byKeyId, QStringLiteral("act-other"), digest);
    QCOMPARE(signature.status, DecisionSignature::Status::DigestMismatch);
    signature = checkDecisionSignature(payload, {}, row.actionId, digest);
    QCOMPARE(signature.status, DecisionSignature::Status::KeyNotEnrolled);

    QJsonObject tampered = payload;
    QString token = payload.value(QStringLiteral("token")).toString();
    token[token.size() - 3] = token.at(token.size() - 3) == QLatin1Char('A') ? QLatin1Char('B') : QLatin1Char('A');
    tampered.insert(QStringLiteral("token"), token);
    signature = checkDecisionSignature(tampered, byKeyId, row.actionId, digest);
    QCOMPARE(signature.status, DecisionSignature::Status::Invalid);
    signature = checkDecisionSignature(QJsonObject{}, byKeyId);
    QCOMPARE(signature.status, DecisionSignature::Status::NoToken);
}

void TestAuditBrowse::verifierReportsEachCheckpoint()
{
    VerifyOptions options;
    options.gatewayKey = crypto::Ed25519PublicKey::fromRaw(m_small.gatewayKeyRaw).value();
    auto report = verifyLog(m_small.path, options);
    QVERIFY(report && report.value().ok);
    QCOMPARE(report.value().checkpoints.size(), m_small.checkpoints);
    QVERIFY(m_small.checkpoints >= 2);
    for (const CheckpointResult &checkpoint : report.value().checkpoints) {
        QVERIFY(checkpoint.rootMatches);
        QCOMPARE(checkpoint.signature, CheckpointResult::Signature::Verified);
        QCOMPARE(checkpoint.root.size(), 32);
    }
    QCOMPARE(report.value().checkpoints.last().size, m_log->size());
    QCOMPARE(report.value().checkpoints.last().root, m_log->root());

    report = verifyLog(m_small.path, {});
    QVERIFY(report && report.value().ok);
    for (const CheckpointResult &checkpoint : report.value().checkpoints)
        QCOMPARE(checkpoint.signature, CheckpointResult::Signature::NotChecked);

    // Another gateway's key: the first checkpoint fails, and is the last one reported.
    options.gatewayKey = crypto::Ed25519PrivateKey::generate().value().publicKey();
    report = verifyLog(m_small.path, options);
    QVERIFY(report);
    QVERIFY(!report.value().ok);
    QCOMPARE(report.value().code, QStringLiteral("audit.checkpoint_signature"));
    QCOMPARE(report.value().checkpoints.size(), 1);
    QCOMPARE(report.value().checkpoints.first().signature, CheckpointResult::Signature::Invalid);
}

void TestAuditBrowse::pageQueriesWalkAnIndexOnALargeLog_data()
{
    QTest::addColumn<BrowseFilter>("filter");
    BrowseFilter filter;
    QTest::newRow("none") << filter;
    filter.agent = QStringLiteral("mail-agent");
    QTest::newRow("agent") << filter;
    filter = {};
    filter.user = QStringLiteral("carol@example.com");
    QTest::newRow("user") << filter;
    filter = {};
    filter.reviewer = QStringLiteral("tess@example.com");
    QTest::newRow("reviewer") << filter;
    filter = {};
    filter.tool = QStringLiteral("db.delete");
    QTest::newRow("tool") << filter;
    filter = {};
    filter.outcomes = {QStringLiteral("denied_by_timeout")};
    QTest::newRow("outcome") << filter;
    filter.outcomes = outcomeNames();
    QTest::newRow("every outcome") << filter;
    filter = {};
    filter.judgeFlagged = true;
    QTest::newRow("judge flagged") << filter;
    filter = {};
    filter.since = QStringLiteral("2026-03-02T08:01:00Z"); // the large log spans about 200 seconds
    filter.until = QStringLiteral("2026-03-02T08:02:00Z");
    QTest::newRow("time range") << filter;
    filter.agent = QStringLiteral("ops-agent");
    QTest::newRow("time range and agent") << filter;
    filter = {};
    filter.actionId = QStringLiteral("act-00000001");
    QTest::newRow("action") << filter;
    filter = {};
    filter.text = QStringLiteral("vendor");
    QTest::newRow("search") << filter;
    filter.outcomes = {QStringLiteral("denied_by_reviewer"), QStringLiteral("approved")};
    filter.user = QStringLiteral("alice@example.com");
    filter.since = QStringLiteral("2026-03-02T08:01:00Z");
    QTest::newRow("search, outcomes, user, since") << filter;
}

void TestAuditBrowse::pageQueriesWalkAnIndexOnALargeLog()
{
    QFETCH(BrowseFilter, filter);
    if (!m_largeLog) {
        // Once, whatever happens: about 200,000 entries through appendBatch.
        m_largeLog = std::make_unique<std::optional<std::unique_ptr<AuditLog>>>();
        testsupport::AuditLogSpec spec;
        spec.actions = 101'000;
        spec.signDecisions = false;
        spec.batchSize = 1000;
        spec.checkpointEvery = 0;
        auto generated = testsupport::generateAuditLog(m_dir.filePath(QStringLiteral("large.db")), spec);
        QVERIFY2(generated, qPrintable(generated ? QString() : generated.error().toString()));
        m_large = generated.value();
        QVERIFY(m_large.entries.size() >= 200'000);
        *m_largeLog = openReadOnly(m_large.path);
    }
    QVERIFY(m_largeLog->has_value() && **m_largeLog);
    const testsupport::GeneratedAuditLog &large = m_large;
    const AuditLog *log = m_largeLog->value().get();
    const auto plan = log->browsePlan(filter);
    QVERIFY2(plan, qPrintable(plan ? QString() : plan.error().toString()));
    const QString scan = scanIn(plan.value());
    QVERIFY2(scan.isEmpty(), qPrintable(QStringLiteral("the page query scans (%1): %2").arg(scan, plan.value().join(QStringLiteral(" | ")))));

    // And the page it gives is the newest that matches (the search rows are checked by kind).
    const auto page = log->browse(0, 100, filter);
    QVERIFY(page);
    if (filter.text.isEmpty()) {
        const QList<qint64> expected = expectedSeqs(large.entries, [&filter](const ExpectedEntry &e) {
            return (filter.agent.isEmpty() || e.agent == filter.agent) && (filter.user.isEmpty() || e.user == filter.user)
                && (filter.reviewer.isEmpty() || e.reviewer == filter.reviewer) && (filter.tool.isEmpty() || e.tool == filter.tool)
                && (filter.actionId.isEmpty() || e.actionId == filter.actionId)
                && (filter.outcomes.isEmpty() || filter.outcomes.contains(e.outcome)) && (!filter.judgeFlagged || e.flagged)
                && (filter.since.isEmpty() || e.time >= json::formatTimestamp(*json::parseTimestamp(filter.since)))
                && (filter.until.isEmpty() || e.time < json::formatTimestamp(*json::parseTimestamp(filter.until)));
        }).mid(0, 100);
        QList<qint64> found;
        for (const BrowseRow &row : page.value())
            found.append(row.seq);
        QCOMPARE(found, expected);
    } else {
        QVERIFY(!page.value().isEmpty());
    }
}

void TestAuditBrowse::aTimeRangeFarBackCostsNoMoreThanARecentOne_data()
{
    QTest::addColumn<QString>("agent");
    QTest::addColumn<QString>("text");
    QTest::newRow("time only") << QString() << QString();
    QTest::newRow("and an agent") << QStringLiteral("ops-agent") << QString();
    QTest::newRow("and a search") << QString() << QStringLiteral("payments");
}

void TestAuditBrowse::aTimeRangeFarBackCostsNoMoreThanARecentOne()
{
    // The same page of a few seconds' entries near the start of the large log and near its end:
    // the walk starts at the range, not at the newest entry, so the work is about the same.
    QFETCH(QString, agent);
    QFETCH(QString, text);
    if (!m_largeLog || !m_largeLog->has_value() || !**m_largeLog)
        QSKIP("the large log is made by pageQueriesWalkAnIndexOnALargeLog");
    const AuditLog &log = *m_largeLog->value();
    const auto window = [this, &agent, &text](qsizetype at) {
        BrowseFilter filter;
        filter.since = m_large.entries.at(at).time;
        filter.until = m_large.entries.at(at + 5000).time;
        filter.agent = agent;
        filter.text = text;
        return filter;
    };
    const BrowseFilter early = window(10'000);
    const BrowseFilter late = window(m_large.entries.size() - 10'000);
    QVERIFY(!log.browse(0, 100, early).value().isEmpty());
    QVERIFY(!log.browse(0, 100, late).value().isEmpty());
    const qint64 earlyWork = log.browseWork(0, 100, early).value();
    const qint64 lateWork = log.browseWork(0, 100, late).value();
    QVERIFY2(earlyWork <= 2 * lateWork + 2000,
             qPrintable(QStringLiteral("%1 steps far back, %2 near the end").arg(earlyWork).arg(lateWork)));
}

QTEST_GUILESS_MAIN(TestAuditBrowse)
#include "test_audit_browse.moc"
