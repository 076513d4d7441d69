// QueueFilterModel: "Show only Judge-flagged" over the live queue — only flagged actions listed,
// in the queue's order, through arrivals, resolutions, a reorder and a resync; the queue itself
// still counting everything; toggling by row removal and insertion, never a reset. Under
// QAbstractItemModelTester and a hand-moved clock.
#include "models/QueueFilterModel.h"

#include "core/Clock.h"
#include "core/ServerTime.h"
#include "models/PendingQueueModel.h"
#include "tests/unit/models/FakeGatewayConnection.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace countersign;

namespace {

using FakeConnection = testing::FakeGatewayConnection;

protocol::ActionPending flagged(protocol::ActionPending frame)
{
    frame.action.judges = {{QStringLiteral("judge-a"), JudgeOutcome::Pass, QStringLiteral("x"), 0.1, {}},
        {QStringLiteral("judge-b"), JudgeOutcome::Flag, QStringLiteral("y"), 0.8, {}}};
    return frame;
}

protocol::ActionPending passed(protocol::ActionPending frame)
{
    frame.action.judges = {{QStringLiteral("judge-a"), JudgeOutcome::Pass, QStringLiteral("x"), 0.3, {}}};
    return frame;
}

QStringList listed(const QAbstractItemModel &model)
{
    QStringList ids;
    for (int row = 0; row < model.rowCount(); ++row)
        ids.append(model.index(row, 0).data(PendingQueueModel::ActionIdRole).toString());
    return ids;
}

} // namespace

class TestQueueFilterModel final : public QObject, private testing::QueueModelFixture {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void offListsEverything();
    void onListsOnlyFlaggedInTheQueuesOrder();
    void togglingRemovesAndInsertsRowsAndKeepsPersistentIndexes();
    void arrivalsAndResolutionsWhileOn();
    void flaggedFirstReorderWhileOn();
    void mostUrgentDecidableRowSkipsExpiredListedRows();
    void resyncEmptiesBoth();

private:
    void flush() { QCoreApplication::processEvents(); }
    void sendFour();

    std::unique_ptr<QueueFilterModel> m_filter;
    std::unique_ptr<QAbstractItemModelTester> m_tester;
};

