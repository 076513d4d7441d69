// Keeps an audit log's browse index up to date behind its appends, on the owner's event loop:
// appended() schedules a catch-up after a short delay, so a burst of appends is indexed in a few
// transactions instead of paying the index in each durable append (what an action or a decision
// waits on). Each step indexes at most a chunk in one transaction and yields to the event loop
// between chunks, so a long backlog (a restart, a log from an older run) never holds it for long.
#pragma once

#include "core/Result.h"

#include <QObject>
#include <QTimer>

namespace countersign::audit {

class AuditLog;

class AuditIndexer final : public QObject
{
    Q_OBJECT

public:
    static constexpr int kDefaultDelayMs = 250;
    static constexpr int kDefaultChunk = 2'000;

    // log must outlive this.
    explicit AuditIndexer(AuditLog &log, int delayMs = kDefaultDelayMs, int chunk = kDefaultChunk,
                          QObject *parent = nullptr);

    // Something was appended: a catch-up starts within delayMs unless one is already due.
    void appended();
    // Schedules a catch-up now (after what is waiting in the event loop): at start.
    void start();
    // Indexes everything outstanding before returning (at shutdown, or before a read that must
    // see every entry).
    [[nodiscard]] Status catchUp();

Q_SIGNALS:
    // An update failed; nothing of its chunk was indexed. The next append tries again.
    void failed(const countersign::Error &error);

private:
    void step();

    AuditLog &m_log;
    QTimer m_timer;
    int m_delayMs;
    int m_chunk;
};

} // namespace countersign::audit
