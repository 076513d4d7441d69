// The countdown as the reviewer sees it, offscreen in the real main window, while a hand-moved
// clock runs an action's window down: the queue cell's text and the colour of its bar (calm,
// amber, red, gone once expired), and the detail pane's countdown, its colour and its bar.
#include "ConsoleWindowFixture.h"
#include "ScriptedGatewayConnection.h"
#include "SampleActions.h"

#include "core/Clock.h"
#include "core/ServerTime.h"
#include "models/PendingQueueModel.h"
#include "models/SemanticColors.h"
#include "net/ReviewerKey.h"
#include "ui/MainWindow.h"

#include <QHeaderView>
#include <QLabel>
#include <QSettings>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace countersign;
using namespace std::chrono_literals;
using countersign::testing::ScriptedGatewayConnection;

namespace {

bool near(const QColor &a, const QColor &b)
{
    return qAbs(a.red() - b.red()) <= 3 && qAbs(a.green() - b.green()) <= 3 && qAbs(a.blue() - b.blue()) <= 3;
}

QString describe(const QColor &actual, const QColor &expected)
{
    return QStringLiteral("got %1, expected %2").arg(actual.name(), expected.name());
}

} // namespace

class TestCountdown final : public QObject, private testing::ConsoleWindowFixture {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void queueCellChangesAsTheWindowRunsDown_data();
    void queueCellChangesAsTheWindowRunsDown();
    void detailCountdownChangesAsTheWindowRunsDown_data();
    void detailCountdownChangesAsTheWindowRunsDown();

private:
    QTableView *queue() const { return m_window->queueView(); }
    // The view's first row, as listed (the view shows the queue through its filter).
    QModelIndex timeLeft() const { return queue()->model()->index(0, PendingQueueModel::TimeLeft); }
    // The colour in the middle of the cell's countdown bar, a few pixels in from its start; the
    // cell's background where there is no bar.
    QColor queueBarColour() const
    {
        const QImage image = queue()->viewport()->grab().toImage();
        const QRect cell = queue()->visualRect(timeLeft());
        // The delegate's bar: 3 px high, 4 px above the cell's bottom, inset 6 px.
        return image.pixelColor(cell.left() + 6 + 4, cell.bottom() - 5);
    }
    QColor queueBackground() const
    {
        const QImage image = queue()->viewport()->grab().toImage();
        const QRect cell = queue()->visualRect(timeLeft());
        return image.pixelColor(cell.right() - 2, cell.bottom() - 5); // the same height: selections have gradients
    }
    QLabel *countdownLabel() const { return m_window->findChild<QLabel *>(QStringLiteral("countdownLabel")); }
    QColor detailBarColour() const
    {
        auto *bar = m_window->findChild<QWidget *>(QStringLiteral("countdownBar"));
        const QImage image = bar->grab().toImage();
        return image.pixelColor(4, image.height() / 2);
    }

};

void TestCountdown::initTestCase()
{
    const QString problem = setUpConsole("test_countdown");
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
}

void TestCountdown::init()
{
    makeConsole();
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    m_connection->connectAs(QStringLiteral("rita@example.com"), m_now);
    // A snapshot, so the row has no "new" highlight under its bar.
    m_connection->emitResyncStarted();
    m_connection->emitPending(testing::emailAction(QStringLiteral("act-mail"), m_now, 100, false));
    m_connection->emitSubscribed(true);
    QCoreApplication::processEvents();
    QCOMPARE(m_window->queueModel()->rowCount(), 1);
    // Wide enough that even a twentieth of the bar is several pixels long.
    queue()->horizontalHeader()->resizeSection(PendingQueueModel::TimeLeft, 220);
}

void TestCountdown::cleanup()
{
    closeConsole();
}

void TestCountdown::queueCellChangesAsTheWindowRunsDown_data()
{
    QTest::addColumn<int>("elapsedMs");
    QTest::addColumn<QString>("text");
    QTest::addColumn<double>("fractionLeft");
    QTest::newRow("start: calm") << 0 << QStringLiteral("1:40") << 1.0;
    QTest::newRow("half left: still calm") << 50'000 << QStringLiteral("50 s") << 0.5;
    QTest::newRow("40% left: turning amber") << 60'000 << QStringLiteral("40 s") << 0.4;
    QTest::newRow("a quarter left: amber") << 75'000 << QStringLiteral("25 s") << 0.25;
    QTest::newRow("a twentieth left: red") << 95'000 << QStringLiteral("5 s") << 0.05;
    QTest::newRow("expired") << 100'000 << QStringLiteral("expired") << 0.0;
}

