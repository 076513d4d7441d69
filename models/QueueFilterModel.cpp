// The queue as the reviewer's view lists it.
#include "models/QueueFilterModel.h"

#include "models/PendingQueueModel.h"

namespace countersign {

QueueFilterModel::QueueFilterModel(PendingQueueModel *queue, QObject *parent)
    : QSortFilterProxyModel(parent), m_queue(queue)
{
    // The queue keeps its own order (urgency, or flagged first): the proxy never sorts, it only
    // leaves rows out, so its rows are the queue's in the same order. A Judge's flag comes with
    // the action and never changes, so the countdown's dataChanged every second need not run the
    // filter again for every row.
    setDynamicSortFilter(false);
    setSourceModel(queue);
}

QueueFilterModel::~QueueFilterModel() = default;

void QueueFilterModel::setFlaggedOnly(bool flaggedOnly)
{
    if (flaggedOnly == m_flaggedOnly)
        return;
    m_queue->flushArrivals(); // arrivals still queued are listed (or not) with the others
    m_flaggedOnly = flaggedOnly;
    invalidateFilter();
}

bool QueueFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (sourceParent.isValid())
        return false;
    if (!m_flaggedOnly)
        return true;
    return m_queue->index(sourceRow, 0).data(PendingQueueModel::FlaggedRole).toBool();
}

int QueueFilterModel::pendingCount() const
{
    return m_queue->rowCount();
}

int QueueFilterModel::hiddenCount() const
{
    return m_queue->rowCount() - rowCount();
}

int QueueFilterModel::rowOf(const QString &actionId) const
{
    const int row = m_queue->rowOf(actionId);
    if (row < 0)
        return -1;
    const QModelIndex listed = mapFromSource(m_queue->index(row, 0));
    return listed.isValid() ? listed.row() : -1;
}

bool QueueFilterModel::isHidden(const QString &actionId) const
{
    return m_queue->rowOf(actionId) >= 0 && rowOf(actionId) < 0;
}

int QueueFilterModel::queueRow(int row) const
{
    if (row < 0 || row >= rowCount())
        return -1;
    return mapToSource(index(row, 0)).row();
}

const protocol::ActionPending *QueueFilterModel::actionAt(int row) const
{
    return m_queue->actionAt(queueRow(row));
}

int QueueFilterModel::mostUrgentDecidableRow() const
{
    const int count = rowCount();
    if (count == 0)
        return -1;
    for (int row = 0; row < count; ++row) {
        if (!m_queue->isExpiredAt(queueRow(row)))
            return row;
    }
    return 0;
}

} // namespace countersign
