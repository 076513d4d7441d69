// PendingQueueModel: ordering, coalesced arrivals, stable selection, removal, duplicates and
// the countdown, under QAbstractItemModelTester and a hand-moved clock.
#include "models/PendingQueueModel.h"

#include "core/Clock.h"
#include "core/ServerTime.h"
#include "core/crypto/Digest.h"
#include "tests/unit/models/FakeGatewayConnection.h"

#include <QAbstractItemModelTester>
#include <QItemSelectionModel>
#include <QSignalSpy>
#include <QTest>

using namespace countersign;

namespace {

using FakeConnection = testing::FakeGatewayConnection;

QStringList idsInOrder(const PendingQueueModel &model)
{
    QStringList ids;
    for (int row = 0; row < model.rowCount(); ++row)
        ids.append(model.index(row, 0).data(PendingQueueModel::ActionIdRole).toString());
    return ids;
}

} // namespace

class TestPendingQueueModel final : public QObject, private testing::QueueModelFixture {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void emptyModelShape();
    void ordersByDeadlineThenTier();
    void insertsIntoTheMiddleAcrossTurns();
    void coalescesArrivalsIntoOneInsertion();
    void insertsOncePerContiguousRun();
    void largeBurstResetsOnce();
    void selectionSurvivesArrivals();
    void resolvedRemovesTheRow();
    void resolvedBeforeInsertionNeverShows();
    void resolvedForUnknownIdIsIgnored();
    void duplicatesAreIgnored();
    void countdownUpdatesOnlyTheTimeColumn();
    void expiredRowsStayUntilResolved();
    void timeFraction();
    void newRoleFadesAndSkipsTheSnapshot();
    void approvalsColumn();
    void judgeColumn();
    void flaggedFirstMovesFlaggedActionsUpAndKeepsTheSelection();
    void resyncClearsEverything();
    void rowOfAndActionAt();
    void desktopClockChangeDoesNotMoveDeadlines();
    void escalationIsShownOnTheRow();

private:
    void flush() { QCoreApplication::processEvents(); }

    std::unique_ptr<QAbstractItemModelTester> m_tester;
};

