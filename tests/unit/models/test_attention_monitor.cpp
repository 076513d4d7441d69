// AttentionMonitor: which action is announced, on which occasion and how often — high-tier
// arrivals, shares of the decision window passing, escalations — under a hand-moved clock, across
// snapshots and resyncs, and that what it says is safe plain text.
#include "models/AttentionMonitor.h"

#include "core/Clock.h"
#include "core/ServerTime.h"
#include "core/crypto/Digest.h"
#include "models/PendingQueueModel.h"
#include "tests/unit/models/FakeGatewayConnection.h"

#include <QSignalSpy>
#include <QTest>

using namespace countersign;

namespace {

using FakeConnection = testing::FakeGatewayConnection;

} // namespace

class TestAttentionMonitor final : public QObject, private testing::QueueModelFixture {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void parsesThresholds_data();
    void parsesThresholds();
    void highTierArrivalIsAnnouncedOnce();
    void lowTierArrivalIsNotAnnounced();
    void eachThresholdIsCrossedOnce();
    void aJumpOverTwoThresholdsIsOneNotice();
    void nothingAfterTheDeadline();
    void aLiveArrivalPastAThresholdSaysSoOnce();
    void theSnapshotIsNotNews();
    void aResyncRepeatsNothing();
    void escalationIsAnnouncedOnce();
    void escalationReplayedInASnapshotIsSilent();
    void newThresholdsDoNotReplayWhatHasPassed();
    void textIsSafePlainTextWithoutParameters();
    void countsThePendingActions();

private:
    // A payment arriving live (as the gateway publishes it), from agent.
    void pending(const QString &id, const QDateTime &created, int windowSeconds, int tier,
        const QString &agent = QStringLiteral("payments-agent"))
    {
        protocol::ActionPending frame = m_connection->frame(id, created, windowSeconds, tier);
        frame.action.identity.agents = {{agent, {}}};
        m_connection->send(frame);
    }
    // Moves the clock and runs the queue's countdown tick, as its 1 s timer would.
    void advance(qint64 ms)
    {
        m_clock->advanceMs(ms);
        m_model->refreshCountdown();
    }
    QList<AttentionNotice> notices() const
    {
        QList<AttentionNotice> list;
        for (const QList<QVariant> &arguments : *m_spy)
            list.append(arguments.at(0).value<AttentionNotice>());
        return list;
    }

    std::unique_ptr<AttentionMonitor> m_monitor;
    std::unique_ptr<QSignalSpy> m_spy;
};

void TestAttentionMonitor::init()
{
    makeQueue();
    m_monitor = std::make_unique<AttentionMonitor>(m_model.get());
    m_spy = std::make_unique<QSignalSpy>(m_monitor.get(), &AttentionMonitor::noticeRaised);
}

void TestAttentionMonitor::cleanup()
{
    m_spy.reset();
    m_monitor.reset();
    closeQueue();
}

void TestAttentionMonitor::parsesThresholds_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<QList<double>>("thresholds");
    QTest::newRow("default") << QStringLiteral("50,80") << true << QList<double> {0.5, 0.8};
    QTest::newRow("unsorted, spaced") << QStringLiteral(" 80 , 50 ") << true << QList<double> {0.5, 0.8};
    QTest::newRow("percent signs") << QStringLiteral("25%,75%") << true << QList<double> {0.25, 0.75};
    QTest::newRow("duplicates") << QStringLiteral("50,50") << true << QList<double> {0.5};
    QTest::newRow("none") << QStringLiteral("none") << true << QList<double> {};
    QTest::newRow("NONE") << QStringLiteral("NONE") << true << QList<double> {};
    QTest::newRow("zero") << QStringLiteral("0") << false << QList<double> {};
    QTest::newRow("hundred") << QStringLiteral("100") << false << QList<double> {};
    QTest::newRow("fraction") << QStringLiteral("0.5") << false << QList<double> {};
    QTest::newRow("word") << QStringLiteral("half") << false << QList<double> {};
    QTest::newRow("empty") << QString() << false << QList<double> {};
    QTest::newRow("empty item") << QStringLiteral("50,,80") << false << QList<double> {};
}

