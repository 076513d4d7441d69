// Queue ▸ Show only Judge-flagged, through the real main window offscreen over a scripted
// gateway: only flagged actions listed; J/K and the next-after-a-decision among listed rows only;
// the detail pane never showing an unlisted action; every count outside the list (window title,
// status line, tray) still counting every pending action; the count line and an empty state that
// say what the filter hides; the F shortcut, the header toggle and the remembered setting.
#include "ConsoleWindowFixture.h"
#include "ScriptedGatewayConnection.h"
#include "SampleActions.h"

#include "core/Clock.h"
#include "core/ServerTime.h"
#include "models/PendingQueueModel.h"
#include "models/QueueFilterModel.h"
#include "net/ReviewerKey.h"
#include "ui/ActionDetailView.h"
#include "ui/AttentionTray.h"
#include "ui/MainWindow.h"
#include "ui/MessageBar.h"
#include "ui/StatusLine.h"

#include <QAction>
#include <QApplication>
#include <QLabel>
#include <QLineEdit>
#include <QSet>
#include <QSettings>
#include <QTableView>
#include <QTest>
#include <QToolButton>

using namespace countersign;
using countersign::testing::ScriptedGatewayConnection;

class TestQueueFilter final : public QObject, private testing::ConsoleWindowFixture {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void showsOnlyFlaggedAndStillCountsEverything();
    void jAndKMoveOnlyAmongListedRows();
    void nextListedActionIsSelectedAfterADecision();
    void hidingTheShownActionShowsAListedOneAndDisarms();
    void emptyFilteredQueueSaysActionsAreHidden();
    void headerToggleAndSettingAreTheSameFilter();
    void fShortcutIsUniqueAndTypesInTheReasonField();

private:
    QTableView *queue() const { return m_window->queueView(); }
    QAction *filterAction() const { return m_window->findChild<QAction *>(QStringLiteral("flaggedOnlyAction")); }
    QString countText() const { return find<QLabel>(QStringLiteral("queueCountLabel"))->text(); }
    QString placeholderTitle() const { return find<QLabel>(QStringLiteral("placeholderTitle"))->text(); }
    QLabel *emptyNote() const { return find<QLabel>(QStringLiteral("queueEmptyNote")); }
    QStringList listedIds() const
    {
        QStringList ids;
        const QAbstractItemModel *model = queue()->model();
        for (int row = 0; row < model->rowCount(); ++row)
            ids.append(model->index(row, 0).data(PendingQueueModel::ActionIdRole).toString());
        return ids;
    }
    QString currentId() const { return queue()->currentIndex().data(PendingQueueModel::ActionIdRole).toString(); }
    Action flagged(const QString &id, int windowSeconds) const
    {
        return testing::emailAction(id, m_now, windowSeconds, true);
    }
    Action plain(const QString &id, int windowSeconds) const
    {
        return testing::emailAction(id, m_now, windowSeconds, false);
    }
    // plain-1 (60 s), flag-1 (120 s), plain-2 (180 s), flag-2 (240 s), plain-3 (300 s), flag-3 (360 s).
    void arriveSix()
    {
        arrive(plain(QStringLiteral("plain-1"), 60));
        arrive(flagged(QStringLiteral("flag-1"), 120));
        arrive(plain(QStringLiteral("plain-2"), 180));
        arrive(flagged(QStringLiteral("flag-2"), 240));
        arrive(plain(QStringLiteral("plain-3"), 300));
        arrive(flagged(QStringLiteral("flag-3"), 360));
    }
    void pressF()
    {
        queue()->setFocus();
        QTest::keyClick(queue(), Qt::Key_F);
    }
};

void TestQueueFilter::initTestCase()
{
    const QString problem = setUpConsole("test_queue_filter");
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
}

void TestQueueFilter::init()
{
    QSettings().clear();
    const QString problem = unlockKey();
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    makeConsole();
    m_window->setDeliberateCategories({});
    m_window->show();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
    m_connection->connectAs(QStringLiteral("rita@example.com"), m_now);
}

