// A long job on its own thread.
#include "models/BackgroundJob.h"

#include <QMutexLocker>
#include <QThread>

namespace countersign {

namespace {

constexpr qint64 kProgressIntervalMs = 100;

} // namespace

BackgroundJob::BackgroundJob(QObject *parent) : QObject(parent) {}

BackgroundJob::~BackgroundJob()
{
    cancel();
    if (m_thread) {
        m_thread->wait();
        delete m_thread;
    }
}

bool BackgroundJob::start(std::function<void(BackgroundJob &job)> work)
{
    if (m_running)
        return false;
    if (m_thread) {
        m_thread->wait();
        delete m_thread;
        m_thread = nullptr;
    }
    m_cancelled = false;
    m_running = true;
    m_sinceReport.start();
    m_thread = QThread::create([this, work = std::move(work)] {
        work(*this);
        QMetaObject::invokeMethod(
            this,
            [this] {
                m_running = false;
                Q_EMIT finished();
            },
            Qt::QueuedConnection);
    });
    m_thread->setObjectName(QStringLiteral("audit-job"));
    m_thread->start();
    return true;
}

bool BackgroundJob::report(qint64 done, qint64 total)
{
    bool due = false;
    {
        QMutexLocker lock(&m_throttleMutex);
        if (m_sinceReport.elapsed() >= kProgressIntervalMs || (total > 0 && done >= total)) {
            m_sinceReport.restart();
            due = true;
        }
    }
    if (due)
        QMetaObject::invokeMethod(this, [this, done, total] { Q_EMIT progressed(done, total); }, Qt::QueuedConnection);
    return !m_cancelled;
}

} // namespace countersign