void TestAttentionMonitor::parsesThresholds()
{
    QFETCH(QString, text);
    QFETCH(bool, valid);
    QFETCH(QList<double>, thresholds);
    const std::optional<QList<double>> parsed = AttentionMonitor::parseThresholds(text);
    QCOMPARE(parsed.has_value(), valid);
    if (!valid)
        return;
    QCOMPARE(*parsed, thresholds);
    QVERIFY(AttentionMonitor::parseThresholds(AttentionMonitor::thresholdsText(*parsed)) == parsed);
}

void TestAttentionMonitor::highTierArrivalIsAnnouncedOnce()
{
    pending(QStringLiteral("high"), m_now, 300, 3);
    m_model->flushArrivals();
    QCOMPARE(m_spy->count(), 1);
    const AttentionNotice notice = notices().constFirst();
    QCOMPARE(notice.kind, AttentionNotice::Kind::Arrived);
    QCOMPARE(notice.actionId, QStringLiteral("high"));
    QCOMPARE(notice.tier, 3);
    QCOMPARE(notice.title, QStringLiteral("New tier 3 · High action: payments.transfer"));
    QCOMPARE(notice.body, QStringLiteral("payments-agent, for alice@example.com · 5:00 left to decide"));

    advance(1000);
    advance(1000);
    QCOMPARE(m_spy->count(), 1);
}

void TestAttentionMonitor::lowTierArrivalIsNotAnnounced()
{
    pending(QStringLiteral("low"), m_now, 300, 2);
    m_model->flushArrivals();
    QCOMPARE(m_spy->count(), 0);
    m_monitor->setHighTier(2);
    pending(QStringLiteral("low-2"), m_now, 300, 2);
    m_model->flushArrivals();
    QCOMPARE(m_spy->count(), 1);
    QCOMPARE(notices().constFirst().actionId, QStringLiteral("low-2"));
}

