// Ids ordered by deadline: insert, remove and "what is due" in O(log n), the earliest in O(1).
// The gateway expires pending actions with it; with tens of thousands pending, a scan of all of
// them on every decision would not do.
#pragma once

#include <set>
#include <utility>

#include <QDateTime>
#include <QHash>
#include <QString>
#include <QStringList>

namespace countersign {

class DeadlineQueue final
{
public:
    // Adds id, or moves it to a new deadline.
    void insert(const QString &id, const QDateTime &deadline)
    {
        remove(id);
        const qint64 at = deadline.toMSecsSinceEpoch();
        m_byTime.emplace(at, id);
        m_byId.insert(id, at);
    }

    void remove(const QString &id)
    {
        const auto it = m_byId.constFind(id);
        if (it == m_byId.cend())
            return;
        m_byTime.erase({it.value(), id});
        m_byId.erase(it);
    }

    [[nodiscard]] bool contains(const QString &id) const { return m_byId.contains(id); }
    [[nodiscard]] bool isEmpty() const { return m_byId.isEmpty(); }
    [[nodiscard]] qsizetype size() const { return m_byId.size(); }

    // The earliest deadline; invalid when empty.
    [[nodiscard]] QDateTime earliest() const
    {
        return m_byTime.empty() ? QDateTime() : QDateTime::fromMSecsSinceEpoch(m_byTime.begin()->first, Qt::UTC);
    }

    // The ids whose deadline is at or before now, earliest first (they stay queued).
    [[nodiscard]] QStringList due(const QDateTime &now) const
    {
        const qint64 limit = now.toMSecsSinceEpoch();
        QStringList ids;
        for (auto it = m_byTime.begin(); it != m_byTime.end() && it->first <= limit; ++it)
            ids.append(it->second);
        return ids;
    }

private:
    std::set<std::pair<qint64, QString>> m_byTime;
    QHash<QString, qint64> m_byId;
};

} // namespace countersign
