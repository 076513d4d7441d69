// Attention outside the window, through the real main window offscreen over a scripted gateway:
// one notification per occasion (high-tier arrival, each share of the window passing, the
// gateway's escalation) naming the right action; clicking it selects and shows that action and
// never decides or arms anything; the escalation in the detail pane; the tray's count badge and
// tooltip; and the settings behind it.
#include "ConsoleWindowFixture.h"
#include "ScriptedGatewayConnection.h"
#include "SampleActions.h"

#include "core/Clock.h"
#include "core/ServerTime.h"
#include "models/AttentionMonitor.h"
#include "models/PendingQueueModel.h"
#include "models/QueueFilterModel.h"
#include "net/ReviewerKey.h"
#include "ui/ActionDetailView.h"
#include "ui/AttentionTray.h"
#include "ui/MainWindow.h"
#include "ui/MessageBar.h"
#include "ui/Resources.h"

#include <QAction>
#include <QApplication>
#include <QLabel>
#include <QLocale>
#include <QSettings>
#include <QSignalSpy>
#include <QSystemTrayIcon>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace countersign;
using namespace std::chrono_literals;
using countersign::testing::ScriptedGatewayConnection;

namespace {

bool isBadgeRed(QRgb pixel)
{
    return qAbs(qRed(pixel) - 0xc0) <= 12 && qAbs(qGreen(pixel) - 0x39) <= 12 && qAbs(qBlue(pixel) - 0x2b) <= 12
        && qAlpha(pixel) > 240;
}

} // namespace

class TestAttention final : public QObject, private testing::ConsoleWindowFixture {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void oneNotificationPerCrossingNamesTheAction();
    void highTierArrivalIsNotifiedOnce();
    void clickingANotificationOpensTheActionAndNeverDecides();
    void clickingANotificationOfAResolvedActionSaysSo();
    void clickingANotificationOfAFilteredOutActionTurnsTheFilterOff();
    void escalationIsNotifiedAndShownInTheDetailPane();
    void hostileEscalationGroupIsPlainText();
    void trayCountsThePendingActions();
    void badgeIsDrawnOntoTheIcon();
    void thresholdsAndSoundComeFromTheSettings();

private:
    void makeWindow()
    {
        m_window = std::make_unique<ui::MainWindow>(m_connection.get(), *m_time, m_key.get());
        m_window->setDeliberateCategories({});
        m_window->attentionTray()->setMinimumGapMs(0);
        m_window->show();
        QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
    }
    // Moves the clock and runs the queue's countdown tick, as its 1 s timer would.
    void advance(qint64 ms)
    {
        m_clock->advanceMs(ms);
        m_window->queueModel()->refreshCountdown();
    }
    QList<AttentionNotice> notices(const QSignalSpy &spy) const
    {
        QList<AttentionNotice> list;
        for (const QList<QVariant> &arguments : spy)
            list.append(arguments.at(0).value<AttentionNotice>());
        return list;
    }
    QLabel *escalationLabel() const { return m_window->findChild<QLabel *>(QStringLiteral("escalationLabel")); }
    QWidget *escalationBand() const { return m_window->findChild<QWidget *>(QStringLiteral("escalationNotice")); }

};

void TestAttention::initTestCase()
{
    const QString problem = setUpConsole("test_attention");
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
}

void TestAttention::init()
{
    QSettings().clear();
    makeConnection();
    const QString problem = unlockKey();
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    makeWindow();
    m_connection->connectAs(QStringLiteral("rita@example.com"), m_now);
}

void TestAttention::cleanup()
{
    closeConsole();
}