void TestQueueFilterModel::init()
{
    makeQueue();
    m_filter = std::make_unique<QueueFilterModel>(m_model.get());
    m_tester = std::make_unique<QAbstractItemModelTester>(
        m_filter.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
}

void TestQueueFilterModel::cleanup()
{
    m_tester.reset();
    m_filter.reset();
    closeQueue();
}

// soon (60 s), flag-mid (300 s, flagged), middle (400 s), flag-late (600 s, flagged).
void TestQueueFilterModel::sendFour()
{
    m_connection->send(passed(m_connection->frame(QStringLiteral("soon"), m_now, 60)));
    m_connection->send(flagged(m_connection->frame(QStringLiteral("flag-late"), m_now, 600)));
    m_connection->send(m_connection->frame(QStringLiteral("middle"), m_now, 400));
    m_connection->send(flagged(m_connection->frame(QStringLiteral("flag-mid"), m_now, 300)));
    flush();
}

void TestQueueFilterModel::offListsEverything()
{
    QVERIFY(!m_filter->flaggedOnly());
    QCOMPARE(m_filter->mostUrgentDecidableRow(), -1);
    sendFour();
    QCOMPARE(listed(*m_filter), listed(*m_model));
    QCOMPARE(m_filter->rowCount(), 4);
    QCOMPARE(m_filter->hiddenCount(), 0);
    QCOMPARE(m_filter->pendingCount(), 4);
    QCOMPARE(m_filter->columnCount(), int(PendingQueueModel::ColumnCount));
    QCOMPARE(m_filter->rowOf(QStringLiteral("middle")), 2);
    QVERIFY(!m_filter->isHidden(QStringLiteral("middle")));
    QCOMPARE(m_filter->actionAt(2)->action.id, QStringLiteral("middle"));
}

void TestQueueFilterModel::onListsOnlyFlaggedInTheQueuesOrder()
{
    sendFour();
    m_filter->setFlaggedOnly(true);
    QVERIFY(m_filter->flaggedOnly());
    QCOMPARE(listed(*m_filter), (QStringList {QStringLiteral("flag-mid"), QStringLiteral("flag-late")}));
    QCOMPARE(m_filter->hiddenCount(), 2);
    // The queue itself still holds (and counts) every pending action.
    QCOMPARE(m_model->rowCount(), 4);
    QCOMPARE(m_filter->pendingCount(), 4);

    QCOMPARE(m_filter->rowOf(QStringLiteral("flag-late")), 1);
    QCOMPARE(m_filter->rowOf(QStringLiteral("soon")), -1);
    QVERIFY(m_filter->isHidden(QStringLiteral("soon")));
    QVERIFY(!m_filter->isHidden(QStringLiteral("flag-mid")));
    QVERIFY(!m_filter->isHidden(QStringLiteral("not-pending"))); // not pending is not "hidden"
    QCOMPARE(m_filter->rowOf(QStringLiteral("not-pending")), -1);
    QCOMPARE(m_filter->queueRow(0), m_model->rowOf(QStringLiteral("flag-mid")));
    QCOMPARE(m_filter->queueRow(2), -1);
    QCOMPARE(m_filter->actionAt(1)->action.id, QStringLiteral("flag-late"));
    QCOMPARE(m_filter->actionAt(2), nullptr);
    QVERIFY(m_filter->index(0, PendingQueueModel::Judge).data().toString().startsWith(QStringLiteral("Flagged")));
}

void TestQueueFilterModel::togglingRemovesAndInsertsRowsAndKeepsPersistentIndexes()
{
    sendFour();
    const QPersistentModelIndex lateFlag(m_filter->index(3, PendingQueueModel::Tool)); // flag-late
    const QPersistentModelIndex hidden(m_filter->index(2, PendingQueueModel::Tool)); // middle
    QSignalSpy reset(m_filter.get(), &QAbstractItemModel::modelReset);
    QSignalSpy removed(m_filter.get(), &QAbstractItemModel::rowsRemoved);
    QSignalSpy inserted(m_filter.get(), &QAbstractItemModel::rowsInserted);

    m_filter->setFlaggedOnly(true);
    QCOMPARE(reset.count(), 0);
    QVERIFY(removed.count() >= 1);
    QCOMPARE(lateFlag.row(), 1);
    QCOMPARE(lateFlag.column(), int(PendingQueueModel::Tool));
    QCOMPARE(lateFlag.data(PendingQueueModel::ActionIdRole).toString(), QStringLiteral("flag-late"));
    QVERIFY(!hidden.isValid()); // a hidden row cannot stay selected

    m_filter->setFlaggedOnly(true); // no change, no signal
    const int removals = removed.count();
    m_filter->setFlaggedOnly(false);
    QCOMPARE(removed.count(), removals);
    QCOMPARE(reset.count(), 0);
    QVERIFY(inserted.count() >= 1);
    QCOMPARE(listed(*m_filter), listed(*m_model));
    QCOMPARE(lateFlag.row(), 3);
}

void TestQueueFilterModel::arrivalsAndResolutionsWhileOn()
{
    sendFour();
    m_filter->setFlaggedOnly(true);
    QSignalSpy inserted(m_filter.get(), &QAbstractItemModel::rowsInserted);

    // An unflagged arrival is pending (the queue counts it) but not listed.
    m_connection->send(passed(m_connection->frame(QStringLiteral("plain-new"), m_now, 30)));
    flush();
    QCOMPARE(inserted.count(), 0);
    QCOMPARE(m_model->rowCount(), 5);
    QCOMPARE(m_filter->rowCount(), 2);
    QCOMPARE(m_filter->hiddenCount(), 3);

    // A flagged one lands in its place by urgency.
    m_connection->send(flagged(m_connection->frame(QStringLiteral("flag-new"), m_now, 450)));
    flush();
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(listed(*m_filter),
        (QStringList {QStringLiteral("flag-mid"), QStringLiteral("flag-new"), QStringLiteral("flag-late")}));

    // Resolving a hidden action changes only the hidden count; a listed one leaves the list.
    QSignalSpy removed(m_filter.get(), &QAbstractItemModel::rowsRemoved);
    m_connection->resolve(QStringLiteral("middle"));
    QCOMPARE(removed.count(), 0);
    QCOMPARE(m_filter->hiddenCount(), 2);
    m_connection->resolve(QStringLiteral("flag-new"));
    QCOMPARE(removed.count(), 1);
    QCOMPARE(listed(*m_filter), (QStringList {QStringLiteral("flag-mid"), QStringLiteral("flag-late")}));

    m_filter->setFlaggedOnly(false);
    QCOMPARE(listed(*m_filter),
        (QStringList {QStringLiteral("plain-new"), QStringLiteral("soon"), QStringLiteral("flag-mid"),
            QStringLiteral("flag-late")}));
}

void TestQueueFilterModel::flaggedFirstReorderWhileOn()
{
    sendFour();
    m_filter->setFlaggedOnly(true);
    const QPersistentModelIndex late(m_filter->index(1, 0));
    m_model->setFlaggedFirst(true);
    QCOMPARE(listed(*m_filter), (QStringList {QStringLiteral("flag-mid"), QStringLiteral("flag-late")}));
    QCOMPARE(late.row(), 1);
    m_filter->setFlaggedOnly(false);
    QCOMPARE(listed(*m_filter),
        (QStringList {QStringLiteral("flag-mid"), QStringLiteral("flag-late"), QStringLiteral("soon"),
            QStringLiteral("middle")}));
    QCOMPARE(late.row(), 1);
    m_model->setFlaggedFirst(false);
    QCOMPARE(listed(*m_filter), listed(*m_model));
    QCOMPARE(late.row(), 3);
}

void TestQueueFilterModel::mostUrgentDecidableRowSkipsExpiredListedRows()
{
    m_connection->send(flagged(m_connection->frame(QStringLiteral("flag-short"), m_now, 10)));
    m_connection->send(passed(m_connection->frame(QStringLiteral("plain"), m_now, 100)));
    m_connection->send(flagged(m_connection->frame(QStringLiteral("flag-long"), m_now, 200)));
    flush();
    m_filter->setFlaggedOnly(true);
    QCOMPARE(m_filter->mostUrgentDecidableRow(), 0);
    m_clock->advanceMs(20'000); // flag-short is past its deadline, still listed until resolved
    m_model->refreshCountdown();
    QCOMPARE(m_filter->rowCount(), 2);
    QCOMPARE(m_filter->mostUrgentDecidableRow(), 1);
    QCOMPARE(m_filter->actionAt(1)->action.id, QStringLiteral("flag-long"));
    m_clock->advanceMs(500'000); // everything expired: the first listed row
    m_model->refreshCountdown();
    QCOMPARE(m_filter->mostUrgentDecidableRow(), 0);
}

void TestQueueFilterModel::resyncEmptiesBoth()
{
    sendFour();
    m_filter->setFlaggedOnly(true);
    m_connection->resync();
    QCOMPARE(m_filter->rowCount(), 0);
    QCOMPARE(m_filter->hiddenCount(), 0);
    QCOMPARE(m_filter->mostUrgentDecidableRow(), -1);
    m_connection->send(flagged(m_connection->frame(QStringLiteral("flag-again"), m_now, 100)));
    m_connection->send(passed(m_connection->frame(QStringLiteral("plain-again"), m_now, 50)));
    m_connection->subscribedNow();
    flush();
    QCOMPARE(listed(*m_filter), QStringList {QStringLiteral("flag-again")});
    QCOMPARE(m_filter->hiddenCount(), 1);
}

QTEST_MAIN(TestQueueFilterModel)
#include "test_queue_filter_model.moc"
