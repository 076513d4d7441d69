// What an analyst waits for in the audit browser, through the query API it uses
// (AuditLog::browse and distinctValues over the browse index): opening a log read-only and
// reading the first page of the 100 newest entries; the first page for realistic filters (by
// agent, user, reviewer, tool, outcome, Judge flag, time range, action, and combinations) and
// the next pages of some; full-text searches (FTS5) alone and with a filter. Latencies p50/p95
// over every query, each run several times; peak memory. Made for logs from
// bench_audit_generate, whose agents, users, reviewers, tools and words the queries name.
//
//   bench_audit_browse DB [--repeat R]
#include "bench/BenchSupport.h"
#include "core/audit/AuditLog.h"
#include "core/audit/AuditQuery.h"

#include <cstdio>
#include <vector>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTextStream>

using namespace countersign;
using namespace countersign::audit;
using namespace countersign::bench;

namespace {

constexpr int kPage = 100;
constexpr double kExplainAboveMs = 50; // queries slower than this have their query plan printed

int fail(const QString &message)
{
    std::fprintf(stderr, "bench_audit_browse: %s\n", qPrintable(message));
    return 2;
}

struct Query
{
    QString name;
    BrowseFilter filter;
    int pages = 1; // pages read one after the other (keyset paging), each timed
};

struct Sample
{
    double ms = 0;
    qsizetype rows = 0;
};

QList<Query> filterQueries(const QString &someAction)
{
    QList<Query> queries;
    const auto add = [&queries](const QString &name, BrowseFilter f, int pages = 1) { queries.append(Query{name, std::move(f), pages}); };
    BrowseFilter f;
    f.agent = QStringLiteral("payments-agent");
    add(QStringLiteral("agent payments-agent"), f, 5);
    f = {};
    f.agent = QStringLiteral("invoice-subagent");
    add(QStringLiteral("agent invoice-subagent"), f);
    f = {};
    f.user = QStringLiteral("dana.okafor@example.com");
    add(QStringLiteral("user dana.okafor"), f, 5);
    f = {};
    f.reviewer = QStringLiteral("rita.alvarez@example.com");
    add(QStringLiteral("reviewer rita.alvarez"), f);
    f = {};
    f.reviewer = QStringLiteral("tom.becker@example.com"); // revoked on day 9: nothing newer
    add(QStringLiteral("reviewer tom.becker (revoked, old rows only)"), f);
    f = {};
    f.tool = QStringLiteral("db.delete");
    add(QStringLiteral("tool db.delete"), f);
    f = {};
    f.tool = QStringLiteral("iam.update_permissions");
    add(QStringLiteral("tool iam.update_permissions"), f);
    f = {};
    f.outcomes = {QStringLiteral("denied_by_timeout")};
    add(QStringLiteral("outcome denied by timeout"), f, 5);
    f = {};
    f.outcomes = {QStringLiteral("denied_by_reviewer")};
    add(QStringLiteral("outcome denied by reviewer"), f);
    f = {};
    f.outcomes = {QStringLiteral("refused_by_policy")};
    add(QStringLiteral("outcome refused by policy"), f);
    f = {};
    f.outcomes = {QStringLiteral("refused_by_policy"), QStringLiteral("refused_invalid")};
    add(QStringLiteral("outcome refused (policy or invalid)"), f);
    f = {};
    f.judgeFlagged = true;
    add(QStringLiteral("Judge-flagged"), f, 5);
    f = {};
    f.since = QStringLiteral("2026-01-20T00:00:00.000Z");
    f.until = QStringLiteral("2026-01-21T00:00:00.000Z");
    add(QStringLiteral("one day (20 January)"), f, 5);
    f = {};
    f.since = QStringLiteral("2026-01-12T09:00:00.000Z");
    f.until = QStringLiteral("2026-01-12T10:00:00.000Z");
    add(QStringLiteral("one hour (12 January, 09:00)"), f);
    f = {};
    f.actionId = someAction;
    add(QStringLiteral("one action's entries"), f);
    f = {};
    f.agent = QStringLiteral("payments-agent");
    f.outcomes = {QStringLiteral("denied_by_timeout")};
    add(QStringLiteral("agent payments-agent + denied by timeout"), f);
    f = {};
    f.user = QStringLiteral("grace.chen@example.com");
    f.since = QStringLiteral("2026-01-20T00:00:00.000Z");
    f.until = QStringLiteral("2026-01-27T00:00:00.000Z");
    add(QStringLiteral("user grace.chen + one week"), f);
    f = {};
    f.tool = QStringLiteral("email.send");
    f.judgeFlagged = true;
    f.outcomes = {QStringLiteral("approved")};
    add(QStringLiteral("tool email.send + flagged + approved"), f);
    f = {};
    f.reviewer = QStringLiteral("sam.okoye@example.com");
    f.outcomes = {QStringLiteral("denied_by_reviewer")};
    f.since = QStringLiteral("2026-01-15T00:00:00.000Z");
    f.until = QStringLiteral("2026-01-16T00:00:00.000Z");
    add(QStringLiteral("reviewer sam.okoye + denied + one day"), f);
    f = {};
    f.agent = QStringLiteral("invoice-subagent");
    f.outcomes = {QStringLiteral("refused_by_policy")};
    add(QStringLiteral("agent invoice-subagent + refused by policy (rare)"), f);
    return queries;
}

QList<Query> searchQueries()
{
    QList<Query> queries;
    const auto add = [&queries](const QString &text, int pages = 1, const QString &agent = {}) {
        BrowseFilter f;
        f.text = text;
        f.agent = agent;
        queries.append(Query{agent.isEmpty() ? QStringLiteral("search %1").arg(text)
                                             : QStringLiteral("search %1 + agent %2").arg(text, agent),
                             f, pages});
    };
    add(QStringLiteral("Nordwind"), 5);
    add(QStringLiteral("invoices"));
    add(QStringLiteral("VACUUM"));
    add(QStringLiteral("kubectl"));
    add(QStringLiteral("exfiltration"));
    add(QStringLiteral("beneficiary"));
    add(QStringLiteral("\"vendor list\""));
    add(QStringLiteral("nord*"));
    add(QStringLiteral("freeze"));
    add(QStringLiteral("DE89370400440532013000"));
    add(QStringLiteral("Kestrel Consulting"));
    add(QStringLiteral("zzyzx")); // matches nothing
    add(QStringLiteral("customers"), 1, QStringLiteral("data-agent"));
    add(QStringLiteral("invoices"), 1, QStringLiteral("payments-agent"));
    return queries;
}

// Runs each query repeat times (all its pages each time) and returns every page's latency.
Result<std::vector<double>> run(const AuditLog &log, const QList<Query> &queries, int repeat, QTextStream &out)
{
    std::vector<double> all;
    for (const Query &query : queries) {
        const Result<BrowseFilter> normalized = normalizedFilter(query.filter);
        if (!normalized)
            return normalized.error();
        std::vector<double> mine;
        qsizetype firstPageRows = 0;
        for (int r = 0; r < repeat; ++r) {
            qint64 before = 0;
            for (int page = 0; page < query.pages; ++page) {
                QElapsedTimer timer;
                timer.start();
                const Result<QList<BrowseRow>> rows = log.browse(before, kPage, normalized.value());
                const double ms = double(timer.nsecsElapsed()) / 1e6;
                if (!rows)
                    return rows.error();
                mine.push_back(ms);
                all.push_back(ms);
                if (page == 0)
                    firstPageRows = rows.value().size();
                if (rows.value().size() < kPage)
                    break;
                before = rows.value().constLast().seq;
            }
        }
        out << QStringLiteral("    %1 %2 rows on page 1; p50 %3 ms, max %4 ms\n")
                   .arg(query.name + QLatin1Char(':'), -52)
                   .arg(firstPageRows, 3)
                   .arg(percentile(mine, 50), 7, 'f', 2)
                   .arg(percentile(mine, 100), 7, 'f', 2);
        // What SQLite does for the slow ones.
        if (percentile(mine, 100) > kExplainAboveMs) {
            if (const Result<QStringList> plan = log.browsePlan(normalized.value()); plan) {
                for (const QString &step : plan.value())
                    out << "        plan: " << step << '\n';
            }
        }
    }
    return all;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("DB"), QStringLiteral("An audit log from bench_audit_generate."));
    parser.addOptions({{QStringLiteral("repeat"), QStringLiteral("Runs of each query (default 7)."), QStringLiteral("R"),
                        QStringLiteral("7")}});
    parser.process(app);
    if (parser.positionalArguments().size() != 1)
        return fail(QStringLiteral("one DB expected"));
    const QString path = parser.positionalArguments().constFirst();
    const int repeat = std::max(1, parser.value(QStringLiteral("repeat")).toInt());
    QTextStream out(stdout);
    AuditLog::Options readOnly;
    readOnly.readOnly = true;

