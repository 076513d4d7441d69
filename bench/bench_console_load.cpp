// The console under load: the real main window (offscreen unless QT_QPA_PLATFORM says
// otherwise) fed action.pending frames at a steady rate, each one serialized as the gateway
// sends it and then parsed and signature-checked as WebSocketGatewayConnection does (the socket
// and TLS are not part of this: bench_gateway_load and bench_decision_ack measure those).
//
//   1. Event to visible: from the moment a frame's text is in hand to the start of the first
//      repaint of the queue after the model has the action (coalesced arrivals, sorting,
//      repaint), p50 / p99 / max, at --rate frames per second until --pending are pending.
//   2. GUI-thread stalls with that many pending: a 5 ms heartbeat timer on the GUI thread runs
//      for --steady seconds while the countdown column repaints each second and the selection
//      moves down the queue ten times a second; the longest gap between two beats, less the
//      interval, is the longest stall.
//   3. Memory: the process's resident set before the first frame and with every action
//      pending (the prepared frame texts, which a console never holds, are freed first).
//
// Usage: bench_console_load [--rate N] [--pending N] [--steady S]
#include "bench/BenchSupport.h"
#include "core/Clock.h"
#include "core/ServerTime.h"
#include "core/crypto/Ed25519.h"
#include "core/protocol/Protocol.h"
#include "models/PendingQueueModel.h"
#include "tests/gui/SampleActions.h"
#include "tests/gui/ScriptedGatewayConnection.h"
#include "ui/MainWindow.h"

#include <algorithm>
#include <deque>
#include <vector>

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QTableView>
#include <QTextStream>
#include <QTimer>

using namespace countersign;
using namespace countersign::bench;

namespace {

double residentMiB()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toDouble() / 1024.0;
    }
    return 0;
}

// Marks every paint of a widget with the time it started.
class PaintClock final : public QObject
{
public:
    PaintClock(QWidget *widget, std::function<void()> onPaint) : QObject(widget), m_onPaint(std::move(onPaint))
    {
        widget->installEventFilter(this);
    }

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() == QEvent::Paint)
            m_onPaint();
        return QObject::eventFilter(watched, event);
    }

private:
    std::function<void()> m_onPaint;
};

