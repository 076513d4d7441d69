// Drives the audit view of the real main window offscreen over a real audit log file written by
// the gateway-shaped generator: the history newest first, filters (outcome, agent), full-text
// search for a word only one action's parameters hold, the entry as the reviewer saw it with its
// decision's signature status, the raw entry, "Verify integrity" to the end and cancelled, a
// tampered file's failure named, export of the current filter, and that every widget showing
// text from the log shows it as plain text.
#include "SampleActions.h"
#include "ScriptedGatewayConnection.h"

#include "core/Clock.h"
#include "core/ServerTime.h"
#include "core/audit/AuditExport.h"
#include "core/audit/AuditLog.h"
#include "core/crypto/Digest.h"
#include "core/json/FieldReader.h"
#include "core/json/Json.h"
#include "models/AuditHistoryModel.h"
#include "tests/support/AuditLogGenerator.h"
#include "tests/support/RawSqlite.h"
#include "ui/ActionDetailView.h"
#include "ui/AuditBrowserView.h"
#include "ui/AuditEntryView.h"
#include "ui/MainWindow.h"
#include "ui/MessageBar.h"
#include "ui/ParameterTree.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidgetItemIterator>

#include <sqlite3.h>

using namespace countersign;
using countersign::testing::ScriptedGatewayConnection;
using countersign::testsupport::ExpectedEntry;

namespace {

// What the generator says a filter should find, newest first.
QList<qint64> expectedSeqs(const QList<ExpectedEntry> &entries, const std::function<bool(const ExpectedEntry &)> &keep)
{
    QList<qint64> seqs;
    for (auto it = entries.crbegin(); it != entries.crend(); ++it) {
        if (keep(*it))
            seqs.append(it->seq);
    }
    return seqs;
}

// A hostile action's submission, as the gateway would record it.
audit::NewEntry hostileSubmission(const Action &action)
{
    const QJsonObject json = action.toJson();
    return {QStringLiteral("submission.accepted"), action.identity.agents.first().id, action.id,
            QJsonObject{{QStringLiteral("digest"), QString::fromLatin1(crypto::sha256Hex(json::canonicalize(json)))},
                        {QStringLiteral("tool"), action.tool},
                        {QStringLiteral("operation"), action.operation},
                        {QStringLiteral("status"), QStringLiteral("pending")},
                        {QStringLiteral("rule"), action.impact.rule},
                        {QStringLiteral("tier"), action.impact.tier},
                        {QStringLiteral("policyVersion"), action.policyVersion},
                        {QStringLiteral("deadline"), json::formatTimestamp(action.deadline)},
                        {QStringLiteral("approvalsRequired"), action.approvalsRequired},
                        {QStringLiteral("action"), json}}};
}

} // namespace

class TestAuditBrowser final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void opensNewestFirstAndPagesIn();
    void filterByOutcomeAndAgent();
    void searchFindsTheOneActionAndItOpensAsTheReviewerSawIt();
    void decisionShowsItsSignatureStatus();
    void rawEntryIsOneTabAway();
    void verifyRunsToTheEndPerCheckpoint();
    void verifyCanBeCancelled();
    void tamperedFileShowsTheFailedEntry();
    void entriesNotYetIndexedAreAnnounced();
    void exportWritesTheCurrentFilter();
    void everyWidgetShowingLogTextIsPlainText();
    void queueShortcutsDoNothingInTheAuditView();

private:
    template<typename T> T *find(const QString &name) const
    {
        T *widget = m_window->findChild<T *>(name);
        if (!widget)
            qFatal("no widget named %s", qPrintable(name));
        return widget;
    }
    ui::AuditBrowserView *audit() const { return m_window->auditView(); }
    AuditHistoryModel *model() const { return audit()->model(); }
    bool openAndWait(const QString &path);
    bool waitForReload();
    void clickRow(int row);
    QList<qint64> loadedSeqs() const;
    bool waitForJob();

    QTemporaryDir m_dir;
    QTemporaryDir m_settingsDir;
    testsupport::GeneratedAuditLog m_log;
    testsupport::GeneratedAuditLog m_bigLog;
    QString m_hostileId;
    std::unique_ptr<ManualClock> m_clock;
    std::unique_ptr<ServerTime> m_time;
    std::unique_ptr<ScriptedGatewayConnection> m_connection;
    std::unique_ptr<ui::MainWindow> m_window;
    std::unique_ptr<QAbstractItemModelTester> m_tester;
};