void TestPendingQueueModel::init()
{
    makeQueue();
    m_tester = std::make_unique<QAbstractItemModelTester>(
        m_model.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
}

void TestPendingQueueModel::cleanup()
{
    m_tester.reset();
    closeQueue();
}

void TestPendingQueueModel::emptyModelShape()
{
    QCOMPARE(m_model->rowCount(), 0);
    QCOMPARE(m_model->columnCount(), int(PendingQueueModel::ColumnCount));
    QCOMPARE(m_model->headerData(PendingQueueModel::TimeLeft, Qt::Horizontal).toString(), QStringLiteral("Time left"));
    QCOMPARE(m_model->actionAt(0), nullptr);
    QCOMPARE(m_model->rowOf(QStringLiteral("nope")), -1);
    QCOMPARE(m_model->mostUrgentDecidableRow(), -1);
}

void TestPendingQueueModel::ordersByDeadlineThenTier()
{
    // Same deadline for b, c, d: the higher tier first; then the id keeps the order total.
    m_connection->send(m_connection->frame(QStringLiteral("late"), m_now, 600, 4));
    m_connection->send(m_connection->frame(QStringLiteral("b-tier2"), m_now, 300, 2));
    m_connection->send(m_connection->frame(QStringLiteral("c-tier4"), m_now, 300, 4));
    m_connection->send(m_connection->frame(QStringLiteral("soon"), m_now, 60, 1));
    m_connection->send(m_connection->frame(QStringLiteral("a-tier2"), m_now, 300, 2));
    flush();
    QCOMPARE(idsInOrder(*m_model),
        (QStringList {QStringLiteral("soon"), QStringLiteral("c-tier4"), QStringLiteral("a-tier2"),
            QStringLiteral("b-tier2"), QStringLiteral("late")}));
    const QModelIndex valid = m_model->index(0, 0);
    QCOMPARE(m_model->rowCount(valid), 0);
    QCOMPARE(m_model->columnCount(valid), 0);
    QVERIFY(m_model->flags(valid).testFlag(Qt::ItemNeverHasChildren));
    QVERIFY(m_model->flags(valid).testFlag(Qt::ItemIsSelectable));
    QVERIFY(!m_model->flags(valid).testFlag(Qt::ItemIsEditable));
}

void TestPendingQueueModel::insertsIntoTheMiddleAcrossTurns()
{
    m_connection->send(m_connection->frame(QStringLiteral("a"), m_now, 100));
    m_connection->send(m_connection->frame(QStringLiteral("c"), m_now, 300));
    flush();
    m_connection->send(m_connection->frame(QStringLiteral("b"), m_now, 200));
    flush();
    m_connection->send(m_connection->frame(QStringLiteral("first"), m_now, 50));
    m_connection->send(m_connection->frame(QStringLiteral("last"), m_now, 900));
    flush();
    QCOMPARE(idsInOrder(*m_model),
        (QStringList {QStringLiteral("first"), QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c"),
            QStringLiteral("last")}));
}

void TestPendingQueueModel::coalescesArrivalsIntoOneInsertion()
{
    QSignalSpy inserted(m_model.get(), &QAbstractItemModel::rowsInserted);
    QSignalSpy count(m_model.get(), &PendingQueueModel::pendingCountChanged);
    for (int i = 0; i < 10; ++i)
        m_connection->send(m_connection->frame(QStringLiteral("act-%1").arg(i), m_now, 100 + i));
    QCOMPARE(m_model->rowCount(), 0); // nothing until the event loop turns
    QCOMPARE(inserted.count(), 0);
    flush();
    QCOMPARE(m_model->rowCount(), 10);
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(inserted.at(0).at(1).toInt(), 0);
    QCOMPARE(inserted.at(0).at(2).toInt(), 9);
    QCOMPARE(count.count(), 1);
    QCOMPARE(count.at(0).at(0).toInt(), 10);
}

void TestPendingQueueModel::insertsOncePerContiguousRun()
{
    m_connection->send(m_connection->frame(QStringLiteral("m1"), m_now, 100));
    m_connection->send(m_connection->frame(QStringLiteral("m2"), m_now, 300));
    flush();
    QSignalSpy inserted(m_model.get(), &QAbstractItemModel::rowsInserted);
    // Two land before m1, one between m1 and m2: two runs, two insertions.
    m_connection->send(m_connection->frame(QStringLiteral("x"), m_now, 50));
    m_connection->send(m_connection->frame(QStringLiteral("z"), m_now, 200));
    m_connection->send(m_connection->frame(QStringLiteral("y"), m_now, 60));
    flush();
    QCOMPARE(inserted.count(), 2);
    QCOMPARE(idsInOrder(*m_model),
        (QStringList {QStringLiteral("x"), QStringLiteral("y"), QStringLiteral("m1"), QStringLiteral("z"),
            QStringLiteral("m2")}));
}

void TestPendingQueueModel::largeBurstResetsOnce()
{
    m_connection->send(m_connection->frame(QStringLiteral("existing"), m_now, 150));
    flush();
    QSignalSpy inserted(m_model.get(), &QAbstractItemModel::rowsInserted);
    QSignalSpy reset(m_model.get(), &QAbstractItemModel::modelReset);
    const int burst = PendingQueueModel::kResetThreshold + 36;
    for (int i = 0; i < burst; ++i)
        m_connection->send(
            m_connection->frame(QStringLiteral("burst-%1").arg(i, 3, 10, QLatin1Char('0')), m_now, 100 + i));
    flush();
    QCOMPARE(inserted.count(), 0);
    QCOMPARE(reset.count(), 1);
    QCOMPARE(m_model->rowCount(), burst + 1);
    QCOMPARE(m_model->rowOf(QStringLiteral("existing")), 51); // after burst-000..050 (deadlines up to 150 s)
    QCOMPARE(idsInOrder(*m_model).constFirst(), QStringLiteral("burst-000"));
}

void TestPendingQueueModel::selectionSurvivesArrivals()
{
    m_connection->send(m_connection->frame(QStringLiteral("a"), m_now, 100));
    m_connection->send(m_connection->frame(QStringLiteral("chosen"), m_now, 200));
    flush();
    QItemSelectionModel selection(m_model.get());
    selection.setCurrentIndex(m_model->index(1, 0), QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    QSignalSpy currentChanged(&selection, &QItemSelectionModel::currentChanged);

    // More urgent arrivals land above the selection; it must still be the same action.
    m_connection->send(m_connection->frame(QStringLiteral("urgent-1"), m_now, 30));
    m_connection->send(m_connection->frame(QStringLiteral("urgent-2"), m_now, 40));
    m_connection->send(m_connection->frame(QStringLiteral("later"), m_now, 900));
    flush();
    QCOMPARE(selection.currentIndex().data(PendingQueueModel::ActionIdRole).toString(), QStringLiteral("chosen"));
    QCOMPARE(selection.currentIndex().row(), 3);
    QVERIFY(selection.isRowSelected(3, {}));
    QCOMPARE(selection.selectedRows().size(), 1);
    QCOMPARE(currentChanged.count(), 0);

    // And an unrelated removal does not move it either.
    m_connection->resolve(QStringLiteral("urgent-1"));
    QCOMPARE(selection.currentIndex().data(PendingQueueModel::ActionIdRole).toString(), QStringLiteral("chosen"));
}

void TestPendingQueueModel::resolvedRemovesTheRow()
{
    m_connection->send(m_connection->frame(QStringLiteral("a"), m_now, 100));
    m_connection->send(m_connection->frame(QStringLiteral("b"), m_now, 200));
    flush();
    QSignalSpy removed(m_model.get(), &QAbstractItemModel::rowsRemoved);
    QSignalSpy count(m_model.get(), &PendingQueueModel::pendingCountChanged);
    m_connection->resolve(QStringLiteral("a"));
    QCOMPARE(removed.count(), 1);
    QCOMPARE(removed.at(0).at(1).toInt(), 0);
    QCOMPARE(m_model->rowCount(), 1);
    QCOMPARE(m_model->rowOf(QStringLiteral("a")), -1);
    QCOMPARE(m_model->rowOf(QStringLiteral("b")), 0);
    QCOMPARE(count.constLast().at(0).toInt(), 1);

    // A resolved action that is published again is a new pending action, not a duplicate.
    m_connection->send(m_connection->frame(QStringLiteral("a"), m_now, 100));
    flush();
    QCOMPARE(m_model->rowCount(), 2);
}

void TestPendingQueueModel::resolvedBeforeInsertionNeverShows()
{
    QSignalSpy inserted(m_model.get(), &QAbstractItemModel::rowsInserted);
    m_connection->send(m_connection->frame(QStringLiteral("fleeting"), m_now, 100));
    m_connection->send(m_connection->frame(QStringLiteral("stays"), m_now, 100));
    m_connection->resolve(QStringLiteral("fleeting"));
    flush();
    QCOMPARE(idsInOrder(*m_model), QStringList {QStringLiteral("stays")});
    QCOMPARE(inserted.count(), 1);
}

void TestPendingQueueModel::resolvedForUnknownIdIsIgnored()
{
    m_connection->send(m_connection->frame(QStringLiteral("a"), m_now, 100));
    flush();
    QSignalSpy removed(m_model.get(), &QAbstractItemModel::rowsRemoved);
    m_connection->resolve(QStringLiteral("never-seen"));
    QCOMPARE(removed.count(), 0);
    QCOMPARE(m_model->rowCount(), 1);
}

void TestPendingQueueModel::duplicatesAreIgnored()
{
    const protocol::ActionPending frame = m_connection->frame(QStringLiteral("dup"), m_now, 100);
    m_connection->send(frame);
    m_connection->send(frame); // same turn
    flush();
    QCOMPARE(m_model->rowCount(), 1);

    QSignalSpy inserted(m_model.get(), &QAbstractItemModel::rowsInserted);
    QSignalSpy changed(m_model.get(), &QAbstractItemModel::dataChanged);
    protocol::ActionPending replayed = frame;
    replayed.seq += 10;
    replayed.action.deadline = replayed.action.deadline.addSecs(999); // a later copy changes nothing
    m_connection->send(replayed);
    flush();
    QCOMPARE(m_model->rowCount(), 1);
    QCOMPARE(inserted.count(), 0);
    QCOMPARE(changed.count(), 0);
    QCOMPARE(m_model->index(0, 0).data(PendingQueueModel::DeadlineRole).toDateTime(), frame.action.deadline);
}

void TestPendingQueueModel::countdownUpdatesOnlyTheTimeColumn()
{
    m_connection->send(m_connection->frame(QStringLiteral("a"), m_now, 300));
    m_connection->send(m_connection->frame(QStringLiteral("b"), m_now, 400));
    flush();
    const QModelIndex time = m_model->index(0, PendingQueueModel::TimeLeft);
    QCOMPARE(time.data().toString(), QStringLiteral("5:00"));

    // Past the new-arrival highlight first, so the tick below changes only the countdown.
    m_clock->advanceMs(6000);
    m_model->refreshCountdown();

    QSignalSpy changed(m_model.get(), &QAbstractItemModel::dataChanged);
    m_clock->advanceMs(1000);
    m_model->refreshCountdown();
    QCOMPARE(changed.count(), 1);
    const QModelIndex topLeft = changed.at(0).at(0).value<QModelIndex>();
    const QModelIndex bottomRight = changed.at(0).at(1).value<QModelIndex>();
    const auto roles = changed.at(0).at(2).value<QList<int>>();
    QCOMPARE(topLeft, m_model->index(0, PendingQueueModel::TimeLeft));
    QCOMPARE(bottomRight, m_model->index(1, PendingQueueModel::TimeLeft));
    QVERIFY(!roles.isEmpty()); // explicit roles, never "everything"
    QVERIFY(roles.contains(Qt::DisplayRole));
    QVERIFY(roles.contains(PendingQueueModel::TimeFractionRole));
    QCOMPARE(time.data().toString(), QStringLiteral("4:53"));

    m_clock->advanceMs(233'000);
    m_model->refreshCountdown();
    QCOMPARE(time.data().toString(), QStringLiteral("1:00"));
    m_clock->advanceMs(1);
    QCOMPARE(time.data().toString(), QStringLiteral("1:00"));
    m_clock->advanceMs(999);
    QCOMPARE(time.data().toString(), QStringLiteral("59 s"));
    QCOMPARE(time.data(PendingQueueModel::MsLeftRole).toLongLong(), qint64(59'000));
}

void TestPendingQueueModel::expiredRowsStayUntilResolved()
{
    m_connection->send(m_connection->frame(QStringLiteral("a"), m_now, 10));
    m_connection->send(m_connection->frame(QStringLiteral("b"), m_now, 100));
    flush();
    QSignalSpy expired(m_model.get(), &PendingQueueModel::actionExpiredLocally);
    QSignalSpy changed(m_model.get(), &QAbstractItemModel::dataChanged);
    QCOMPARE(m_model->mostUrgentDecidableRow(), 0);

    m_clock->advanceMs(10'000);
    m_model->refreshCountdown();
    QCOMPARE(expired.count(), 1);
    QCOMPARE(expired.at(0).at(0).toString(), QStringLiteral("a"));
    QCOMPARE(m_model->rowCount(), 2); // the gateway decides when it is gone
    const QModelIndex a = m_model->index(0, PendingQueueModel::TimeLeft);
    QCOMPARE(a.data().toString(), QStringLiteral("expired"));
    QVERIFY(a.data(PendingQueueModel::ExpiredRole).toBool());
    QVERIFY(m_model->isExpiredAt(0));
    QVERIFY(!m_model->isExpiredAt(1));
    QCOMPARE(m_model->mostUrgentDecidableRow(), 1);

    // The whole row changed (greyed) with explicit roles.
    bool rowWide = false;
    for (const QList<QVariant> &args : std::as_const(changed)) {
        const auto tl = args.at(0).value<QModelIndex>();
        const auto br = args.at(1).value<QModelIndex>();
        if (tl.row() == 0 && tl.column() == 0 && br.column() == PendingQueueModel::ColumnCount - 1) {
            rowWide = true;
            QVERIFY(args.at(2).value<QList<int>>().contains(PendingQueueModel::ExpiredRole));
        }
    }
    QVERIFY(rowWide);

    m_clock->advanceMs(1000);
    m_model->refreshCountdown();
    QCOMPARE(expired.count(), 1); // once

    m_connection->resolve(QStringLiteral("a"));
    QCOMPARE(m_model->rowCount(), 1);
}

void TestPendingQueueModel::timeFraction()
{
    m_connection->send(m_connection->frame(QStringLiteral("a"), m_now, 200));
    flush();
    const QModelIndex index = m_model->index(0, PendingQueueModel::TimeLeft);
    QCOMPARE(index.data(PendingQueueModel::TimeFractionRole).toDouble(), 1.0);
    m_clock->advanceMs(50'000);
    QCOMPARE(index.data(PendingQueueModel::TimeFractionRole).toDouble(), 0.75);
    m_clock->advanceMs(200'000);
    QCOMPARE(index.data(PendingQueueModel::TimeFractionRole).toDouble(), 0.0);
}

void TestPendingQueueModel::newRoleFadesAndSkipsTheSnapshot()
{
    m_connection->resync();
    m_connection->send(m_connection->frame(QStringLiteral("snapshot"), m_now, 300));
    m_connection->subscribedNow();
    m_connection->send(m_connection->frame(QStringLiteral("live"), m_now, 400));
    flush();
    const QModelIndex snapshot = m_model->index(m_model->rowOf(QStringLiteral("snapshot")), PendingQueueModel::Tool);
    const QModelIndex live = m_model->index(m_model->rowOf(QStringLiteral("live")), PendingQueueModel::Tool);
    QVERIFY(!snapshot.data(PendingQueueModel::NewRole).toBool());
    QVERIFY(!snapshot.data(Qt::BackgroundRole).isValid());
    QVERIFY(live.data(PendingQueueModel::NewRole).toBool());
    QVERIFY(live.data(Qt::BackgroundRole).isValid());

    QSignalSpy changed(m_model.get(), &QAbstractItemModel::dataChanged);
    m_clock->advanceMs(m_model->newHighlightMs());
    m_model->refreshCountdown();
    QVERIFY(!live.data(PendingQueueModel::NewRole).toBool());
    QVERIFY(!live.data(Qt::BackgroundRole).isValid());
    bool liveRowChanged = false;
    for (const QList<QVariant> &args : std::as_const(changed)) {
        const auto tl = args.at(0).value<QModelIndex>();
        if (tl.row() == live.row() && tl.column() == 0)
            liveRowChanged = args.at(2).value<QList<int>>().contains(PendingQueueModel::NewRole);
    }
    QVERIFY(liveRowChanged);
}

void TestPendingQueueModel::approvalsColumn()
{
    m_connection->send(m_connection->frame(QStringLiteral("single"), m_now, 100, 3, 1));
    m_connection->send(m_connection->frame(QStringLiteral("dual"), m_now, 200, 4, 2));
    flush();
    QCOMPARE(m_model->index(0, PendingQueueModel::Approvals).data().toString(), QString());
    const QModelIndex dual = m_model->index(1, PendingQueueModel::Approvals);
    QCOMPARE(dual.data().toString(), QStringLiteral("0 of 2"));

    QSignalSpy changed(m_model.get(), &QAbstractItemModel::dataChanged);
    m_connection->update(QStringLiteral("dual"), 1, {QStringLiteral("rita@example.com")});
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changed.at(0).at(0).value<QModelIndex>(), dual);
    QCOMPARE(changed.at(0).at(1).value<QModelIndex>(), dual);
    QCOMPARE(dual.data().toString(), QStringLiteral("1 of 2"));
    QCOMPARE(m_model->actionAt(1)->approvals, 1);
    QCOMPARE(m_model->approvedByAt(1), QStringList {QStringLiteral("rita@example.com")});
}

void TestPendingQueueModel::flaggedFirstMovesFlaggedActionsUpAndKeepsTheSelection()
{
    auto flag = [](protocol::ActionPending frame) {
        frame.action.judges = {{QStringLiteral("judge-b"), JudgeOutcome::Flag, QStringLiteral("y"), 0.8, {}}};
        return frame;
    };
    m_connection->send(m_connection->frame(QStringLiteral("soon"), m_now, 60, 2));
    m_connection->send(flag(m_connection->frame(QStringLiteral("flagged-late"), m_now, 600, 2)));
    m_connection->send(m_connection->frame(QStringLiteral("middle"), m_now, 300, 4));
    m_connection->send(flag(m_connection->frame(QStringLiteral("flagged-mid"), m_now, 300, 3)));
    flush();
    auto order = [this] {
        QStringList ids;
        for (int row = 0; row < m_model->rowCount(); ++row)
            ids.append(m_model->actionAt(row)->action.id);
        return ids;
    };
    QCOMPARE(order(), (QStringList{QStringLiteral("soon"), QStringLiteral("middle"), QStringLiteral("flagged-mid"),
                                   QStringLiteral("flagged-late")}));

    const QPersistentModelIndex selected(m_model->index(1, PendingQueueModel::Tool)); // "middle"
    QSignalSpy layout(m_model.get(), &QAbstractItemModel::layoutChanged);
    m_model->setFlaggedFirst(true);
    QCOMPARE(layout.size(), 1);
    QCOMPARE(order(), (QStringList{QStringLiteral("flagged-mid"), QStringLiteral("flagged-late"), QStringLiteral("soon"),
                                   QStringLiteral("middle")}));
    QCOMPARE(selected.row(), 3);
    QCOMPARE(selected.column(), int(PendingQueueModel::Tool));
    QCOMPARE(m_model->rowOf(QStringLiteral("flagged-late")), 1);

    // Arrivals and removals keep the order in force.
    m_connection->send(flag(m_connection->frame(QStringLiteral("flagged-soon"), m_now, 30, 1)));
    m_connection->send(m_connection->frame(QStringLiteral("soonest"), m_now, 10, 1));
    flush();
    QCOMPARE(order(), (QStringList{QStringLiteral("flagged-soon"), QStringLiteral("flagged-mid"), QStringLiteral("flagged-late"),
                                   QStringLiteral("soonest"), QStringLiteral("soon"), QStringLiteral("middle")}));
    m_connection->resolve(QStringLiteral("flagged-mid"));
    QCOMPARE(m_model->rowOf(QStringLiteral("flagged-late")), 1);
    QCOMPARE(selected.row(), 4);

    m_model->setFlaggedFirst(false);
    QCOMPARE(order(), (QStringList{QStringLiteral("soonest"), QStringLiteral("flagged-soon"), QStringLiteral("soon"),
                                   QStringLiteral("middle"), QStringLiteral("flagged-late")}));
    QCOMPARE(selected.row(), 3);
}

void TestPendingQueueModel::judgeColumn()
{
    protocol::ActionPending flagged = m_connection->frame(QStringLiteral("flagged"), m_now, 100, 3);
    flagged.action.judges = {{QStringLiteral("judge-a"), JudgeOutcome::Pass, QStringLiteral("x"), 0.2, {}},
        {QStringLiteral("judge-b"), JudgeOutcome::Flag, QStringLiteral("y"), 0.91, {}}};
    m_connection->send(flagged);
    protocol::ActionPending passed = m_connection->frame(QStringLiteral("passed"), m_now, 200, 3);
    passed.action.judges = {{QStringLiteral("judge-a"), JudgeOutcome::Pass, QStringLiteral("x"), 0.4, {}}};
    m_connection->send(passed);
    flush();
    QCOMPARE(m_model->index(0, PendingQueueModel::Judge).data().toString(), QStringLiteral("Flagged 0.91"));
    QVERIFY(m_model->index(0, PendingQueueModel::Judge).data(PendingQueueModel::FlaggedRole).toBool());
    QCOMPARE(m_model->index(1, PendingQueueModel::Judge).data().toString(), QString());
    QVERIFY(!m_model->index(1, PendingQueueModel::Judge).data(PendingQueueModel::FlaggedRole).toBool());
    QCOMPARE(m_model->index(0, PendingQueueModel::Tool).data().toString(), QStringLiteral("payments.transfer"));
    QCOMPARE(m_model->index(0, PendingQueueModel::Agent).data().toString(), QStringLiteral("payments-agent"));
    QCOMPARE(m_model->index(0, PendingQueueModel::OnBehalfOf).data().toString(), QStringLiteral("alice@example.com"));
    QCOMPARE(m_model->index(0, PendingQueueModel::Tier).data(PendingQueueModel::TierRole).toInt(), 3);
    QCOMPARE(m_model->index(0, PendingQueueModel::Tier).data().toString(), QStringLiteral("3 · High"));
}

void TestPendingQueueModel::resyncClearsEverything()
{
    m_connection->send(m_connection->frame(QStringLiteral("a"), m_now, 100));
    flush();
    m_connection->send(m_connection->frame(QStringLiteral("queued"), m_now, 100)); // not yet inserted
    QSignalSpy reset(m_model.get(), &QAbstractItemModel::modelReset);
    m_connection->resync();
    QCOMPARE(reset.count(), 1);
    QCOMPARE(m_model->rowCount(), 0);
    flush();
    QCOMPARE(m_model->rowCount(), 0);
    // After the resync the same ids are welcome again.
    m_connection->send(m_connection->frame(QStringLiteral("a"), m_now, 100));
    flush();
    QCOMPARE(m_model->rowCount(), 1);
}

void TestPendingQueueModel::rowOfAndActionAt()
{
    for (int i = 0; i < 20; ++i)
        m_connection->send(m_connection->frame(QStringLiteral("act-%1").arg(i), m_now, 1000 - i * 10, 1 + i % 4));
    flush();
    for (int row = 0; row < m_model->rowCount(); ++row) {
        const protocol::ActionPending *frame = m_model->actionAt(row);
        QVERIFY(frame);
        QCOMPARE(m_model->rowOf(frame->action.id), row);
        QCOMPARE(m_model->index(row, 0).data(PendingQueueModel::DigestRole).toByteArray(), frame->digest);
    }
    QCOMPARE(m_model->actionAt(-1), nullptr);
    QCOMPARE(m_model->actionAt(20), nullptr);
}

void TestPendingQueueModel::desktopClockChangeDoesNotMoveDeadlines()
{
    m_connection->send(m_connection->frame(QStringLiteral("a"), m_now, 300));
    flush();
    const QModelIndex time = m_model->index(0, PendingQueueModel::TimeLeft);
    m_clock->setWallClock(m_now.addDays(-1)); // the user turns the desktop clock back a day
    QCOMPARE(time.data().toString(), QStringLiteral("5:00"));
    m_clock->setWallClock(m_now.addSecs(3600));
    QCOMPARE(time.data().toString(), QStringLiteral("5:00"));
}

void TestPendingQueueModel::escalationIsShownOnTheRow()
{
    m_connection->send(m_connection->frame(QStringLiteral("a"), m_now, 300));
    m_connection->send(m_connection->frame(QStringLiteral("b"), m_now, 200));
    flush();
    const int rowA = m_model->rowOf(QStringLiteral("a"));
    QCOMPARE(m_model->index(rowA, 0).data(PendingQueueModel::EscalatedToRole).toString(), QString());
    QSignalSpy changed(m_model.get(), &QAbstractItemModel::dataChanged);
    Q_EMIT m_connection->actionEscalated(protocol::ActionEscalated{9, QStringLiteral("a"), QStringLiteral("finance-leads"), m_now.addSecs(240)});
    QCOMPARE(changed.count(), 1);
    QCOMPARE(m_model->index(rowA, 0).data(PendingQueueModel::EscalatedToRole).toString(), QStringLiteral("finance-leads"));
    QVERIFY(m_model->index(rowA, PendingQueueModel::TimeLeft).data(Qt::ToolTipRole).toString().contains(QStringLiteral("Escalated to finance-leads")));
    const int rowB = m_model->rowOf(QStringLiteral("b"));
    QCOMPARE(m_model->index(rowB, 0).data(PendingQueueModel::EscalatedToRole).toString(), QString());
    // One the console does not hold changes nothing.
    Q_EMIT m_connection->actionEscalated(protocol::ActionEscalated{10, QStringLiteral("zz"), QStringLiteral("x"), m_now});
    QCOMPARE(changed.count(), 1);
}

QTEST_MAIN(TestPendingQueueModel)
#include "test_pending_queue_model.moc"