    // Open to first rows: what the browser does when an analyst opens a log.
    std::vector<double> openMs;
    std::vector<double> listsMs;
    QString someAction;
    qint64 size = 0;
    for (int i = 0; i < 10; ++i) {
        QElapsedTimer timer;
        timer.start();
        auto log = AuditLog::open(path, readOnly);
        if (!log)
            return fail(log.error().toString());
        const Result<QList<BrowseRow>> first = log.value()->browse(0, kPage, {});
        openMs.push_back(double(timer.nsecsElapsed()) / 1e6);
        if (!first)
            return fail(first.error().toString());
        if (first.value().isEmpty())
            return fail(QStringLiteral("the log is empty"));
        // The filter lists the browser offers.
        timer.start();
        for (const BrowseField field : {BrowseField::Agent, BrowseField::User, BrowseField::Reviewer, BrowseField::Tool}) {
            if (const auto values = log.value()->distinctValues(field); !values)
                return fail(values.error().toString());
        }
        listsMs.push_back(double(timer.nsecsElapsed()) / 1e6);
        size = log.value()->size();
        for (const BrowseRow &row : first.value()) {
            if (!row.actionId.isEmpty() && someAction.isEmpty())
                someAction = row.actionId;
        }
    }
    const double firstOpen = openMs.front();
    out << QStringLiteral("Audit browser queries on %1 (%2 entries), pages of %3, newest first\n").arg(path).arg(size).arg(kPage);
    out << QStringLiteral("  open read-only + first page: first %1 ms; p50 %2 ms, max %3 ms (10 opens); "
                          "the four filter lists: p50 %4 ms\n")
               .arg(firstOpen, 0, 'f', 2)
               .arg(percentile(openMs, 50), 0, 'f', 2)
               .arg(percentile(openMs, 100), 0, 'f', 2)
               .arg(percentile(listsMs, 50), 0, 'f', 2);
    result(out, QStringLiteral("browse_open_first_ms"), firstOpen, "ms");
    result(out, QStringLiteral("browse_open_p50_ms"), percentile(openMs, 50), "ms");
    result(out, QStringLiteral("browse_open_max_ms"), percentile(openMs, 100), "ms");
    result(out, QStringLiteral("browse_lists_p50_ms"), percentile(listsMs, 50), "ms");

