// A long job (verifying or exporting an audit log) on a thread of its own, with progress the GUI
// can show and a cancel it can offer: the work reports progress through report(), which returns
// false once cancelled; progress and the end arrive as signals on the thread that owns the job.
#pragma once

#include <atomic>
#include <functional>

#include <QElapsedTimer>
#include <QMutex>
#include <QObject>

class QThread;

namespace countersign {

class BackgroundJob final : public QObject
{
    Q_OBJECT

public:
    explicit BackgroundJob(QObject *parent = nullptr);
    // Cancels a running job and waits for it to stop.
    ~BackgroundJob() override;
    Q_DISABLE_COPY_MOVE(BackgroundJob)

    // Runs work on a new thread; finished() follows when it returns. False if a job is running.
    bool start(std::function<void(BackgroundJob &job)> work);
    [[nodiscard]] bool isRunning() const { return m_running; }

    // From the work: done of total (total 0: unknown). Progress reaches the GUI about ten
    // times a second at most. Returns false once cancelled: the work should stop.
    bool report(qint64 done, qint64 total);
    // From any thread.
    void cancel() { m_cancelled = true; }
    [[nodiscard]] bool isCancelled() const { return m_cancelled; }

Q_SIGNALS:
    void progressed(qint64 done, qint64 total);
    void finished();

private:
    QThread *m_thread = nullptr;
    std::atomic<bool> m_cancelled{false};
    std::atomic<bool> m_running{false};
    QMutex m_throttleMutex;
    QElapsedTimer m_sinceReport;
};

} // namespace countersign