void TestAuditBrowser::initTestCase()
{
    QVERIFY(m_dir.isValid() && m_settingsDir.isValid());
    QCoreApplication::setOrganizationName(QStringLiteral("CountersignTest"));
    QCoreApplication::setApplicationName(QStringLiteral("test_audit_browser"));
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settingsDir.path());

    testsupport::AuditLogSpec spec;
    spec.actions = 120;
    auto generated = testsupport::generateAuditLog(m_dir.filePath(QStringLiteral("audit.db")), spec);
    QVERIFY2(generated, qPrintable(generated ? QString() : generated.error().toString()));
    m_log = generated.value();

    // One hostile submission on top, as an attacker-controlled agent would make the gateway record.
    const Action hostile = testing::hostileAction(QStringLiteral("act-hostile-0001"), QDateTime(QDate(2026, 3, 3), QTime(9, 0), Qt::UTC), 300);
    m_hostileId = hostile.id;
    auto log = audit::AuditLog::open(m_log.path);
    QVERIFY(log);
    QVERIFY(log.value()->append(hostileSubmission(hostile)));
    QCOMPARE(log.value()->updateIndex(audit::kMaxIndexBatch).value(), 1);

    // Enough entries that a verification reports progress (every 4096) before it ends.
    testsupport::AuditLogSpec big;
    big.actions = 6500;
    big.signDecisions = false;
    big.batchSize = 500;
    big.checkpointEvery = 0;
    auto bigLog = testsupport::generateAuditLog(m_dir.filePath(QStringLiteral("big.db")), big);
    QVERIFY2(bigLog, qPrintable(bigLog ? QString() : bigLog.error().toString()));
    m_bigLog = bigLog.value();
    QVERIFY(m_bigLog.entries.size() > 3 * 4096);
}

