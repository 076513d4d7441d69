// The live pending queue: every action waiting for a human, most urgent first (earliest
// deadline, then highest tier), with its countdown. Fed by a GatewayConnection; arrivals are
// coalesced into one insertion per event-loop turn so a burst does not redraw the view per
// frame, and persistent indexes (the reviewer's selection) survive every change.
#pragma once

#include "core/ServerTime.h"
#include "core/protocol/Protocol.h"

#include <memory>
#include <vector>

#include <QAbstractTableModel>
#include <QHash>
#include <QPointer>
#include <QTimer>

namespace countersign {

class GatewayConnection;

class PendingQueueModel final : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Column { TimeLeft, Tier, Tool, Agent, OnBehalfOf, Judge, Approvals, ColumnCount };
    Q_ENUM(Column)

    enum Role {
        ActionIdRole = Qt::UserRole, // QString
        DigestRole, // QByteArray, lowercase hex
        DeadlineRole, // QDateTime, UTC server time
        RawSortRole, // the column's raw value: ms left, tier, names, score, approvals
        TierRole, // int 1..4
        FlaggedRole, // bool: a Judge flagged the action
        NewRole, // bool: arrived within the last newHighlightMs()
        TimeFractionRole, // double 0..1: share of the decision window still left
        ExpiredRole, // bool: the deadline passed locally; no longer decidable
        MsLeftRole, // qint64, negative once expired
        EscalatedToRole, // QString: the group the gateway escalated the action to; empty if not
        EscalatedAtRole, // QDateTime, UTC server time of the escalation; invalid if not escalated
        SnapshotRole, // bool: already pending when the console subscribed (not a live or replayed event)
    };
    Q_ENUM(Role)

    // More arrivals than this in one event-loop turn reset the model instead of inserting.
    static constexpr int kResetThreshold = 64;
    static constexpr int kTickMs = 1000;

    // Neither connection nor time are owned; both must outlive the model.
    PendingQueueModel(GatewayConnection *connection, const ServerTime &time, QObject *parent = nullptr);
    ~PendingQueueModel() override;
    Q_DISABLE_COPY_MOVE(PendingQueueModel)

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] int columnCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    [[nodiscard]] QVariant headerData(
        int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    [[nodiscard]] Qt::ItemFlags flags(const QModelIndex &index) const override;

    // The frame as received, or nullptr. Valid until the row is removed or the model reset.
    [[nodiscard]] const protocol::ActionPending *actionAt(int row) const;
    // -1 when the action is not (or not yet) in the queue.
    [[nodiscard]] int rowOf(const QString &actionId) const;
    // Reviewers who approved so far (from action.updated).
    [[nodiscard]] QStringList approvedByAt(int row) const;
    [[nodiscard]] qint64 msLeftAt(int row) const;
    // The share of the action's decision window (creation to deadline) still left, 0..1.
    [[nodiscard]] double fractionLeftAt(int row) const;
    [[nodiscard]] bool isExpiredAt(int row) const;
    // The first row whose deadline has not passed, else 0; -1 when empty.
    [[nodiscard]] int mostUrgentDecidableRow() const;

    // The gateway's clock as this model measures deadlines with it.
    [[nodiscard]] const ServerTime &serverTime() const { return m_time; }

    // How long an arrival counts as new (NewRole). Default 5 s.
    void setNewHighlightMs(int ms) { m_newHighlightMs = ms; }
    [[nodiscard]] int newHighlightMs() const { return m_newHighlightMs; }

    // The queue's order: most urgent first (deadline, then tier) — the default — or, with
    // flaggedFirst, every action a Judge flagged before every other, each group most urgent
    // first. Changing it moves rows (layoutChanged); selections and persistent indexes follow.
    void setFlaggedFirst(bool flaggedFirst);
    [[nodiscard]] bool flaggedFirst() const { return m_flaggedFirst; }

    // True between resyncStarted and subscribed: what arrives is what was already pending.
    [[nodiscard]] bool isSnapshotInProgress() const { return m_snapshotInProgress; }

    // Inserts the arrivals queued so far now instead of on the next event-loop turn.
    void flushArrivals();
    // Re-evaluates the countdown (what the 1 s timer does); tests call it after moving a clock.
    void refreshCountdown();

Q_SIGNALS:
    void pendingCountChanged(int count);
    // A row's deadline passed locally; it stays until the gateway's action.resolved arrives.
    void actionExpiredLocally(const QString &actionId);

private:
    struct Row;
    struct SortKey {
        qint64 deadlineMs;
        int tier;
        bool flagged;
        QString id;
    };

    void onActionPending(const protocol::ActionPending &frame);
    void onActionUpdated(const protocol::ActionUpdated &frame);
    void onActionResolved(const protocol::ActionResolved &frame);
    void onActionEscalated(const protocol::ActionEscalated &frame);
    void onResyncStarted();
    void onSubscribed();
    void scheduleFlush();
    void updateTimer();
    [[nodiscard]] static SortKey keyOf(const protocol::ActionPending &frame);
    [[nodiscard]] bool before(const SortKey &a, const SortKey &b) const;
    [[nodiscard]] int lowerBound(const SortKey &key) const;
    [[nodiscard]] bool isNew(const Row &row) const;
    // 1 when the row just arrived, falling to 0 at newHighlightMs(); 0 for snapshot rows.
    [[nodiscard]] double newness(const Row &row) const;
    [[nodiscard]] QVariant displayData(const Row &row, int column) const;
    [[nodiscard]] QVariant sortData(const Row &row, int column) const;

    QPointer<GatewayConnection> m_connection;
    bool m_flaggedFirst = false;
    const ServerTime &m_time;
    std::vector<std::unique_ptr<Row>> m_rows; // sorted by keyOf()
    QHash<QString, Row *> m_byId;
    std::vector<std::unique_ptr<Row>> m_arrivals; // received, not yet inserted
    QTimer m_tick;
    bool m_flushScheduled = false;
    // Between resyncStarted and subscribed the gateway sends what is already pending: those
    // rows are not "new" to the reviewer, only live arrivals and replayed events are.
    bool m_snapshotInProgress = false;
    int m_newHighlightMs = 5000;
};

} // namespace countersign
