// The deadline queue the gateway expires actions with: ordering, moves, removal, ties, and
// "due" at exactly the deadline.
#include "core/DeadlineQueue.h"

#include <QTest>

using namespace countersign;

class TestDeadlineQueue final : public QObject
{
    Q_OBJECT

    const QDateTime m_t0 = QDateTime(QDate(2026, 11, 30), QTime(12, 0), Qt::UTC);

private Q_SLOTS:
    void dueIsEarliestFirstAndInclusive()
    {
        DeadlineQueue queue;
        QVERIFY(queue.isEmpty());
        QVERIFY(!queue.earliest().isValid());
        queue.insert(QStringLiteral("c"), m_t0.addSecs(30));
        queue.insert(QStringLiteral("a"), m_t0.addSecs(10));
        queue.insert(QStringLiteral("b"), m_t0.addSecs(20));
        queue.insert(QStringLiteral("b2"), m_t0.addSecs(20)); // a tie keeps both
        QCOMPARE(queue.size(), 4);
        QCOMPARE(queue.earliest(), m_t0.addSecs(10));
        QCOMPARE(queue.due(m_t0.addSecs(9)), QStringList{});
        QCOMPARE(queue.due(m_t0.addSecs(10)), QStringList{QStringLiteral("a")});
        QCOMPARE(queue.due(m_t0.addSecs(25)), (QStringList{QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("b2")}));
        QCOMPARE(queue.size(), 4); // due() does not take them out
    }

    void insertMovesAndRemoveForgets()
    {
        DeadlineQueue queue;
        queue.insert(QStringLiteral("a"), m_t0.addSecs(10));
        queue.insert(QStringLiteral("b"), m_t0.addSecs(20));
        queue.insert(QStringLiteral("a"), m_t0.addSecs(40)); // moved, not duplicated
        QCOMPARE(queue.size(), 2);
        QCOMPARE(queue.earliest(), m_t0.addSecs(20));
        QCOMPARE(queue.due(m_t0.addSecs(60)), (QStringList{QStringLiteral("b"), QStringLiteral("a")}));
        queue.remove(QStringLiteral("b"));
        queue.remove(QStringLiteral("unknown"));
        QVERIFY(!queue.contains(QStringLiteral("b")));
        QCOMPARE(queue.earliest(), m_t0.addSecs(40));
        queue.remove(QStringLiteral("a"));
        QVERIFY(queue.isEmpty());
        QVERIFY(!queue.earliest().isValid());
    }

    void manyDeadlinesComeOutInOrder()
    {
        DeadlineQueue queue;
        for (int i = 0; i < 10'000; ++i)
            queue.insert(QStringLiteral("act-%1").arg(i), m_t0.addMSecs((i * 7919) % 10'000));
        const QStringList all = queue.due(m_t0.addSecs(10));
        QCOMPARE(all.size(), 10'000);
        QCOMPARE(all.first(), QStringLiteral("act-0"));
        for (int i = 0; i < 5'000; ++i)
            queue.remove(all.at(i));
        QCOMPARE(queue.earliest(), m_t0.addMSecs(5'000));
    }
};

QTEST_GUILESS_MAIN(TestDeadlineQueue)
#include "test_deadline_queue.moc"