void TestAuditBrowser::init()
{
    m_clock = std::make_unique<ManualClock>();
    m_time = std::make_unique<ServerTime>(*m_clock);
    m_connection = std::make_unique<ScriptedGatewayConnection>();
    m_window = std::make_unique<ui::MainWindow>(m_connection.get(), *m_time, nullptr);
    m_window->setGatewayKey(crypto::Ed25519PublicKey::fromRaw(m_log.gatewayKeyRaw).value());
    m_tester = std::make_unique<QAbstractItemModelTester>(model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    QVERIFY(openAndWait(m_log.path));
}

void TestAuditBrowser::cleanup()
{
    if (m_window && audit()->isJobRunning()) {
        audit()->cancelJob();
        QVERIFY(waitForJob());
    }
    m_tester.reset();
    m_window.reset();
    m_connection.reset();
}

bool TestAuditBrowser::openAndWait(const QString &path)
{
    QSignalSpy opened(audit(), &ui::AuditBrowserView::logOpened);
    m_window->openAuditLog(path);
    m_window->showAudit();
    if (!opened.wait(10'000))
        return false;
    return QTest::qWaitFor([this] { return model()->hasLoadedFirstPage(); }, 10'000);
}

bool TestAuditBrowser::waitForReload()
{
    return QTest::qWaitFor([this] { return model()->hasLoadedFirstPage() && !model()->isLoading(); }, 10'000);
}

bool TestAuditBrowser::waitForJob()
{
    return QTest::qWaitFor([this] { return !audit()->isJobRunning(); }, 60'000);
}

QList<qint64> TestAuditBrowser::loadedSeqs() const
{
    QList<qint64> seqs;
    for (int row = 0; row < model()->rowCount(); ++row)
        seqs.append(model()->rowAt(row)->seq);
    return seqs;
}

void TestAuditBrowser::clickRow(int row)
{
    QTableView *view = audit()->listView();
    const QModelIndex index = model()->index(row, AuditHistoryModel::Event);
    view->scrollTo(index);
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, view->visualRect(index).center());
}

void TestAuditBrowser::opensNewestFirstAndPagesIn()
{
    QVERIFY(m_window->isAuditShown());
    const int total = int(m_log.entries.size()) + 1; // and the hostile submission
    QCOMPARE(model()->rowAt(0)->seq, qint64(total));
    // Whole pages only (a view, or the model tester, may have asked for the next one already).
    QVERIFY(model()->rowCount() >= AuditHistoryModel::kPageSize);
    QCOMPARE(model()->rowCount() % AuditHistoryModel::kPageSize, 0);
    QVERIFY(model()->rowCount() < total);
    QVERIFY(!model()->atEnd());
    QVERIFY(find<QLabel>(QStringLiteral("auditListStatus"))->text().contains(QLatin1String("scroll for more")));
    // Scrolling to the end pages the rest in, a page at a time, in order.
    QTableView *view = audit()->listView();
    QVERIFY(QTest::qWaitFor([&] {
        view->scrollToBottom();
        return model()->atEnd() && !model()->isLoading();
    }, 20'000));
    QCOMPARE(model()->rowCount(), total);
    const QList<qint64> seqs = loadedSeqs();
    for (qsizetype i = 0; i < seqs.size(); ++i)
        QCOMPARE(seqs.at(i), qint64(total - i));
    QVERIFY(find<QLabel>(QStringLiteral("auditListStatus"))->text().contains(QLatin1String("all shown")));
    // Ctrl+1 goes back to the queue, Ctrl+2 to the log.
    m_window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
    QTest::keyClick(m_window.get(), Qt::Key_1, Qt::ControlModifier);
    QVERIFY(!m_window->isAuditShown());
    QTest::keyClick(m_window.get(), Qt::Key_2, Qt::ControlModifier);
    QVERIFY(m_window->isAuditShown());
}

void TestAuditBrowser::filterByOutcomeAndAgent()
{
    auto *outcome = find<QComboBox>(QStringLiteral("outcomeCombo"));
    outcome->setCurrentIndex(outcome->findData(QStringList{QStringLiteral("denied_by_timeout")}));
    QVERIFY(waitForReload());
    QList<qint64> expected = expectedSeqs(m_log.entries, [](const ExpectedEntry &e) { return e.outcome == QLatin1String("denied_by_timeout"); });
    QVERIFY(expected.size() > 10);
    QCOMPARE(loadedSeqs(), expected);
    for (int row = 0; row < model()->rowCount(); ++row)
        QCOMPARE(model()->index(row, AuditHistoryModel::Event).data().toString(), QStringLiteral("Denied by timeout"));

    // The agent list holds what the log holds.
    auto *agent = find<QComboBox>(QStringLiteral("agentCombo"));
    QVERIFY(QTest::qWaitFor([agent] { return agent->count() > 1; }, 10'000));
    const int opsAgent = agent->findData(QStringLiteral("ops-agent"));
    QVERIFY(opsAgent > 0);
    agent->setCurrentIndex(opsAgent);
    QVERIFY(waitForReload());
    expected = expectedSeqs(m_log.entries, [](const ExpectedEntry &e) {
        return e.outcome == QLatin1String("denied_by_timeout") && e.agent == QLatin1String("ops-agent");
    });
    QVERIFY(!expected.isEmpty());
    QCOMPARE(loadedSeqs(), expected);
    QVERIFY(audit()->filterFromControls().agent == QLatin1String("ops-agent"));

    // Judge-flagged on top of that: only flagged actions' expiries.
    find<QCheckBox>(QStringLiteral("flaggedCheckBox"))->setChecked(true);
    QVERIFY(waitForReload());
    expected = expectedSeqs(m_log.entries, [](const ExpectedEntry &e) {
        return e.outcome == QLatin1String("denied_by_timeout") && e.agent == QLatin1String("ops-agent") && e.flagged;
    });
    QCOMPARE(loadedSeqs(), expected);
}

void TestAuditBrowser::searchFindsTheOneActionAndItOpensAsTheReviewerSawIt()
{
    auto *search = find<QLineEdit>(QStringLiteral("auditSearchEdit"));
    search->setFocus();
    QTest::keyClicks(search, m_log.uniqueWord);
    // Debounced: the list follows once typing stops.
    QVERIFY(QTest::qWaitFor([this] { return model()->filter().text == m_log.uniqueWord && model()->hasLoadedFirstPage(); }, 10'000));
    QVERIFY(waitForReload());
    QCOMPARE(model()->rowCount(), 1);
    QCOMPARE(model()->rowAt(0)->kind, QStringLiteral("submission.accepted"));
    QCOMPARE(model()->rowAt(0)->actionId, m_log.uniqueWordActionId);

    clickRow(0);
    ui::AuditEntryView *entry = audit()->entryView();
    QVERIFY(QTest::qWaitFor([entry] { return entry->hasDetail(); }, 10'000));
    QCOMPARE(entry->seq(), model()->rowAt(0)->seq);
    // What the reviewer saw: the action, read-only, its parameters holding the word.
    ui::ActionDetailView *action = entry->actionView();
    QCOMPARE(entry->tabs()->currentWidget()->isAncestorOf(action), true);
    QVERIFY(action->isVisible());
    QCOMPARE(action->actionId(), m_log.uniqueWordActionId);
    QVERIFY(action->isHistorical());
    QVERIFY(!action->findChild<QWidget *>(QStringLiteral("audit.decisionBar"))->isVisible());
    auto *parameters = action->findChild<ui::ParameterTree *>(QStringLiteral("audit.parametersTree"));
    QVERIFY(parameters);
    bool found = false;
    for (QTreeWidgetItemIterator it(parameters); *it; ++it)
        found = found || (*it)->text(1).contains(m_log.uniqueWord);
    QVERIFY(found);
    // A submission has no signature of its own.
    QVERIFY(entry->signatureText().isEmpty());

    // Search text is words, never query syntax: an operator is just a word that is not there.
    search->selectAll();
    QTest::keyClicks(search, m_log.uniqueWord + QStringLiteral(" OR nothing"));
    QTest::keyClick(search, Qt::Key_Return);
    QVERIFY(waitForReload());
    QCOMPARE(model()->rowCount(), 0);
    QCOMPARE(find<QLabel>(QStringLiteral("auditListStatus"))->text(), QStringLiteral("No entries match these filters"));
}

void TestAuditBrowser::decisionShowsItsSignatureStatus()
{
    auto *outcome = find<QComboBox>(QStringLiteral("outcomeCombo"));
    outcome->setCurrentIndex(outcome->findData(QStringList{QStringLiteral("approved")}));
    QVERIFY(waitForReload());
    QVERIFY(model()->rowCount() > 0);
    const audit::BrowseRow decision = *model()->rowAt(0);
    QCOMPARE(decision.kind, QStringLiteral("decision.accepted"));

    clickRow(0);
    ui::AuditEntryView *entry = audit()->entryView();
    QVERIFY(QTest::qWaitFor([&] { return entry->hasDetail() && entry->seq() == decision.seq; }, 10'000));
    QVERIFY2(entry->signatureText().startsWith(QLatin1String("Signature verified: Signed by ") + decision.reviewer),
             qPrintable(entry->signatureText()));
    QVERIFY(find<QWidget>(QStringLiteral("signatureBand"))->isVisible());
    // ... and the action it approved, as the reviewer saw it (from its submission entry).
    QCOMPARE(entry->actionView()->actionId(), decision.actionId);
    QVERIFY(entry->actionView()->isVisible());
    QVERIFY(find<QLabel>(QStringLiteral("actionProblemLabel"))->text().contains(QLatin1String("From the action's submission")));
    // Its place in the log.
    QVERIFY(find<QLabel>(QStringLiteral("fact10"))->text().contains(QLatin1String("in the signed checkpoint at size")));

    // The action's history: submission first, this decision in it.
    auto *history = find<QTreeWidget>(QStringLiteral("actionHistory"));
    QVERIFY(history->topLevelItemCount() >= 2);
    QCOMPARE(history->topLevelItem(0)->text(2), QStringLiteral("Submitted for review"));
}

void TestAuditBrowser::rawEntryIsOneTabAway()
{
    clickRow(3);
    ui::AuditEntryView *entry = audit()->entryView();
    QVERIFY(QTest::qWaitFor([entry] { return entry->hasDetail(); }, 10'000));
    QAction *raw = find<QAction>(QStringLiteral("rawEntryAction"));
    audit()->listView()->setFocus();
    raw->trigger();
    QCOMPARE(entry->tabs()->currentWidget(), entry->rawView());
    const QString text = entry->rawView()->toPlainText();
    QVERIFY(text.contains(QString::fromUtf8(audit::leafBytes(entry->detail()->entry))));
    QVERIFY(text.contains(QString::fromLatin1(entry->detail()->entry.leafHash.toHex())));
    QVERIFY(entry->rawView()->isReadOnly());
}

void TestAuditBrowser::verifyRunsToTheEndPerCheckpoint()
{
    find<QPushButton>(QStringLiteral("verifyButton"))->click();
    QVERIFY(audit()->isJobRunning() || audit()->lastVerifyReport());
    QVERIFY(waitForJob());
    QVERIFY(audit()->lastVerifyReport());
    const audit::VerifyReport &report = *audit()->lastVerifyReport();
    QVERIFY2(report.ok, qPrintable(report.reason));
    QCOMPARE(report.entriesChecked, qint64(m_log.entries.size() + 1));
    QVERIFY(report.decisionsChecked > 0);
    QVERIFY(audit()->verifyResultText().startsWith(QLatin1String("Intact: ")));
    // One row per checkpoint, newest first, each signed by the gateway key the console was given.
    auto *checkpoints = find<QTableWidget>(QStringLiteral("checkpointTable"));
    QCOMPARE(qsizetype(checkpoints->rowCount()), report.checkpoints.size());
    QCOMPARE(checkpoints->rowCount(), m_log.checkpoints);
    for (int row = 0; row < checkpoints->rowCount(); ++row) {
        QCOMPARE(checkpoints->item(row, 2)->text(), QStringLiteral("matches"));
        QCOMPARE(checkpoints->item(row, 3)->text(), QStringLiteral("verified"));
    }
    QVERIFY(!find<QPushButton>(QStringLiteral("showBadEntryButton"))->isVisible());
}

void TestAuditBrowser::verifyCanBeCancelled()
{
    QVERIFY(openAndWait(m_bigLog.path));
    auto *cancel = find<QPushButton>(QStringLiteral("cancelJobButton"));
    audit()->verifyIntegrity();
    QVERIFY(audit()->isJobRunning());
    QVERIFY(cancel->isVisible() && cancel->isEnabled());
    QVERIFY(!find<QPushButton>(QStringLiteral("verifyButton"))->isEnabled());
    // The worker first checks for a cancel after 4096 entries, long after this click.
    cancel->click();
    QVERIFY(waitForJob());
    QVERIFY(audit()->lastVerifyReport());
    QVERIFY(audit()->lastVerifyReport()->cancelled);
    QVERIFY(!audit()->lastVerifyReport()->ok);
    QVERIFY2(audit()->verifyResultText().startsWith(QLatin1String("Verification cancelled")), qPrintable(audit()->verifyResultText()));
    QVERIFY(find<QPushButton>(QStringLiteral("verifyButton"))->isEnabled());
}

void TestAuditBrowser::tamperedFileShowsTheFailedEntry()
{
    // Someone edits a payload behind the log's back.
    const QString tampered = m_dir.filePath(QStringLiteral("tampered.db"));
    QFile::remove(tampered);
    QVERIFY(QFile::copy(m_log.path, tampered));
    qint64 victim = 0;
    for (const ExpectedEntry &entry : std::as_const(m_log.entries)) {
        if (entry.kind == QLatin1String("submission.accepted") && entry.tool == QLatin1String("payments.transfer") && entry.seq > 40) {
            victim = entry.seq;
            break;
        }
    }
    QVERIFY(victim > 0);
    const QByteArray sql = "DROP TRIGGER entries_no_update; UPDATE entries SET payload = replace(payload, 'Nordwind', 'Nordvind') WHERE seq = "
        + QByteArray::number(victim) + ";";
    QCOMPARE(testsupport::execRaw(tampered, sql.constData()), SQLITE_OK);

    QVERIFY(openAndWait(tampered));
    find<QPushButton>(QStringLiteral("verifyButton"))->click();
    QVERIFY(waitForJob());
    QVERIFY(audit()->lastVerifyReport());
    const audit::VerifyReport &report = *audit()->lastVerifyReport();
    QVERIFY(!report.ok);
    QCOMPARE(report.firstBadSeq, victim);
    QCOMPARE(report.code, QStringLiteral("audit.hash_mismatch"));
    QVERIFY2(audit()->verifyResultText().startsWith(QStringLiteral("Verification failed at entry %1 (audit.hash_mismatch)").arg(victim)),
             qPrintable(audit()->verifyResultText()));
    auto *show = find<QPushButton>(QStringLiteral("showBadEntryButton"));
    QVERIFY(show->isVisible());
    QCOMPARE(show->text(), QStringLiteral("Show entry %1").arg(victim));
    show->click();
    QVERIFY(QTest::qWaitFor([this, victim] { return audit()->entryView()->hasDetail() && audit()->entryView()->seq() == victim; }, 10'000));
}

void TestAuditBrowser::entriesNotYetIndexedAreAnnounced()
{
    // A gateway appended three entries and has not indexed them yet.
    const QString lagging = m_dir.filePath(QStringLiteral("lagging.db"));
    QFile::remove(lagging);
    QVERIFY(QFile::copy(m_log.path, lagging));
    auto log = audit::AuditLog::open(lagging);
    QVERIFY(log);
    const qint64 before = log.value()->size();
    for (int i = 0; i < 3; ++i)
        QVERIFY(log.value()->append({QStringLiteral("session.opened"), QStringLiteral("rita"), QStringLiteral("late-%1").arg(i), {}}));

    QVERIFY(openAndWait(lagging));
    QCOMPARE(audit()->messageBar()->semantic(), Semantic::Info);
    QCOMPARE(audit()->messageBar()->title(), QStringLiteral("The newest 3 entries are not in the list yet"));
    QVERIFY2(audit()->messageBar()->detail().contains(QStringLiteral("covers entries 1 to %1 of %2").arg(before).arg(before + 3)),
             qPrintable(audit()->messageBar()->detail()));
    QCOMPARE(model()->rowAt(0)->seq, before);

    // Once indexed, a reload shows them and the notice is gone.
    QCOMPARE(log.value()->updateIndex(audit::kMaxIndexBatch).value(), 3);
    QSignalSpy opened(audit(), &ui::AuditBrowserView::logOpened);
    audit()->reload();
    QVERIFY(opened.wait(10'000));
    QVERIFY(waitForReload());
    QCOMPARE(model()->rowAt(0)->seq, before + 3);
    QVERIFY(audit()->messageBar()->isHidden());
}

void TestAuditBrowser::exportWritesTheCurrentFilter()
{
    auto *outcome = find<QComboBox>(QStringLiteral("outcomeCombo"));
    outcome->setCurrentIndex(outcome->findData(QStringList{QStringLiteral("denied_by_reviewer")}));
    QVERIFY(waitForReload());
    const QList<qint64> expected = expectedSeqs(m_log.entries, [](const ExpectedEntry &e) { return e.outcome == QLatin1String("denied_by_reviewer"); });

    const QString jsonl = m_dir.filePath(QStringLiteral("denials.jsonl"));
    QVERIFY(audit()->exportTo(jsonl, audit::ExportFormat::JsonLines));
    QVERIFY(waitForJob());
    QVERIFY2(audit()->messageBar()->title().startsWith(QStringLiteral("Exported %1 entries").arg(expected.size())),
             qPrintable(audit()->messageBar()->text()));
    QFile file(jsonl);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = file.readAll().split('\n');
    QCOMPARE(lines.size(), expected.size() + 1);
    // Oldest first, each line the entry's exact leaf bytes and hash, as countersign-audit writes.
    auto log = audit::AuditLog::open(m_log.path, audit::AuditLog::Options{true});
    QVERIFY(log);
    const auto oldest = log.value()->entry(expected.last());
    QVERIFY(oldest);
    QCOMPARE(QByteArray(lines.first() + '\n'), audit::exportLine(oldest.value(), audit::ExportFormat::JsonLines));

    const QString csv = m_dir.filePath(QStringLiteral("denials.csv"));
    QVERIFY(audit()->exportTo(csv, audit::ExportFormat::Csv));
    QVERIFY(waitForJob());
    QFile csvFile(csv);
    QVERIFY(csvFile.open(QIODevice::ReadOnly));
    const QByteArray text = csvFile.readAll();
    QVERIFY(text.startsWith("seq,time,kind,actor,subject,payload,prev_hash,leaf_hash\r\n"));
    QCOMPARE(text.count("\r\n"), expected.size() + 1);
}

void TestAuditBrowser::everyWidgetShowingLogTextIsPlainText()
{
    auto *search = find<QLineEdit>(QStringLiteral("auditSearchEdit"));
    search->setText(m_hostileId);
    QTest::keyClick(search, Qt::Key_Return);
    QVERIFY(waitForReload());
    QCOMPARE(model()->rowCount(), 1);
    clickRow(0);
    ui::AuditEntryView *entry = audit()->entryView();
    QVERIFY(QTest::qWaitFor([entry] { return entry->hasDetail(); }, 10'000));
    QCOMPARE(entry->actionView()->actionId(), m_hostileId);

    const QList<QLabel *> labels = audit()->findChildren<QLabel *>();
    QVERIFY(labels.size() > 30);
    for (const QLabel *label : labels) {
        QVERIFY2(label->textFormat() == Qt::PlainText, qPrintable(label->objectName() + QStringLiteral(": ") + label->text()));
        // Direction overrides and zero-width characters are shown as escapes, never as themselves.
        QVERIFY2(!label->text().contains(QChar(0x202E)) && !label->text().contains(QChar(0x200B)), qPrintable(label->objectName()));
    }
    // The list's cells and tooltips, and the combos' items, are plain too.
    for (int column = 0; column < AuditHistoryModel::ColumnCount; ++column) {
        const QModelIndex index = model()->index(0, column);
        QVERIFY(!index.data(Qt::DisplayRole).toString().contains(QChar(0x202E)));
        const QString tip = index.data(Qt::ToolTipRole).toString();
        QVERIFY2(tip.isEmpty() || !Qt::mightBeRichText(tip), qPrintable(tip));
    }
    for (QComboBox *combo : audit()->findChildren<QComboBox *>()) {
        for (int item = 0; item < combo->count(); ++item)
            QVERIFY(!combo->itemText(item).contains(QChar(0x202E)));
    }
    QVERIFY(entry->rawView()->isReadOnly());
    QVERIFY(!entry->rawView()->toPlainText().isEmpty());
}

void TestAuditBrowser::queueShortcutsDoNothingInTheAuditView()
{
    // A, D, J, K and Esc decide and move in the queue; shown the audit view, they must not.
    for (const char *name : {"approveAction", "denyAction", "nextAction", "previousAction", "confirmAction", "cancelAction"})
        QVERIFY2(!find<QAction>(QLatin1String(name))->isEnabled(), name);
    m_window->showQueue();
    QVERIFY(find<QAction>(QStringLiteral("cancelAction"))->isEnabled());
}

QTEST_MAIN(TestAuditBrowser)
#include "test_audit_browser.moc"
