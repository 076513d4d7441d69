// The gateway's clock as seen from the console: learned once per connection from `hello` and
// carried forward on the monotonic clock, so changing the desktop clock changes no deadline.
#pragma once

#include "core/Clock.h"

#include <QDateTime>

namespace countersign {

class ServerTime final
{
public:
    explicit ServerTime(const Clock &clock) : m_clock(clock) {}

    // Records the server's time as of now (the moment its hello arrived).
    void sync(const QDateTime &serverNow)
    {
        m_serverAtSync = serverNow.toUTC();
        m_monotonicAtSync = m_clock.monotonicMs();
    }

    [[nodiscard]] bool isSynced() const { return m_serverAtSync.isValid(); }

    // Best estimate of the server's current time; before the first sync, the local wall clock.
    [[nodiscard]] QDateTime now() const
    {
        if (!isSynced())
            return m_clock.nowUtc();
        return m_serverAtSync.addMSecs(m_clock.monotonicMs() - m_monotonicAtSync);
    }

    // Milliseconds until an absolute server-time deadline (negative once it has passed).
    [[nodiscard]] qint64 msUntil(const QDateTime &deadline) const
    {
        return now().msecsTo(deadline);
    }

    [[nodiscard]] const Clock &clock() const { return m_clock; }

private:
    const Clock &m_clock;
    QDateTime m_serverAtSync;
    qint64 m_monotonicAtSync = 0;
};

} // namespace countersign