void TestAttention::oneNotificationPerCrossingNamesTheAction()
{
    QSignalSpy spy(m_window->attentionMonitor(), &AttentionMonitor::noticeRaised);
    arrive(testing::emailAction(QStringLiteral("act-mail"), m_now, 100, false)); // tier 2: no arrival notice
    arrive(testing::emailAction(QStringLiteral("act-other"), m_now, 1000, false));
    QCOMPARE(spy.count(), 0);

    advance(49'000);
    QCOMPARE(spy.count(), 0);
    advance(1'000);
    QCOMPARE(spy.count(), 1);
    QCOMPARE(notices(spy).constLast().actionId, QStringLiteral("act-mail"));
    QCOMPARE(notices(spy).constLast().threshold, 0.5);
    QTRY_COMPARE(m_window->attentionTray()->messageCount(), 1);
    QCOMPARE(m_window->attentionTray()->lastMessage()->actionId, QStringLiteral("act-mail"));
    QCOMPARE(m_window->attentionTray()->lastMessage()->title, QStringLiteral("50 s left: email.send"));
    QVERIFY(m_window->attentionTray()->lastMessage()->body.contains(QStringLiteral("mail-agent, for bob@example.com")));

    for (int i = 0; i < 29; ++i)
        advance(1'000); // each second, as the countdown ticks
    QCOMPARE(spy.count(), 1);
    advance(1'000);
    QCOMPARE(spy.count(), 2);
    QCOMPARE(notices(spy).constLast().actionId, QStringLiteral("act-mail"));
    QCOMPARE(notices(spy).constLast().threshold, 0.8);
    QTRY_COMPARE(m_window->attentionTray()->messageCount(), 2);

    for (int i = 0; i < 30; ++i)
        advance(1'000); // act-mail expires: nothing more about it
    QCOMPARE(spy.count(), 2);
}

void TestAttention::highTierArrivalIsNotifiedOnce()
{
    QSignalSpy spy(m_window->attentionMonitor(), &AttentionMonitor::noticeRaised);
    arrive(testing::paymentAction(QStringLiteral("act-pay"), m_now, 300, 12400.0)); // tier 3
    QCOMPARE(spy.count(), 1);
    const AttentionNotice notice = notices(spy).constFirst();
    QCOMPARE(notice.kind, AttentionNotice::Kind::Arrived);
    QCOMPARE(notice.actionId, QStringLiteral("act-pay"));
    QCOMPARE(notice.title, QStringLiteral("New tier 3 · High action: payments.transfer"));
    QCOMPARE(notice.body, QStringLiteral("invoice-subagent, for alice@example.com · 5:00 left to decide"));
    // Never the parameters: a notification outlives the screen.
    QVERIFY(!notice.body.contains(QStringLiteral("12")) && !notice.title.contains(QStringLiteral("12")));
    advance(1'000);
    advance(1'000);
    QCOMPARE(spy.count(), 1);
}

void TestAttention::clickingANotificationOpensTheActionAndNeverDecides()
{
    arrive(testing::emailAction(QStringLiteral("act-first"), m_now, 60, false));
    arrive(testing::emailAction(QStringLiteral("act-mail"), m_now, 100, false));
    QVERIFY(m_window->selectAction(QStringLiteral("act-first")));
    m_window->queueView()->setFocus();
    QTest::keyClick(m_window->queueView(), Qt::Key_A); // an approval of act-first, armed and unsent
    QCOMPARE(m_window->detailView()->armed(), ui::ActionDetailView::Armed::Approve);

    advance(50'000); // act-mail at half (act-first, at 5/6, crosses both at once: one notice)
    QTRY_VERIFY(m_window->attentionTray()->lastMessage().has_value());
    QCOMPARE(m_window->attentionTray()->lastMessage()->notices, 2);
    // Coalesced, the message opens the most urgent of what it names.
    QCOMPARE(m_window->attentionTray()->lastMessage()->actionId, QStringLiteral("act-first"));

    advance(30'000); // act-mail at four fifths: a message of its own
    QTRY_COMPARE(m_window->attentionTray()->messageCount(), 2);
    QCOMPARE(m_window->attentionTray()->lastMessage()->actionId, QStringLiteral("act-mail"));

    m_window->attentionTray()->activateLastMessage(); // what QSystemTrayIcon::messageClicked does
    QCOMPARE(m_window->selectedActionId(), QStringLiteral("act-mail"));
    QCOMPARE(m_window->queueView()->currentIndex().data(PendingQueueModel::ActionIdRole).toString(),
        QStringLiteral("act-mail"));
    QVERIFY(m_window->findChild<QLabel *>(QStringLiteral("headlineLabel"))->text().startsWith(QStringLiteral("Send an email")));
    QCOMPARE(m_window->detailView()->armed(), ui::ActionDetailView::Armed::None);
    QCOMPARE(m_window->detailView()->decisionState(), ui::ActionDetailView::DecisionState::Open);
    QVERIFY(!m_window->isAuditShown());
    QVERIFY(m_connection->sentDecisions().isEmpty());

    // Nothing is left armed for a stray Ctrl+Enter to send.
    QTest::keyClick(m_window->queueView(), Qt::Key_Return, Qt::ControlModifier);
    QVERIFY(m_connection->sentDecisions().isEmpty());
    QCOMPARE(m_window->queueModel()->rowCount(), 2);

    // Not even on the action already shown: a click on its notification disarms it.
    QTest::keyClick(m_window->queueView(), Qt::Key_A);
    QCOMPARE(m_window->detailView()->armed(), ui::ActionDetailView::Armed::Approve);
    m_window->attentionTray()->activateLastMessage();
    QCOMPARE(m_window->selectedActionId(), QStringLiteral("act-mail"));
    QCOMPARE(m_window->detailView()->armed(), ui::ActionDetailView::Armed::None);
    QTest::keyClick(m_window->queueView(), Qt::Key_Return, Qt::ControlModifier);
    QVERIFY(m_connection->sentDecisions().isEmpty());
}

void TestAttention::clickingANotificationOfAResolvedActionSaysSo()
{
    arrive(testing::emailAction(QStringLiteral("act-a"), m_now, 100, false));
    arrive(testing::paymentAction(QStringLiteral("act-pay"), m_now, 300, 12400.0));
    QVERIFY(m_window->selectAction(QStringLiteral("act-a")));
    QTRY_VERIFY(m_window->attentionTray()->lastMessage().has_value());
    QCOMPARE(m_window->attentionTray()->lastMessage()->actionId, QStringLiteral("act-pay"));
    m_connection->emitResolved(QStringLiteral("act-pay"), protocol::Outcome::Approved, QStringLiteral("sam@example.com"), m_now);

    m_window->showAudit();
    m_window->attentionTray()->activateLastMessage();
    QCOMPARE(m_window->selectedActionId(), QStringLiteral("act-a"));
    QVERIFY(!m_window->messageBar()->isHidden());
    QCOMPARE(m_window->messageBar()->title(), QStringLiteral("That action is no longer pending"));
    QVERIFY(m_connection->sentDecisions().isEmpty());
}

void TestAttention::clickingANotificationOfAFilteredOutActionTurnsTheFilterOff()
{
    arrive(testing::emailAction(QStringLiteral("act-flagged"), m_now, 600, true)); // tier 3: its arrival is notified
    arrive(testing::emailAction(QStringLiteral("act-plain"), m_now, 100, false));
    QSignalSpy spy(m_window->attentionMonitor(), &AttentionMonitor::noticeRaised);
    auto *filter = m_window->findChild<QAction *>(QStringLiteral("flaggedOnlyAction"));
    QVERIFY(filter);
    filter->trigger();
    QVERIFY(m_window->queueFilter()->flaggedOnly());
    QVERIFY(m_window->selectAction(QStringLiteral("act-flagged")));
    QVERIFY(!m_window->selectAction(QStringLiteral("act-plain"))); // not listed: cannot be selected
    m_window->queueView()->setFocus();
    QTest::keyClick(m_window->queueView(), Qt::Key_A); // an approval of act-flagged, armed and unsent
    QCOMPARE(m_window->detailView()->armed(), ui::ActionDetailView::Armed::Approve);

    // Hidden from the list, not from the attention monitor: its notification is raised.
    advance(50'000);
    QCOMPARE(spy.count(), 1);
    QCOMPARE(notices(spy).constFirst().actionId, QStringLiteral("act-plain"));
    QTRY_COMPARE(m_window->attentionTray()->lastMessage().value_or(ui::AttentionTray::Message {}).actionId,
        QStringLiteral("act-plain"));
    QCOMPARE(m_window->attentionTray()->toolTip(), QStringLiteral("Countersign — 2 pending"));

    m_window->showAudit();
    m_window->attentionTray()->activateLastMessage();
    // What the reviewer was asked to look at is shown: the filter is off, and the window says so.
    QVERIFY(!filter->isChecked());
    QVERIFY(!m_window->queueFilter()->flaggedOnly());
    QVERIFY(!QSettings().value(QStringLiteral("queue/flaggedOnly")).toBool());
    QVERIFY(!m_window->isAuditShown());
    QCOMPARE(m_window->selectedActionId(), QStringLiteral("act-plain"));
    QCOMPARE(m_window->queueView()->currentIndex().data(PendingQueueModel::ActionIdRole).toString(),
        QStringLiteral("act-plain"));
    QCOMPARE(m_window->queueView()->model()->rowCount(), 2);
    QVERIFY(!m_window->messageBar()->isHidden());
    QCOMPARE(m_window->messageBar()->title(),
        QStringLiteral("Showing every pending action: Show only Judge-flagged is off"));
    // And never decides: the approval armed on the other action is gone.
    QCOMPARE(m_window->detailView()->armed(), ui::ActionDetailView::Armed::None);
    QTest::keyClick(m_window->queueView(), Qt::Key_Return, Qt::ControlModifier);
    QVERIFY(m_connection->sentDecisions().isEmpty());

    // A notification of a listed action leaves the filter as it is.
    filter->trigger();
    QVERIFY(filter->isChecked());
    QCOMPARE(m_window->selectedActionId(), QStringLiteral("act-flagged")); // act-plain is hidden again
    m_window->messageBar()->dismiss();
    QVERIFY(m_window->openAction(QStringLiteral("act-flagged")));
    QVERIFY(filter->isChecked());
    QVERIFY(m_window->messageBar()->isHidden());
}

void TestAttention::escalationIsNotifiedAndShownInTheDetailPane()
{
    QSignalSpy spy(m_window->attentionMonitor(), &AttentionMonitor::noticeRaised);
    arrive(testing::emailAction(QStringLiteral("act-mail"), m_now, 300, false));
    arrive(testing::emailAction(QStringLiteral("act-other"), m_now, 1000, false));
    QVERIFY(m_window->selectAction(QStringLiteral("act-mail")));
    QVERIFY(escalationBand()->isHidden());
    QCOMPARE(m_window->detailView()->escalationText(), QString());

    const QDateTime at = m_now.addSecs(200);
    advance(200'000); // past half: one threshold notice
    QCOMPARE(spy.count(), 1);
    m_connection->emitEscalated(QStringLiteral("act-mail"), QStringLiteral("finance-oncall"), at);
    QCOMPARE(spy.count(), 2);
    const AttentionNotice notice = notices(spy).constLast();
    QCOMPARE(notice.kind, AttentionNotice::Kind::Escalated);
    QCOMPARE(notice.actionId, QStringLiteral("act-mail"));
    QCOMPARE(notice.title, QStringLiteral("Escalated to finance-oncall: email.send"));

    const QString time = QLocale().toString(at.toLocalTime().time(), QStringLiteral("HH:mm:ss"));
    QCOMPARE(m_window->detailView()->escalationText(), QStringLiteral("Escalated to finance-oncall at %1").arg(time));
    QVERIFY(escalationBand()->isVisibleTo(m_window.get()));
    QVERIFY(escalationLabel()->text().startsWith(QStringLiteral("Escalated to finance-oncall at ")));

    // Told again (a replay), nothing new is said.
    m_connection->emitEscalated(QStringLiteral("act-mail"), QStringLiteral("finance-oncall"), at);
    advance(1'000);
    QCOMPARE(spy.count(), 2);

    // Another action's escalation is not this one's; showing another action clears it.
    QVERIFY(m_window->selectAction(QStringLiteral("act-other")));
    QVERIFY(escalationBand()->isHidden());
    QCOMPARE(m_window->detailView()->escalationText(), QString());
    QVERIFY(m_window->selectAction(QStringLiteral("act-mail")));
    QVERIFY(m_window->detailView()->escalationText().startsWith(QStringLiteral("Escalated to finance-oncall")));
}

void TestAttention::hostileEscalationGroupIsPlainText()
{
    arrive(testing::emailAction(QStringLiteral("act-mail"), m_now, 300, false));
    QVERIFY(m_window->selectAction(QStringLiteral("act-mail")));
    m_connection->emitEscalated(QStringLiteral("act-mail"), QStringLiteral("<b>leads</b>\u202Eevil"), m_now);
    QLabel *label = escalationLabel();
    QCOMPARE(label->textFormat(), Qt::PlainText);
    QVERIFY(label->text().startsWith(QStringLiteral("Escalated to <b>leads</b>⟨U+202E⟩evil at ")));
    QVERIFY(!label->text().contains(QChar(0x202E)));
    QTRY_VERIFY(m_window->attentionTray()->lastMessage().has_value());
    QVERIFY(!m_window->attentionTray()->lastMessage()->title.contains(QLatin1Char('<')));
}

void TestAttention::trayCountsThePendingActions()
{
    ui::AttentionTray *tray = m_window->attentionTray();
    QCOMPARE(tray->toolTip(), QStringLiteral("Countersign — nothing pending"));
    arrive(testing::emailAction(QStringLiteral("act-a"), m_now, 300, false));
    arrive(testing::emailAction(QStringLiteral("act-b"), m_now, 300, false));
    QCOMPARE(tray->toolTip(), QStringLiteral("Countersign — 2 pending"));
    QVERIFY(!tray->icon().isNull());
    const QImage two = tray->icon().pixmap(64, 64).toImage();

    m_connection->setState(GatewayConnection::State::Reconnecting, QStringLiteral("network unreachable"));
    QCOMPARE(tray->toolTip(),
        QStringLiteral("Countersign — 2 pending\nReconnecting. Decisions cannot be sent: pending actions will be "
                       "denied at their deadlines"));
    m_connection->setState(GatewayConnection::State::Connected);
    QCOMPARE(tray->toolTip(), QStringLiteral("Countersign — 2 pending"));

    m_connection->emitResolved(QStringLiteral("act-a"), protocol::Outcome::Denied, QStringLiteral("sam@example.com"), m_now);
    QCOMPARE(tray->toolTip(), QStringLiteral("Countersign — 1 pending"));
    QVERIFY(tray->icon().pixmap(64, 64).toImage() != two);
    m_connection->emitResolved(QStringLiteral("act-b"), protocol::Outcome::Denied, QStringLiteral("sam@example.com"), m_now);
    QCOMPARE(tray->toolTip(), QStringLiteral("Countersign — nothing pending"));
    // Offscreen there is no system tray, and everything else works all the same.
    QCOMPARE(tray->isTrayShown(), QSystemTrayIcon::isSystemTrayAvailable());
}

void TestAttention::badgeIsDrawnOntoTheIcon()
{
    const QIcon base = ui::appIcon();
    constexpr int size = 64;
    const QImage none = ui::AttentionTray::badgePixmap(base, 0, size).toImage();
    const QImage three = ui::AttentionTray::badgePixmap(base, 3, size).toImage();
    const QImage twelve = ui::AttentionTray::badgePixmap(base, 12, size).toImage();
    const QImage many = ui::AttentionTray::badgePixmap(base, 1234, size).toImage();
    // The badge is a red pill in the top right corner; its middle row, left of the digits.
    const int y = qRound(size * 0.26);
    const int x = size - qRound(size * 0.52) + 4;
    QVERIFY2(isBadgeRed(three.pixel(x, y)), qPrintable(QString::number(three.pixel(x, y), 16)));
    QVERIFY(!isBadgeRed(none.pixel(x, y)));
    QVERIFY(three != twelve); // the count is drawn, not only a dot
    QVERIFY(twelve != many);
    // The rest of the icon is the app icon as it was.
    QCOMPARE(three.pixel(size / 2, size - 12), none.pixel(size / 2, size - 12));
}

void TestAttention::thresholdsAndSoundComeFromTheSettings()
{
    QCOMPARE(m_window->attentionMonitor()->thresholds(), AttentionMonitor::defaultThresholds());
    auto *sound = m_window->findChild<QAction *>(QStringLiteral("soundAction"));
    QVERIFY(sound);
    QVERIFY(!sound->isChecked()); // off by default
    QVERIFY(!m_window->attentionTray()->soundEnabled());

    sound->trigger();
    QVERIFY(m_window->attentionTray()->soundEnabled());
    QCOMPARE(QSettings().value(QStringLiteral("attention/sound")).toBool(), true);

    QSettings().setValue(QStringLiteral("attention/notifyAt"), QStringLiteral("25,90"));
    m_window.reset();
    makeWindow();
    QCOMPARE(m_window->attentionMonitor()->thresholds(), (QList<double> {0.25, 0.9}));
    QVERIFY(m_window->findChild<QAction *>(QStringLiteral("soundAction"))->isChecked());
    QVERIFY(m_window->attentionTray()->soundEnabled());

    // A setting that does not parse keeps the defaults rather than silencing anything.
    QSettings().setValue(QStringLiteral("attention/notifyAt"), QStringLiteral("soon"));
    m_window.reset();
    makeWindow();
    QCOMPARE(m_window->attentionMonitor()->thresholds(), AttentionMonitor::defaultThresholds());

    QSettings().setValue(QStringLiteral("attention/notifyAt"), QStringLiteral("none"));
    m_window.reset();
    makeWindow();
    QVERIFY(m_window->attentionMonitor()->thresholds().isEmpty());
}

QTEST_MAIN(TestAttention)
#include "test_attention.moc"