void TestCountdown::queueCellChangesAsTheWindowRunsDown()
{
    QFETCH(int, elapsedMs);
    QFETCH(QString, text);
    QFETCH(double, fractionLeft);
    const QPalette palette = queue()->palette();
    m_clock->advanceMs(elapsedMs);
    m_window->queueModel()->refreshCountdown();

    QCOMPARE(timeLeft().data().toString(), text);
    QCOMPARE(timeLeft().data(Qt::AccessibleTextRole).toString(), QStringLiteral("Time left ") + text);
    const QColor bar = queueBarColour();
    if (elapsedMs >= 100'000) {
        // No bar once expired: the cell's own background shows there, and the row is greyed.
        QVERIFY2(near(bar, queueBackground()), qPrintable(describe(bar, queueBackground())));
        QCOMPARE(m_window->queueModel()->index(0, PendingQueueModel::Tool).data(Qt::ForegroundRole).value<QColor>(),
            palette.color(QPalette::Disabled, QPalette::Text));
        return;
    }
    const QColor expected = countdownColor(fractionLeft, palette);
    QVERIFY2(near(bar, expected), qPrintable(describe(bar, expected)));
    // The thresholds themselves: calm down to half, red in the last tenth, amber between.
    const QColor calm = semanticColor(Semantic::Positive, palette);
    const QColor red = semanticColor(Semantic::Danger, palette);
    if (fractionLeft >= 0.5)
        QVERIFY2(near(bar, calm), qPrintable(describe(bar, calm)));
    else
        QVERIFY2(!near(bar, calm), qPrintable(describe(bar, calm)));
    if (fractionLeft < 0.1)
        QVERIFY2(near(bar, red), qPrintable(describe(bar, red)));
    else
        QVERIFY2(!near(bar, red), qPrintable(describe(bar, red)));
    if (fractionLeft == 0.25)
        QVERIFY(near(bar, semanticColor(Semantic::Warning, palette)));
}

void TestCountdown::detailCountdownChangesAsTheWindowRunsDown_data()
{
    queueCellChangesAsTheWindowRunsDown_data();
}

void TestCountdown::detailCountdownChangesAsTheWindowRunsDown()
{
    QFETCH(int, elapsedMs);
    QFETCH(QString, text);
    QFETCH(double, fractionLeft);
    QVERIFY(m_window->selectAction(QStringLiteral("act-mail")));
    QLabel *label = countdownLabel();
    const QPalette palette = m_window->palette();
    const QColor plain = label->palette().color(QPalette::WindowText);
    QCOMPARE(label->text(), QStringLiteral("1:40"));

    m_clock->advanceMs(elapsedMs);
    const QString shown = elapsedMs >= 100'000 ? QStringLiteral("Expired") : text;
    QTRY_COMPARE(label->text(), shown); // the detail pane's own 1 s tick
    const QColor colour = label->palette().color(QPalette::WindowText);
    if (elapsedMs >= 100'000) {
        QCOMPARE(colour, palette.color(QPalette::Disabled, QPalette::WindowText));
        QVERIFY(m_window->findChild<QLabel *>(QStringLiteral("deadlineLabel"))->text().contains(QStringLiteral("denied by timeout")));
        return;
    }
    // The number takes the countdown's colour in the last quarter, and keeps the text colour before.
    if (fractionLeft < 0.25)
        QVERIFY2(near(colour, countdownColor(fractionLeft, palette)), qPrintable(describe(colour, countdownColor(fractionLeft, palette))));
    else
        QCOMPARE(colour, plain);
    const QColor bar = detailBarColour();
    QVERIFY2(near(bar, countdownColor(fractionLeft, palette)), qPrintable(describe(bar, countdownColor(fractionLeft, palette))));
}

QTEST_MAIN(TestCountdown)
#include "test_countdown.moc"