// The sample shapes the console shows, in turn, each with a window long enough that nothing
// expires while the benchmark runs.
Action sampleAction(int i, const QDateTime &now)
{
    const QString id = QStringLiteral("act-%1").arg(i, 6, 10, QLatin1Char('0'));
    const int window = 3600 + (i * 7919) % 3600; // spread deadlines: arrivals land all over the queue
    switch (i % 4) {
    case 0:
        return testing::paymentAction(id, now, window, 12000 + i);
    case 1:
        return testing::emailAction(id, now, window, i % 8 == 1);
    case 2:
        return testing::deleteAction(id, now, window);
    default:
        return testing::permissionAction(id, now, window);
    }
}

} // namespace

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOptions({
        {QStringLiteral("rate"), QStringLiteral("Frames per second (default 1000)."), QStringLiteral("N"), QStringLiteral("1000")},
        {QStringLiteral("pending"), QStringLiteral("Actions to reach (default 10000)."), QStringLiteral("N"), QStringLiteral("10000")},
        {QStringLiteral("steady"), QStringLiteral("Seconds of the stall measurement (default 10)."), QStringLiteral("S"),
         QStringLiteral("10")},
    });
    parser.process(app);
    const int rate = std::clamp(parser.value(QStringLiteral("rate")).toInt(), 1, 100'000);
    const int total = std::clamp(parser.value(QStringLiteral("pending")).toInt(), 1, 1'000'000);
    const int steadySeconds = std::clamp(parser.value(QStringLiteral("steady")).toInt(), 1, 600);
    QTextStream out(stdout);

    const Clock &clock = SystemClock::instance();
    ServerTime serverTime(clock);
    testing::ScriptedGatewayConnection connection;
    ui::MainWindow window(&connection, serverTime, nullptr);
    window.resize(1400, 900);
    window.show();
    const QDateTime now = clock.nowUtc();
    connection.connectAs(QStringLiteral("rita@example.com"), now);
    const auto gatewayKey = crypto::Ed25519PrivateKey::generate().value();
    const auto gatewayPublic = gatewayKey.publicKey();
    QCoreApplication::processEvents();
    const double baselineMiB = residentMiB();

    // The frames as the gateway would send them, prepared before anything is timed.
    std::deque<QByteArray> texts;
    for (int i = 0; i < total; ++i) {
        protocol::ActionPending frame;
        frame.seq = i + 1;
        frame.action = sampleAction(i, now);
        frame.actionJson = frame.action.toJson();
        frame.digest = frame.action.digest();
        frame.signature = protocol::signAction(frame.action.id, frame.digest, frame.action.gatewayId, gatewayKey);
        texts.push_back(protocol::serialize(protocol::ServerFrame{frame}));
    }

    // 1. Event to visible.
    PendingQueueModel *model = window.queueModel();
    QElapsedTimer elapsed;
    elapsed.start();
    std::vector<qint64> receivedNs;   // by arrival order
    receivedNs.reserve(size_t(total));
    qsizetype inModel = 0;            // arrivals the model has shown in rows so far
    qsizetype painted = 0;            // arrivals counted as visible
    std::vector<double> visibleMs;
    visibleMs.reserve(size_t(total));
    int refused = 0;
    auto catchUp = [&] { inModel = model->rowCount(); };
    QObject::connect(model, &QAbstractItemModel::rowsInserted, catchUp);
    QObject::connect(model, &QAbstractItemModel::modelReset, catchUp);
    PaintClock paints(window.queueView()->viewport(), [&] {
        const qint64 at = elapsed.nsecsElapsed();
        for (; painted < inModel && painted < qsizetype(receivedNs.size()); ++painted)
            visibleMs.push_back(double(at - receivedNs[size_t(painted)]) / 1e6);
    });

    int sent = 0;
    QEventLoop feeding;
    QTimer feeder;
    feeder.setTimerType(Qt::PreciseTimer);
    const qint64 feedStartNs = elapsed.nsecsElapsed();
    QObject::connect(&feeder, &QTimer::timeout, [&] {
        const qint64 due = std::min<qint64>(total, (elapsed.nsecsElapsed() - feedStartNs) * rate / 1'000'000'000 + 1);
        while (sent < due) {
            const QByteArray text = std::move(texts.front());
            texts.pop_front();
            ++sent;
            receivedNs.push_back(elapsed.nsecsElapsed());
            // What WebSocketGatewayConnection does with each frame before the model sees it.
            auto frame = protocol::parseServerFrame(text);
            const auto *pending = frame ? std::get_if<protocol::ActionPending>(&frame.value()) : nullptr;
            if (!pending || !protocol::verifyActionSignature(*pending, gatewayPublic)) {
                ++refused;
                receivedNs.pop_back();
                continue;
            }
            Q_EMIT connection.actionPending(*pending);
        }
        if (sent >= total) {
            feeder.stop();
            QTimer::singleShot(500, &feeding, &QEventLoop::quit); // the last repaints
        }
    });
    feeder.start(2);
    feeding.exec();
    const double feedSeconds = double(elapsed.nsecsElapsed() - feedStartNs) / 1e9 - 0.5;
    out << QStringLiteral("Console under load: %1 action.pending frames at %2/s (took %3 s), %4 refused\n")
               .arg(total)
               .arg(rate)
               .arg(feedSeconds, 0, 'f', 2)
               .arg(refused);
    out << QStringLiteral("  event to visible (frame text in hand -> first queue repaint with it): p50 %1 ms, p99 %2 ms, "
                          "max %3 ms (%4 of %5 counted)\n")
               .arg(percentile(visibleMs, 50), 0, 'f', 1)
               .arg(percentile(visibleMs, 99), 0, 'f', 1)
               .arg(percentile(visibleMs, 100), 0, 'f', 1)
               .arg(visibleMs.size())
               .arg(sent - refused);

    // 3 (before 2, so the steady state is measured as it will be): memory with all pending.
    texts.clear();
    texts.shrink_to_fit();
    QCoreApplication::processEvents();
    const double pendingMiB = residentMiB();
    out << QStringLiteral("  resident memory: %1 MiB before the first frame, %2 MiB with %3 pending (+%4 MiB, %5 KiB per action)\n")
               .arg(baselineMiB, 0, 'f', 1)
               .arg(pendingMiB, 0, 'f', 1)
               .arg(model->rowCount())
               .arg(pendingMiB - baselineMiB, 0, 'f', 1)
               .arg((pendingMiB - baselineMiB) * 1024.0 / std::max(1, model->rowCount()), 0, 'f', 1);

    // 2. Stalls with everything pending.
    constexpr int kBeatMs = 5;
    qint64 lastBeat = elapsed.nsecsElapsed();
    std::vector<double> gapsMs;
    QTimer heartbeat;
    heartbeat.setTimerType(Qt::PreciseTimer);
    QObject::connect(&heartbeat, &QTimer::timeout, [&] {
        const qint64 at = elapsed.nsecsElapsed();
        gapsMs.push_back(double(at - lastBeat) / 1e6 - kBeatMs);
        lastBeat = at;
    });
    QTimer browse;
    int row = 0;
    std::vector<double> selectMs;
    QObject::connect(&browse, &QTimer::timeout, [&] {
        row = (row + 1) % std::max(1, model->rowCount());
        const qint64 before = elapsed.nsecsElapsed();
        window.queueView()->selectRow(row);
        selectMs.push_back(double(elapsed.nsecsElapsed() - before) / 1e6);
    });
    QEventLoop steady;
    lastBeat = elapsed.nsecsElapsed();
    heartbeat.start(kBeatMs);
    browse.start(100);
    QTimer::singleShot(steadySeconds * 1000, &steady, &QEventLoop::quit);
    steady.exec();
    heartbeat.stop();
    browse.stop();
    out << QStringLiteral("  with %1 pending, %2 s of countdown repaints and selection moves: longest GUI-thread stall %3 ms, "
                          "p99 %4 ms (%5 beats of %6 ms)\n")
               .arg(model->rowCount())
               .arg(steadySeconds)
               .arg(percentile(gapsMs, 100), 0, 'f', 1)
               .arg(percentile(gapsMs, 99), 0, 'f', 1)
               .arg(gapsMs.size())
               .arg(kBeatMs);
    out << QStringLiteral("  of which selecting the next row (detail pane filled): p50 %1 ms, max %2 ms\n")
               .arg(percentile(selectMs, 50), 0, 'f', 1)
               .arg(percentile(selectMs, 100), 0, 'f', 1);

    result(out, QStringLiteral("console_visible_p50"), percentile(visibleMs, 50), "ms");
    result(out, QStringLiteral("console_visible_p99"), percentile(visibleMs, 99), "ms");
    result(out, QStringLiteral("console_visible_max"), percentile(visibleMs, 100), "ms");
    result(out, QStringLiteral("console_stall_max"), percentile(gapsMs, 100), "ms");
    result(out, QStringLiteral("console_stall_p99"), percentile(gapsMs, 99), "ms");
    result(out, QStringLiteral("console_rss_baseline"), baselineMiB, "MiB");
    result(out, QStringLiteral("console_rss_pending"), pendingMiB, "MiB");
    return refused == 0 && model->rowCount() == total ? 0 : 1;
}