    auto log = AuditLog::open(path, readOnly);
    if (!log)
        return fail(log.error().toString());
    out << QStringLiteral("  filters (each %1 times; some read 5 pages):\n").arg(repeat);
    auto filters = run(*log.value(), filterQueries(someAction), repeat, out);
    if (!filters)
        return fail(filters.error().toString());
    out << QStringLiteral("  searches (each %1 times):\n").arg(repeat);
    auto searches = run(*log.value(), searchQueries(), repeat, out);
    if (!searches)
        return fail(searches.error().toString());
    const double rss = peakRssMiB();
    out << QStringLiteral("  filter pages: p50 %1 ms, p95 %2 ms, max %3 ms (%4 pages)\n")
               .arg(percentile(filters.value(), 50), 0, 'f', 2)
               .arg(percentile(filters.value(), 95), 0, 'f', 2)
               .arg(percentile(filters.value(), 100), 0, 'f', 2)
               .arg(filters.value().size());
    out << QStringLiteral("  search pages: p50 %1 ms, p95 %2 ms, max %3 ms (%4 pages); peak RSS %5 MiB\n")
               .arg(percentile(searches.value(), 50), 0, 'f', 2)
               .arg(percentile(searches.value(), 95), 0, 'f', 2)
               .arg(percentile(searches.value(), 100), 0, 'f', 2)
               .arg(searches.value().size())
               .arg(rss, 0, 'f', 1);
    result(out, QStringLiteral("browse_filter_p50_ms"), percentile(filters.value(), 50), "ms");
    result(out, QStringLiteral("browse_filter_p95_ms"), percentile(filters.value(), 95), "ms");
    result(out, QStringLiteral("browse_filter_max_ms"), percentile(filters.value(), 100), "ms");
    result(out, QStringLiteral("browse_search_p50_ms"), percentile(searches.value(), 50), "ms");
    result(out, QStringLiteral("browse_search_p95_ms"), percentile(searches.value(), 95), "ms");
    result(out, QStringLiteral("browse_search_max_ms"), percentile(searches.value(), 100), "ms");
    result(out, QStringLiteral("browse_peak_rss"), rss, "MiB");
    return 0;
}
