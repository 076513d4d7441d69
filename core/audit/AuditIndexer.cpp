// The browse index, kept up to date behind the appends (see AuditIndexer.h).
#include "core/audit/AuditIndexer.h"

#include "core/audit/AuditLog.h"

namespace countersign::audit {

AuditIndexer::AuditIndexer(AuditLog &log, int delayMs, int chunk, QObject *parent)
    : QObject(parent), m_log(log), m_delayMs(delayMs), m_chunk(chunk)
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &AuditIndexer::step);
}

void AuditIndexer::appended()
{
    if (!m_timer.isActive())
        m_timer.start(m_delayMs);
}

void AuditIndexer::start()
{
    m_timer.start(0);
}

Status AuditIndexer::catchUp()
{
    m_timer.stop();
    for (;;) {
        const Result<qint64> indexed = m_log.updateIndex(m_chunk);
        if (!indexed)
            return indexed.error();
        if (indexed.value() < m_chunk)
            return {};
    }
}

void AuditIndexer::step()
{
    const Result<qint64> indexed = m_log.updateIndex(m_chunk);
    if (!indexed) {
        Q_EMIT failed(indexed.error());
        return;
    }
    if (indexed.value() == m_chunk)
        m_timer.start(0); // more to do, after what is waiting in the event loop
}

} // namespace countersign::audit