void TestQueueFilter::cleanup()
{
    closeConsole();
}

void TestQueueFilter::showsOnlyFlaggedAndStillCountsEverything()
{
    arriveSix();
    QVERIFY(m_window->selectAction(QStringLiteral("flag-2")));
    QCOMPARE(countText(), QStringLiteral("6 · most urgent first"));
    QVERIFY(filterAction() && filterAction()->isCheckable() && !filterAction()->isChecked());

    pressF();
    QVERIFY(filterAction()->isChecked());
    QVERIFY(m_window->queueFilter()->flaggedOnly());
    QCOMPARE(listedIds(), (QStringList {QStringLiteral("flag-1"), QStringLiteral("flag-2"), QStringLiteral("flag-3")}));
    QCOMPARE(countText(), QStringLiteral("3 Judge-flagged of 6 pending · 3 hidden by filter"));
    QVERIFY(QSettings().value(QStringLiteral("queue/flaggedOnly")).toBool());
    // The selected action was flagged: it stays selected and shown.
    QCOMPARE(m_window->selectedActionId(), QStringLiteral("flag-2"));
    QCOMPARE(currentId(), QStringLiteral("flag-2"));
    QCOMPARE(queue()->currentIndex().row(), 1);

    // Every count outside the list is of all the work.
    QCOMPARE(m_window->windowTitle(), QStringLiteral("Countersign — 6 pending"));
    QVERIFY2(m_window->statusLine()->text().contains(QStringLiteral("6 pending")),
        qPrintable(m_window->statusLine()->text()));
    QCOMPARE(m_window->attentionTray()->toolTip(), QStringLiteral("Countersign — 6 pending"));
    QCOMPARE(m_window->queueModel()->rowCount(), 6);

    // Arrivals: an unflagged one is counted and hidden, a flagged one listed.
    arrive(plain(QStringLiteral("plain-new"), 30));
    QCOMPARE(listedIds().size(), 3);
    QCOMPARE(countText(), QStringLiteral("3 Judge-flagged of 7 pending · 4 hidden by filter"));
    QCOMPARE(m_window->windowTitle(), QStringLiteral("Countersign — 7 pending"));
    QCOMPARE(m_window->attentionTray()->toolTip(), QStringLiteral("Countersign — 7 pending"));
    arrive(flagged(QStringLiteral("flag-new"), 10));
    QCOMPARE(listedIds().constFirst(), QStringLiteral("flag-new"));
    QCOMPARE(countText(), QStringLiteral("4 Judge-flagged of 8 pending · 4 hidden by filter"));
    QCOMPARE(m_window->selectedActionId(), QStringLiteral("flag-2")); // arrivals never move the selection

    pressF();
    QVERIFY(!filterAction()->isChecked());
    QVERIFY(!QSettings().value(QStringLiteral("queue/flaggedOnly")).toBool());
    QCOMPARE(listedIds().size(), 8);
    QCOMPARE(countText(), QStringLiteral("8 · most urgent first"));
    QCOMPARE(m_window->selectedActionId(), QStringLiteral("flag-2"));
    QCOMPARE(currentId(), QStringLiteral("flag-2"));
}

