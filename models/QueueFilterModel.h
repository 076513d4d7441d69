// What the reviewer's queue view lists: the pending queue, or — with "Show only Judge-flagged" —
// only the actions a Judge flagged, in the queue's own order.
//
// A proxy over PendingQueueModel rather than a mode of it, on purpose: the queue model stays the
// truth about everything pending. The attention monitor (notifications, the tray's count), the
// window title and the status line read it and so keep counting and watching every action, hidden
// or not — a filter must never make the reviewer think there is less work. Only the view, and
// what the window does with the view's rows (J/K, the selection, "the next one" after a
// decision), goes through this proxy, so those move among the listed rows alone.
#pragma once

#include <QSortFilterProxyModel>

namespace countersign {

class PendingQueueModel;
namespace protocol {
struct ActionPending;
}

class QueueFilterModel final : public QSortFilterProxyModel {
    Q_OBJECT

public:
    // The queue is not owned and must outlive the proxy.
    explicit QueueFilterModel(PendingQueueModel *queue, QObject *parent = nullptr);
    ~QueueFilterModel() override;
    Q_DISABLE_COPY_MOVE(QueueFilterModel)

    // Lists only actions a Judge flagged (Action::judgeFlagged()). Turning it on or off removes
    // or inserts rows (never a reset), so persistent indexes of rows still listed stay valid.
    void setFlaggedOnly(bool flaggedOnly);
    [[nodiscard]] bool flaggedOnly() const { return m_flaggedOnly; }

    [[nodiscard]] PendingQueueModel *queue() const { return m_queue; }
    // Every pending action, listed or not (the queue's own count).
    [[nodiscard]] int pendingCount() const;
    // Pending actions the filter hides; 0 while it is off.
    [[nodiscard]] int hiddenCount() const;

    // The listed row of the action; -1 when it is not pending or hidden by the filter.
    [[nodiscard]] int rowOf(const QString &actionId) const;
    // Pending, but not listed because of the filter.
    [[nodiscard]] bool isHidden(const QString &actionId) const;
    // The queue's row behind a listed row; -1 for none.
    [[nodiscard]] int queueRow(int row) const;
    [[nodiscard]] const protocol::ActionPending *actionAt(int row) const;
    // The first listed row whose deadline has not passed, else 0; -1 when nothing is listed.
    [[nodiscard]] int mostUrgentDecidableRow() const;

protected:
    [[nodiscard]] bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    PendingQueueModel *const m_queue;
    bool m_flaggedOnly = false;
};

} // namespace countersign
