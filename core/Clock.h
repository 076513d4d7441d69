// The source of time for everything that measures deadlines, expiry and token lifetimes, so
// that tests can move time without sleeping.
#pragma once

#include <QDateTime>
#include <QElapsedTimer>
#include <QtGlobal>

namespace countersign {

class Clock
{
public:
    virtual ~Clock() = default;
    // Wall-clock time in UTC. Only for timestamps shown or stored, never for measuring.
    [[nodiscard]] virtual QDateTime nowUtc() const = 0;
    // Milliseconds from an arbitrary, fixed origin; never jumps when the desktop clock changes.
    [[nodiscard]] virtual qint64 monotonicMs() const = 0;
};

class SystemClock final : public Clock
{
public:
    SystemClock() { m_origin.start(); }
    Q_DISABLE_COPY_MOVE(SystemClock)

    [[nodiscard]] QDateTime nowUtc() const override { return QDateTime::currentDateTimeUtc(); }
    [[nodiscard]] qint64 monotonicMs() const override { return m_origin.elapsed(); }

    // One process-wide instance for code that has no reason to take a clock.
    static SystemClock &instance()
    {
        static SystemClock clock;
        return clock;
    }

private:
    QElapsedTimer m_origin;
};

// A clock that moves only when told to; both times move together unless set apart on purpose.
class ManualClock final : public Clock
{
public:
    explicit ManualClock(QDateTime start = QDateTime(QDate(2026, 1, 1), QTime(12, 0), Qt::UTC))
        : m_now(std::move(start)) {}
    Q_DISABLE_COPY_MOVE(ManualClock)

    [[nodiscard]] QDateTime nowUtc() const override { return m_now; }
    [[nodiscard]] qint64 monotonicMs() const override { return m_monotonic; }

    void advanceMs(qint64 ms) { m_now = m_now.addMSecs(ms); m_monotonic += ms; }
    // Moves only the wall clock, as a user changing the desktop clock would.
    void setWallClock(QDateTime now) { m_now = std::move(now); }

private:
    QDateTime m_now;
    qint64 m_monotonic = 0;
};

} // namespace countersign