void TestQueueFilter::jAndKMoveOnlyAmongListedRows()
{
    arriveSix();
    pressF();
    QCOMPARE(listedIds().size(), 3);
    QTest::keyClick(queue(), Qt::Key_J);
    QCOMPARE(m_window->selectedActionId(), QStringLiteral("flag-1"));
    QTest::keyClick(queue(), Qt::Key_J);
    QCOMPARE(m_window->selectedActionId(), QStringLiteral("flag-2"));
    QTest::keyClick(queue(), Qt::Key_J);
    QCOMPARE(m_window->selectedActionId(), QStringLiteral("flag-3"));
    QTest::keyClick(queue(), Qt::Key_J); // the last listed row stays; no hidden row follows
    QCOMPARE(m_window->selectedActionId(), QStringLiteral("flag-3"));
    QTest::keyClick(queue(), Qt::Key_K);
    QCOMPARE(m_window->selectedActionId(), QStringLiteral("flag-2"));
    QTest::keyClick(queue(), Qt::Key_Up);
    QCOMPARE(m_window->selectedActionId(), QStringLiteral("flag-1"));
    QTest::keyClick(queue(), Qt::Key_K);
    QCOMPARE(m_window->selectedActionId(), QStringLiteral("flag-1"));
    QTest::keyClick(queue(), Qt::Key_Down);
    QCOMPARE(m_window->selectedActionId(), QStringLiteral("flag-2"));
    QCOMPARE(m_window->detailView()->actionId(), QStringLiteral("flag-2"));
}