void TestAttentionMonitor::eachThresholdIsCrossedOnce()
{
    pending(QStringLiteral("a"), m_now, 100, 2);
    pending(QStringLiteral("b"), m_now, 200, 2);
    m_model->flushArrivals();
    QCOMPARE(m_spy->count(), 0);

    advance(49'000);
    QCOMPARE(m_spy->count(), 0);
    advance(1'000); // a: half of 100 s
    QCOMPARE(m_spy->count(), 1);
    AttentionNotice notice = notices().constLast();
    QCOMPARE(notice.kind, AttentionNotice::Kind::Threshold);
    QCOMPARE(notice.actionId, QStringLiteral("a"));
    QCOMPARE(notice.threshold, 0.5);
    QCOMPARE(notice.msLeft, qint64(50'000));
    QCOMPARE(notice.title, QStringLiteral("50 s left: payments.transfer"));
    QVERIFY(notice.body.startsWith(QStringLiteral("50% of the time to decide has passed")));

    advance(1'000);
    advance(28'000); // 79 s
    QCOMPARE(m_spy->count(), 1);
    advance(1'000); // a: four fifths
    QCOMPARE(m_spy->count(), 2);
    notice = notices().constLast();
    QCOMPARE(notice.actionId, QStringLiteral("a"));
    QCOMPARE(notice.threshold, 0.8);
    QCOMPARE(notice.title, QStringLiteral("20 s left: payments.transfer"));

    advance(20'000); // 100 s: b at half, a expired
    QCOMPARE(m_spy->count(), 3);
    QCOMPARE(notices().constLast().actionId, QStringLiteral("b"));
    QCOMPARE(notices().constLast().threshold, 0.5);
    advance(60'000); // 160 s: b at four fifths
    QCOMPARE(m_spy->count(), 4);
    QCOMPARE(notices().constLast().actionId, QStringLiteral("b"));
    QCOMPARE(notices().constLast().threshold, 0.8);
    advance(60'000);
    m_monitor->evaluate();
    QCOMPARE(m_spy->count(), 4);
}

void TestAttentionMonitor::aJumpOverTwoThresholdsIsOneNotice()
{
    pending(QStringLiteral("a"), m_now, 100, 2);
    m_model->flushArrivals();
    advance(85'000); // a suspended laptop wakes up
    QCOMPARE(m_spy->count(), 1);
    QCOMPARE(notices().constFirst().threshold, 0.8);
    advance(5'000);
    QCOMPARE(m_spy->count(), 1);
}

void TestAttentionMonitor::nothingAfterTheDeadline()
{
    pending(QStringLiteral("a"), m_now, 100, 2);
    m_model->flushArrivals();
    advance(150'000);
    QCOMPARE(m_spy->count(), 0);
    m_connection->escalate(QStringLiteral("a"), QStringLiteral("finance-leads"), m_now.addSecs(150));
    QCOMPARE(m_spy->count(), 0);
}

void TestAttentionMonitor::aLiveArrivalPastAThresholdSaysSoOnce()
{
    // Replayed after a reconnect: created 60 s into a 100 s window.
    pending(QStringLiteral("late"), m_now.addSecs(-60), 100, 1);
    m_model->flushArrivals();
    QCOMPARE(m_spy->count(), 1);
    QCOMPARE(notices().constFirst().kind, AttentionNotice::Kind::Threshold);
    QCOMPARE(notices().constFirst().threshold, 0.5);
    advance(1'000);
    QCOMPARE(m_spy->count(), 1);
    advance(20'000);
    QCOMPARE(m_spy->count(), 2);
    QCOMPARE(notices().constLast().threshold, 0.8);

    // A high-tier one says it arrived, and does not repeat the thresholds it came with.
    pending(QStringLiteral("late-high"), m_now.addSecs(-90 + 21), 100, 4);
    m_model->flushArrivals();
    QCOMPARE(m_spy->count(), 3);
    QCOMPARE(notices().constLast().kind, AttentionNotice::Kind::Arrived);
    advance(5'000);
    QCOMPARE(m_spy->count(), 3);
}

void TestAttentionMonitor::theSnapshotIsNotNews()
{
    m_connection->resync();
    pending(QStringLiteral("old-high"), m_now.addSecs(-60), 100, 4);
    m_connection->escalate(QStringLiteral("old-high"), QStringLiteral("finance-leads"), m_now.addSecs(-5));
    pending(QStringLiteral("old-low"), m_now, 100, 1);
    m_model->flushArrivals();
    m_connection->subscribedNow();
    QCOMPARE(m_model->rowCount(), 2);
    QCOMPARE(m_spy->count(), 0);

    advance(20'000); // old-high at four fifths: a crossing that happened while watching
    QCOMPARE(m_spy->count(), 1);
    QCOMPARE(notices().constLast().actionId, QStringLiteral("old-high"));
    QCOMPARE(notices().constLast().threshold, 0.8);
}

void TestAttentionMonitor::aResyncRepeatsNothing()
{
    pending(QStringLiteral("a"), m_now, 100, 3);
    m_model->flushArrivals();
    advance(50'000);
    QCOMPARE(m_spy->count(), 2); // arrived, half

    // The connection was lost for good; the gateway starts over with a snapshot.
    m_connection->resync();
    pending(QStringLiteral("a"), m_now, 100, 3);
    m_model->flushArrivals();
    m_connection->subscribedNow();
    advance(1'000);
    QCOMPARE(m_spy->count(), 2);
    advance(29'000);
    QCOMPARE(m_spy->count(), 3);
    QCOMPARE(notices().constLast().threshold, 0.8);
}

void TestAttentionMonitor::escalationIsAnnouncedOnce()
{
    pending(QStringLiteral("a"), m_now, 300, 2);
    m_model->flushArrivals();
    advance(10'000);
    QCOMPARE(m_spy->count(), 0);
    m_connection->escalate(QStringLiteral("a"), QStringLiteral("finance-leads"), m_now.addSecs(10));
    QCOMPARE(m_spy->count(), 1);
    const AttentionNotice notice = notices().constFirst();
    QCOMPARE(notice.kind, AttentionNotice::Kind::Escalated);
    QCOMPARE(notice.actionId, QStringLiteral("a"));
    QCOMPARE(notice.title, QStringLiteral("Escalated to finance-leads: payments.transfer"));
    QVERIFY(notice.body.contains(QStringLiteral("4:50 left")));

    m_connection->escalate(QStringLiteral("a"), QStringLiteral("finance-leads"), m_now.addSecs(11));
    advance(1'000);
    QCOMPARE(m_spy->count(), 1);
}

void TestAttentionMonitor::escalationReplayedInASnapshotIsSilent()
{
    m_connection->resync();
    pending(QStringLiteral("a"), m_now, 300, 2);
    m_model->flushArrivals(); // inserted before its escalation arrives
    m_connection->escalate(QStringLiteral("a"), QStringLiteral("finance-leads"), m_now.addSecs(-30));
    m_connection->subscribedNow();
    QCOMPARE(m_model->index(0, 0).data(PendingQueueModel::EscalatedToRole).toString(), QStringLiteral("finance-leads"));
    QCOMPARE(m_spy->count(), 0);
}

void TestAttentionMonitor::newThresholdsDoNotReplayWhatHasPassed()
{
    pending(QStringLiteral("a"), m_now, 100, 2);
    m_model->flushArrivals();
    m_monitor->setThresholds({});
    advance(60'000);
    QCOMPARE(m_spy->count(), 0);
    m_monitor->setThresholds({0.9, 0.25, 1.5, 0.0});
    QCOMPARE(m_monitor->thresholds(), (QList<double> {0.25, 0.9}));
    advance(1'000);
    QCOMPARE(m_spy->count(), 0);
    advance(29'000);
    QCOMPARE(m_spy->count(), 1);
    QCOMPARE(notices().constFirst().threshold, 0.9);
}

void TestAttentionMonitor::textIsSafePlainTextWithoutParameters()
{
    const QString hostile = QStringLiteral("<a href='x'>agent</a>\u202E&amp;");
    pending(QStringLiteral("h"), m_now, 100, 4, hostile);
    m_model->flushArrivals();
    m_connection->escalate(QStringLiteral("h"), QStringLiteral("<b>leads</b>"), m_now);
    advance(50'000);
    QCOMPARE(m_spy->count(), 3);
    for (const AttentionNotice &notice : notices()) {
        for (const QString &text : {notice.title, notice.body}) {
            QVERIFY2(!text.contains(QLatin1Char('<')) && !text.contains(QLatin1Char('>')), qPrintable(text));
            QVERIFY2(!text.contains(QLatin1Char('&')), qPrintable(text));
            QVERIFY2(!text.contains(QChar(0x202E)), qPrintable(text));
            QVERIFY2(!text.contains(QStringLiteral("98765")) && !text.contains(QStringLiteral("98,765")), qPrintable(text));
        }
    }
    QVERIFY(notices().at(0).body.contains(QStringLiteral("⟨U+202E⟩")));
    QVERIFY(notices().at(0).body.contains(QStringLiteral("‹a href='x'›agent‹/a›")));
    QVERIFY(notices().at(1).title.startsWith(QStringLiteral("Escalated to ‹b›leads‹/b›")));
}

void TestAttentionMonitor::countsThePendingActions()
{
    QSignalSpy counts(m_monitor.get(), &AttentionMonitor::pendingCountChanged);
    pending(QStringLiteral("a"), m_now, 100, 1);
    pending(QStringLiteral("b"), m_now, 100, 1);
    m_model->flushArrivals();
    QCOMPARE(m_monitor->pendingCount(), 2);
    QCOMPARE(counts.constLast().at(0).toInt(), 2);
    m_connection->resolve(QStringLiteral("a"));
    QCOMPARE(m_monitor->pendingCount(), 1);
    QCOMPARE(counts.constLast().at(0).toInt(), 1);
}

QTEST_GUILESS_MAIN(TestAttentionMonitor)
#include "test_attention_monitor.moc"