void TestQueueFilter::nextListedActionIsSelectedAfterADecision()
{
    arriveSix();
    // plain-1 past its deadline (pending until the gateway resolves it): the queue's most urgent
    // decidable row is then flag-1 at row 1, the list's at row 0.
    m_clock->advanceMs(70'000);
    m_window->queueModel()->refreshCountdown();
    pressF();
    QVERIFY(m_window->selectAction(QStringLiteral("flag-2")));
    queue()->setFocus();
    QTest::keyClick(queue(), Qt::Key_A);
    press(Qt::Key_Return, Qt::ControlModifier);
    QCOMPARE(m_connection->sentDecisions().size(), 1);
    QCOMPARE(m_connection->sentDecisions().constFirst().actionId, QStringLiteral("flag-2"));
    m_connection->emitResult(m_connection->sentDecisions().constFirst(), true, m_now);
    m_connection->emitResolved(
        QStringLiteral("flag-2"), protocol::Outcome::Approved, QStringLiteral("rita@example.com"), m_now);

    // The most urgent listed action — not plain-1, more urgent but hidden.
    QCOMPARE(m_window->selectedActionId(), QStringLiteral("flag-1"));
    QCOMPARE(currentId(), QStringLiteral("flag-1"));
    QCOMPARE(QApplication::focusWidget(), queue());
    QCOMPARE(countText(), QStringLiteral("2 Judge-flagged of 5 pending · 3 hidden by filter"));

    // A hidden action resolving elsewhere changes the counts, never the selection.
    m_connection->emitResolved(
        QStringLiteral("plain-1"), protocol::Outcome::Denied, QStringLiteral("sam@example.com"), m_now);
    QCOMPARE(m_window->selectedActionId(), QStringLiteral("flag-1"));
    QCOMPARE(countText(), QStringLiteral("2 Judge-flagged of 4 pending · 2 hidden by filter"));
    QCOMPARE(m_window->windowTitle(), QStringLiteral("Countersign — 4 pending"));

    // The shown one resolved by someone else: the next listed one again.
    m_connection->emitResolved(
        QStringLiteral("flag-1"), protocol::Outcome::Denied, QStringLiteral("sam@example.com"), m_now);
    QCOMPARE(m_window->selectedActionId(), QStringLiteral("flag-3"));
    // The last listed one going leaves nothing listed: the pane says the rest is hidden.
    m_connection->emitResolved(
        QStringLiteral("flag-3"), protocol::Outcome::Denied, QStringLiteral("sam@example.com"), m_now);
    QVERIFY(!m_window->detailView()->hasAction());
    QVERIFY(!queue()->currentIndex().isValid());
    QCOMPARE(placeholderTitle(), QStringLiteral("2 pending actions are hidden by the filter"));
}

void TestQueueFilter::hidingTheShownActionShowsAListedOneAndDisarms()
{
    arriveSix();
    QVERIFY(m_window->selectAction(QStringLiteral("plain-3")));
    queue()->setFocus();
    QTest::keyClick(queue(), Qt::Key_A);
    QCOMPARE(m_window->detailView()->armed(), ui::ActionDetailView::Armed::Approve);

    pressF();
    // plain-3 is no longer listed, so it is no longer shown: the most urgent listed action is.
    QCOMPARE(m_window->selectedActionId(), QStringLiteral("flag-1"));
    QCOMPARE(currentId(), QStringLiteral("flag-1"));
    QCOMPARE(m_window->detailView()->armed(), ui::ActionDetailView::Armed::None);
    QCOMPARE(queue()->selectionModel()->selectedRows().size(), 1);
    QCOMPARE(queue()->selectionModel()->selectedRows().constFirst().row(), 0);
    // Nothing armed is left for a stray Ctrl+Enter, on either action.
    press(Qt::Key_Return, Qt::ControlModifier);
    QVERIFY(m_connection->sentDecisions().isEmpty());

    // Every listed action flagged, none of them shown before: the filter hides the shown one
    // with nothing listed — the pane is emptied, never left on the hidden action.
    m_connection->emitResolved(QStringLiteral("flag-1"), protocol::Outcome::Denied, QStringLiteral("sam"), m_now);
    m_connection->emitResolved(QStringLiteral("flag-2"), protocol::Outcome::Denied, QStringLiteral("sam"), m_now);
    m_connection->emitResolved(QStringLiteral("flag-3"), protocol::Outcome::Denied, QStringLiteral("sam"), m_now);
    pressF(); // off
    QVERIFY(m_window->selectAction(QStringLiteral("plain-2")));
    pressF(); // on, with only unflagged actions pending
    QVERIFY(!m_window->detailView()->hasAction());
    QCOMPARE(m_window->selectedActionId(), QString());
    QVERIFY(!queue()->currentIndex().isValid());
}

void TestQueueFilter::emptyFilteredQueueSaysActionsAreHidden()
{
    QCOMPARE(placeholderTitle(), QStringLiteral("Nothing is waiting for you"));
    QVERIFY(emptyNote()->isHidden());
    arrive(plain(QStringLiteral("plain-1"), 60));
    arrive(plain(QStringLiteral("plain-2"), 120));
    pressF();
    QCOMPARE(listedIds(), QStringList());
    QCOMPARE(countText(), QStringLiteral("0 Judge-flagged of 2 pending · 2 hidden by filter"));
    QVERIFY(!m_window->detailView()->hasAction());
    QCOMPARE(placeholderTitle(), QStringLiteral("2 pending actions are hidden by the filter"));
    QVERIFY(!placeholderTitle().contains(QStringLiteral("Nothing")));
    QVERIFY(emptyNote()->isVisible());
    QVERIFY2(emptyNote()->text().contains(QStringLiteral("2 pending actions are hidden by the filter")),
        qPrintable(emptyNote()->text()));
    QCOMPARE(m_window->windowTitle(), QStringLiteral("Countersign — 2 pending"));
    QCOMPARE(m_window->attentionTray()->toolTip(), QStringLiteral("Countersign — 2 pending"));
    QTest::keyClick(queue(), Qt::Key_J); // nothing listed to move to
    QVERIFY(!m_window->detailView()->hasAction());

    m_connection->emitResolved(QStringLiteral("plain-1"), protocol::Outcome::Expired, {}, m_now);
    QCOMPARE(placeholderTitle(), QStringLiteral("1 pending action is hidden by the filter"));
    QVERIFY(emptyNote()->text().contains(QStringLiteral("1 pending action is hidden")));
    QCOMPARE(countText(), QStringLiteral("0 Judge-flagged of 1 pending · 1 hidden by filter"));

    // A flagged arrival is listed (and, as every arrival, not selected for the reviewer).
    arrive(flagged(QStringLiteral("flag-1"), 90));
    QVERIFY(emptyNote()->isHidden());
    QCOMPARE(placeholderTitle(), QStringLiteral("No action selected"));
    QCOMPARE(countText(), QStringLiteral("1 Judge-flagged of 2 pending · 1 hidden by filter"));

    // Only when nothing at all is pending does it say so.
    m_connection->emitResolved(QStringLiteral("flag-1"), protocol::Outcome::Expired, {}, m_now);
    m_connection->emitResolved(QStringLiteral("plain-2"), protocol::Outcome::Expired, {}, m_now);
    QCOMPARE(placeholderTitle(), QStringLiteral("Nothing is waiting for you"));
    QVERIFY(emptyNote()->isHidden());
    QCOMPARE(countText(), QStringLiteral("nothing waiting · showing only Judge-flagged"));
}

void TestQueueFilter::headerToggleAndSettingAreTheSameFilter()
{
    arriveSix();
    auto *button = find<QToolButton>(QStringLiteral("flaggedOnlyButton"));
    QCOMPARE(button->defaultAction(), filterAction());
    QVERIFY(button->isVisible());
    QVERIFY(!button->accessibleName().isEmpty());
    QVERIFY(!button->isChecked());
    QTest::mouseClick(button, Qt::LeftButton);
    QVERIFY(button->isChecked());
    QVERIFY(filterAction()->isChecked());
    QCOMPARE(listedIds().size(), 3);
    QVERIFY(QSettings().value(QStringLiteral("queue/flaggedOnly")).toBool());

    // Remembered: a new window starts filtered, and says so.
    closeConsole();
    makeConsole();
    m_window->show();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
    m_connection->connectAs(QStringLiteral("rita@example.com"), m_now);
    QVERIFY(filterAction()->isChecked());
    QVERIFY(find<QToolButton>(QStringLiteral("flaggedOnlyButton"))->isChecked());
    arrive(plain(QStringLiteral("plain-1"), 60));
    arrive(flagged(QStringLiteral("flag-1"), 120));
    QCOMPARE(listedIds(), QStringList {QStringLiteral("flag-1")});
    QCOMPARE(countText(), QStringLiteral("1 Judge-flagged of 2 pending · 1 hidden by filter"));

    // In the audit view F does nothing to the queue (nobody is looking at it).
    m_window->showAudit();
    QVERIFY(!filterAction()->isEnabled());
    QTest::keyClick(m_window.get(), Qt::Key_F);
    QVERIFY(filterAction()->isChecked());
    m_window->showQueue();
    QVERIFY(filterAction()->isEnabled());
}

void TestQueueFilter::fShortcutIsUniqueAndTypesInTheReasonField()
{
    QSet<QString> seen;
    for (const QAction *action : m_window->commandActions()) {
        for (const QKeySequence &keys : action->shortcuts()) {
            const QString text = keys.toString(QKeySequence::PortableText);
            QVERIFY2(!seen.contains(text), qPrintable(text + QStringLiteral(" is bound twice")));
            seen.insert(text);
        }
    }
    QVERIFY(seen.contains(QStringLiteral("F")));
    QVERIFY(m_window->commandActions().contains(filterAction()));

    // Typing a reason containing "f" types it; the filter stays off.
    arrive(plain(QStringLiteral("plain-1"), 60));
    QVERIFY(m_window->selectAction(QStringLiteral("plain-1")));
    queue()->setFocus();
    QTest::keyClick(queue(), Qt::Key_D);
    auto *reason = find<QLineEdit>(QStringLiteral("reasonLineEdit"));
    QTRY_COMPARE(QApplication::focusWidget(), reason);
    QTest::keyClicks(reason, QStringLiteral("fraud"));
    QCOMPARE(reason->text(), QStringLiteral("fraud"));
    QVERIFY(!filterAction()->isChecked());
    QCOMPARE(m_window->selectedActionId(), QStringLiteral("plain-1"));
}

QTEST_MAIN(TestQueueFilter)
#include "test_queue_filter.moc"
