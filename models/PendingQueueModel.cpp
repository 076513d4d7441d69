// The live pending queue over a GatewayConnection.
#include "models/PendingQueueModel.h"

#include "models/ActionSummary.h"
#include "core/text/DisplayText.h"
#include "models/SemanticColors.h"
#include "net/GatewayConnection.h"

#include <algorithm>
#include <iterator>

#include <QFont>
#include <QGuiApplication>
#include <QLocale>

namespace countersign {

namespace {

constexpr int kMaxCellChars = 64;

QString judgeText(const Action &action)
{
    double worst = -1.0;
    for (const JudgeVerdict &verdict : action.judges) {
        if (verdict.verdict == JudgeOutcome::Flag)
            worst = qMax(worst, verdict.score);
    }
    if (worst < 0.0)
        return {};
    return QStringLiteral("Flagged %1").arg(worst, 0, 'f', 2);
}

double flaggedScore(const Action &action)
{
    double worst = 0.0;
    for (const JudgeVerdict &verdict : action.judges) {
        if (verdict.verdict == JudgeOutcome::Flag)
            worst = qMax(worst, verdict.score);
    }
    return worst;
}

QString principalText(const Principal &principal)
{
    return displayText(principal.id, kMaxCellChars);
}

} // namespace

struct PendingQueueModel::Row {
    protocol::ActionPending frame;
    SortKey key;
    QStringList approvedBy;
    QString escalatedTo; // the group, once the gateway escalated it
    QDateTime escalatedAt;
    qint64 arrivedMs = 0; // monotonic
    bool fromSnapshot = false;
    bool inserted = false;
    bool shownNew = true;
    bool shownExpired = false;
};

PendingQueueModel::PendingQueueModel(GatewayConnection *connection, const ServerTime &time, QObject *parent)
    : QAbstractTableModel(parent), m_connection(connection), m_time(time)
{
    m_tick.setInterval(kTickMs);
    m_tick.setTimerType(Qt::CoarseTimer);
    connect(&m_tick, &QTimer::timeout, this, &PendingQueueModel::refreshCountdown);
    if (connection) {
        connect(connection, &GatewayConnection::actionPending, this, &PendingQueueModel::onActionPending);
        connect(connection, &GatewayConnection::actionUpdated, this, &PendingQueueModel::onActionUpdated);
        connect(connection, &GatewayConnection::actionResolved, this, &PendingQueueModel::onActionResolved);
        connect(connection, &GatewayConnection::actionEscalated, this, &PendingQueueModel::onActionEscalated);
        connect(connection, &GatewayConnection::resyncStarted, this, &PendingQueueModel::onResyncStarted);
        connect(connection, &GatewayConnection::subscribed, this, &PendingQueueModel::onSubscribed);
    }
}

PendingQueueModel::~PendingQueueModel() = default;

int PendingQueueModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int PendingQueueModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

Qt::ItemFlags PendingQueueModel::flags(const QModelIndex &index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    Q_ASSERT(checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid));
    return Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemNeverHasChildren;
}

QVariant PendingQueueModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return {};
    if (role == Qt::DisplayRole) {
        switch (static_cast<Column>(section)) {
        case TimeLeft:
            return QStringLiteral("Time left");
        case Tier:
            return QStringLiteral("Tier");
        case Tool:
            return QStringLiteral("Tool");
        case Agent:
            return QStringLiteral("Agent");
        case OnBehalfOf:
            return QStringLiteral("On behalf of");
        case Judge:
            return QStringLiteral("Judge");
        case Approvals:
            return QStringLiteral("Approvals");
        case ColumnCount:
            break;
        }
    } else if (role == Qt::ToolTipRole) {
        switch (static_cast<Column>(section)) {
        case TimeLeft:
            return QStringLiteral("Time until the gateway denies the action by timeout");
        case Tier:
            return QStringLiteral("Impact tier, 1 (low) to 4 (critical)");
        case Tool:
            return QStringLiteral("The tool and operation the agent wants to run");
        case Agent:
            return QStringLiteral("The acting agent, as authenticated by the gateway");
        case OnBehalfOf:
            return QStringLiteral("The user the agent acts for (claimed)");
        case Judge:
            return QStringLiteral("Highest score of a Judge that flagged the action");
        case Approvals:
            return QStringLiteral("Approvals so far, when more than one is required");
        case ColumnCount:
            break;
        }
    }
    return {};
}

QVariant PendingQueueModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.model() != this || index.row() >= rowCount() || index.column() >= ColumnCount)
        return {};
    const Row &row = *m_rows[static_cast<size_t>(index.row())];
    const Action &action = row.frame.action;
    const int column = index.column();

    switch (role) {
    case Qt::DisplayRole:
        return displayData(row, column);
    case Qt::ToolTipRole:
        switch (column) {
        case TimeLeft: {
            QString tip = QStringLiteral("Deadline %1 UTC (gateway time)")
                              .arg(QLocale().toString(action.deadline.toUTC().time(), QStringLiteral("HH:mm:ss")));
            if (!row.escalatedTo.isEmpty()) {
                // The group is policy text, but still shown the way every other name is.
                tip += QStringLiteral("\nEscalated to %1 at %2 UTC")
                           .arg(displayText(row.escalatedTo, kMaxCellChars),
                               QLocale().toString(row.escalatedAt.toUTC().time(), QStringLiteral("HH:mm:ss")));
            }
            return tip;
        }
        case Tool:
            return plainToolTip(QStringLiteral("Will happen if approved:"), actionSummary(action));
        case Agent:
            return plainToolTip(QStringLiteral("Acting agent (authenticated):"), action.identity.actingAgent().id);
        case OnBehalfOf: {
            const Principal &user = action.identity.user;
            QString text = user.id;
            if (!user.displayName.isEmpty())
                text = user.displayName + QStringLiteral(" — ") + user.id;
            return plainToolTip(QStringLiteral("User (claimed, not verified by the gateway):"), text);
        }
        default:
            return {};
        }
    case Qt::TextAlignmentRole:
        if (column == Approvals)
            return QVariant::fromValue(Qt::AlignCenter);
        return QVariant::fromValue(Qt::AlignLeft | Qt::AlignVCenter);
    case Qt::DecorationRole:
        if (column == Tier)
            return semanticColor(tierSemantic(action.impact.tier), QGuiApplication::palette());
        return {};
    case Qt::ForegroundRole: {
        const QPalette palette = QGuiApplication::palette();
        if (msLeftAt(index.row()) <= 0)
            return palette.color(QPalette::Disabled, QPalette::Text);
        if (column == Judge && action.judgeFlagged())
            return semanticColor(Semantic::Warning, palette);
        return {};
    }
    case Qt::FontRole:
        if ((column == Judge && action.judgeFlagged()) || (column == Tier && action.impact.tier >= 4)) {
            QFont font;
            font.setBold(true);
            return font;
        }
        return {};
    case Qt::BackgroundRole: {
        // A highlight that fades out over the first seconds: noticeable, never loud.
        const double fresh = newness(row);
        if (fresh <= 0.0)
            return {};
        QColor highlight = QGuiApplication::palette().color(QPalette::Highlight);
        highlight.setAlpha(qRound(10 + 38 * fresh));
        return highlight;
    }
    case Qt::AccessibleTextRole:
        if (column == TimeLeft)
            return QString(QStringLiteral("Time left ") + formatTimeLeft(msLeftAt(index.row())));
        return displayData(row, column);
    case ActionIdRole:
        return action.id;
    case DigestRole:
        return row.frame.digest;
    case DeadlineRole:
        return action.deadline;
    case RawSortRole:
        return sortData(row, column);
    case TierRole:
        return action.impact.tier;
    case FlaggedRole:
        return action.judgeFlagged();
    case NewRole:
        return isNew(row);
    case TimeFractionRole:
        return fractionLeftAt(index.row());
    case ExpiredRole:
        return msLeftAt(index.row()) <= 0;
    case MsLeftRole:
        return msLeftAt(index.row());
    case EscalatedToRole:
        return row.escalatedTo;
    case EscalatedAtRole:
        return row.escalatedAt;
    case SnapshotRole:
        return row.fromSnapshot;
    default:
        return {};
    }
}

QVariant PendingQueueModel::displayData(const Row &row, int column) const
{
    const Action &action = row.frame.action;
    switch (static_cast<Column>(column)) {
    case TimeLeft:
        return formatTimeLeft(m_time.msUntil(action.deadline));
    case Tier:
        return QStringLiteral("%1 · %2").arg(action.impact.tier).arg(tierTitle(action.impact.tier));
    case Tool:
        return actionToolName(action);
    case Agent:
        return displayText(action.identity.actingAgent().id, kMaxCellChars);
    case OnBehalfOf:
        return principalText(action.identity.user);
    case Judge:
        return judgeText(action);
    case Approvals:
        if (action.approvalsRequired > 1)
            return QStringLiteral("%1 of %2").arg(row.frame.approvals).arg(action.approvalsRequired);
        return QString();
    case ColumnCount:
        break;
    }
    return {};
}

QVariant PendingQueueModel::sortData(const Row &row, int column) const
{
    const Action &action = row.frame.action;
    switch (static_cast<Column>(column)) {
    case TimeLeft:
        return m_time.msUntil(action.deadline);
    case Tier:
        return action.impact.tier;
    case Tool:
        return QString(action.tool + QLatin1Char('.') + action.operation);
    case Agent:
        return action.identity.actingAgent().id;
    case OnBehalfOf:
        return action.identity.user.id;
    case Judge:
        return flaggedScore(action);
    case Approvals:
        return row.frame.approvals;
    case ColumnCount:
        break;
    }
    return {};
}

const protocol::ActionPending *PendingQueueModel::actionAt(int row) const
{
    if (row < 0 || row >= rowCount())
        return nullptr;
    return &m_rows[static_cast<size_t>(row)]->frame;
}

int PendingQueueModel::rowOf(const QString &actionId) const
{
    const Row *row = m_byId.value(actionId, nullptr);
    if (!row || !row->inserted)
        return -1;
    const int position = lowerBound(row->key);
    Q_ASSERT(position < rowCount() && m_rows[static_cast<size_t>(position)].get() == row);
    return position;
}

QStringList PendingQueueModel::approvedByAt(int row) const
{
    if (row < 0 || row >= rowCount())
        return {};
    return m_rows[static_cast<size_t>(row)]->approvedBy;
}

qint64 PendingQueueModel::msLeftAt(int row) const
{
    if (row < 0 || row >= rowCount())
        return 0;
    return m_time.msUntil(m_rows[static_cast<size_t>(row)]->frame.action.deadline);
}

double PendingQueueModel::fractionLeftAt(int row) const
{
    if (row < 0 || row >= rowCount())
        return 0.0;
    const Action &action = m_rows[static_cast<size_t>(row)]->frame.action;
    const qint64 window = action.createdAt.msecsTo(action.deadline);
    if (window <= 0)
        return 0.0;
    return qBound(0.0, static_cast<double>(msLeftAt(row)) / static_cast<double>(window), 1.0);
}

bool PendingQueueModel::isExpiredAt(int row) const
{
    return msLeftAt(row) <= 0;
}

int PendingQueueModel::mostUrgentDecidableRow() const
{
    if (m_rows.empty())
        return -1;
    for (int row = 0; row < rowCount(); ++row) {
        if (!isExpiredAt(row))
            return row;
    }
    return 0;
}

PendingQueueModel::SortKey PendingQueueModel::keyOf(const protocol::ActionPending &frame)
{
    return SortKey {frame.action.deadline.toMSecsSinceEpoch(), frame.action.impact.tier, frame.action.judgeFlagged(),
                    frame.action.id};
}

void PendingQueueModel::setFlaggedFirst(bool flaggedFirst)
{
    if (flaggedFirst == m_flaggedFirst)
        return;
    flushArrivals();
    Q_EMIT layoutAboutToBeChanged({}, QAbstractItemModel::VerticalSortHint);
    // Which row each persistent index points at, so it can follow its row.
    const QModelIndexList persistent = persistentIndexList();
    std::vector<const Row *> rowsBefore;
    rowsBefore.reserve(size_t(persistent.size()));
    for (const QModelIndex &index : persistent)
        rowsBefore.push_back(index.isValid() ? m_rows[size_t(index.row())].get() : nullptr);
    m_flaggedFirst = flaggedFirst;
    std::stable_sort(m_rows.begin(), m_rows.end(),
                     [this](const std::unique_ptr<Row> &a, const std::unique_ptr<Row> &b) { return before(a->key, b->key); });
    QModelIndexList moved;
    moved.reserve(persistent.size());
    for (qsizetype i = 0; i < persistent.size(); ++i) {
        const Row *row = rowsBefore[size_t(i)];
        moved.append(row ? index(lowerBound(row->key), persistent.at(i).column()) : QModelIndex());
    }
    changePersistentIndexList(persistent, moved);
    Q_EMIT layoutChanged({}, QAbstractItemModel::VerticalSortHint);
}

bool PendingQueueModel::before(const SortKey &a, const SortKey &b) const
{
    // Flagged first when asked; then the earliest deadline; on a tie the higher tier; the id
    // keeps the order total.
    if (m_flaggedFirst && a.flagged != b.flagged)
        return a.flagged;
    if (a.deadlineMs != b.deadlineMs)
        return a.deadlineMs < b.deadlineMs;
    if (a.tier != b.tier)
        return a.tier > b.tier;
    return a.id < b.id;
}

int PendingQueueModel::lowerBound(const SortKey &key) const
{
    const auto it = std::lower_bound(m_rows.begin(), m_rows.end(), key,
        [this](const std::unique_ptr<Row> &row, const SortKey &k) { return before(row->key, k); });
    return static_cast<int>(std::distance(m_rows.begin(), it));
}

bool PendingQueueModel::isNew(const Row &row) const
{
    return !row.fromSnapshot && m_time.clock().monotonicMs() - row.arrivedMs < m_newHighlightMs;
}

double PendingQueueModel::newness(const Row &row) const
{
    if (!isNew(row) || m_newHighlightMs <= 0)
        return 0.0;
    const qint64 age = m_time.clock().monotonicMs() - row.arrivedMs;
    return 1.0 - static_cast<double>(age) / static_cast<double>(m_newHighlightMs);
}

void PendingQueueModel::onActionPending(const protocol::ActionPending &frame)
{
    if (frame.action.identity.agents.isEmpty())
        return; // cannot happen for a parsed frame; nothing sensible to show
    if (m_byId.contains(frame.action.id))
        return; // duplicates (a replay overlapping a snapshot) change nothing
    auto row = std::make_unique<Row>();
    row->frame = frame;
    row->key = keyOf(frame);
    row->arrivedMs = m_time.clock().monotonicMs();
    row->fromSnapshot = m_snapshotInProgress;
    row->shownNew = !row->fromSnapshot;
    m_byId.insert(frame.action.id, row.get());
    m_arrivals.push_back(std::move(row));
    scheduleFlush();
}

void PendingQueueModel::scheduleFlush()
{
    if (m_flushScheduled)
        return;
    m_flushScheduled = true;
    QTimer::singleShot(0, this, &PendingQueueModel::flushArrivals);
}

void PendingQueueModel::flushArrivals()
{
    m_flushScheduled = false;
    if (m_arrivals.empty())
        return;
    std::sort(m_arrivals.begin(), m_arrivals.end(),
        [this](const std::unique_ptr<Row> &a, const std::unique_ptr<Row> &b) { return before(a->key, b->key); });
    for (auto &row : m_arrivals)
        row->inserted = true;

    if (m_arrivals.size() > static_cast<size_t>(kResetThreshold)) {
        beginResetModel();
        std::vector<std::unique_ptr<Row>> merged;
        merged.reserve(m_rows.size() + m_arrivals.size());
        std::merge(std::make_move_iterator(m_rows.begin()), std::make_move_iterator(m_rows.end()),
            std::make_move_iterator(m_arrivals.begin()), std::make_move_iterator(m_arrivals.end()),
            std::back_inserter(merged),
            [this](const std::unique_ptr<Row> &a, const std::unique_ptr<Row> &b) { return before(a->key, b->key); });
        m_rows = std::move(merged);
        m_arrivals.clear();
        endResetModel();
    } else {
        // One insertion per run of arrivals that land between the same two existing rows.
        size_t first = 0;
        while (first < m_arrivals.size()) {
            const int position = lowerBound(m_arrivals[first]->key);
            size_t last = first + 1;
            while (last < m_arrivals.size() && lowerBound(m_arrivals[last]->key) == position)
                ++last;
            const int count = static_cast<int>(last - first);
            beginInsertRows({}, position, position + count - 1);
            m_rows.insert(m_rows.begin() + position,
                std::make_move_iterator(m_arrivals.begin() + static_cast<std::ptrdiff_t>(first)),
                std::make_move_iterator(m_arrivals.begin() + static_cast<std::ptrdiff_t>(last)));
            endInsertRows();
            first = last;
        }
        m_arrivals.clear();
    }
    updateTimer();
    Q_EMIT pendingCountChanged(rowCount());
}

void PendingQueueModel::onActionUpdated(const protocol::ActionUpdated &frame)
{
    Row *row = m_byId.value(frame.actionId, nullptr);
    if (!row)
        return;
    row->frame.approvals = frame.approvals;
    row->approvedBy = frame.approvedBy;
    if (!row->inserted)
        return;
    const int position = rowOf(frame.actionId);
    const QModelIndex changed = index(position, Approvals);
    Q_EMIT dataChanged(changed, changed, {Qt::DisplayRole, Qt::AccessibleTextRole, RawSortRole});
}

void PendingQueueModel::onActionEscalated(const protocol::ActionEscalated &frame)
{
    Row *row = m_byId.value(frame.actionId, nullptr);
    if (!row)
        return;
    row->escalatedTo = frame.group;
    row->escalatedAt = frame.at;
    if (!row->inserted)
        return;
    const int position = rowOf(frame.actionId);
    Q_EMIT dataChanged(
        index(position, TimeLeft), index(position, TimeLeft), {Qt::ToolTipRole, EscalatedToRole, EscalatedAtRole});
}

void PendingQueueModel::onActionResolved(const protocol::ActionResolved &frame)
{
    Row *row = m_byId.value(frame.actionId, nullptr);
    if (!row)
        return;
    m_byId.remove(frame.actionId);
    if (!row->inserted) {
        const auto it = std::find_if(
            m_arrivals.begin(), m_arrivals.end(), [row](const std::unique_ptr<Row> &r) { return r.get() == row; });
        if (it != m_arrivals.end())
            m_arrivals.erase(it);
        return;
    }
    const int position = lowerBound(row->key);
    beginRemoveRows({}, position, position);
    m_rows.erase(m_rows.begin() + position);
    endRemoveRows();
    updateTimer();
    Q_EMIT pendingCountChanged(rowCount());
}

void PendingQueueModel::onSubscribed()
{
    m_snapshotInProgress = false;
}

void PendingQueueModel::onResyncStarted()
{
    m_snapshotInProgress = true;
    beginResetModel();
    m_rows.clear();
    m_arrivals.clear();
    m_byId.clear();
    endResetModel();
    updateTimer();
    Q_EMIT pendingCountChanged(0);
}

void PendingQueueModel::updateTimer()
{
    if (m_rows.empty())
        m_tick.stop();
    else if (!m_tick.isActive())
        m_tick.start();
}

void PendingQueueModel::refreshCountdown()
{
    if (m_rows.empty())
        return;
    Q_EMIT dataChanged(index(0, TimeLeft), index(rowCount() - 1, TimeLeft),
        {Qt::DisplayRole, Qt::AccessibleTextRole, Qt::ToolTipRole, RawSortRole, TimeFractionRole, MsLeftRole});

    // Rows that stopped being new or just expired change as a whole (highlight, greyed text);
    // rows still new only fade. Adjacent rows that change alike are announced as one range: with
    // thousands of rows just arrived, one signal per row would hold up the GUI thread.
    enum class Change { None, Fade, State };
    Change runChange = Change::None;
    int runStart = 0;
    auto endRun = [&](int end) {
        if (runChange == Change::Fade)
            Q_EMIT dataChanged(index(runStart, 0), index(end - 1, ColumnCount - 1), {Qt::BackgroundRole});
        else if (runChange == Change::State)
            Q_EMIT dataChanged(index(runStart, 0), index(end - 1, ColumnCount - 1),
                               {NewRole, ExpiredRole, Qt::BackgroundRole, Qt::ForegroundRole});
    };
    QStringList expired;
    for (int r = 0; r < rowCount(); ++r) {
        Row &row = *m_rows[static_cast<size_t>(r)];
        const bool nowNew = isNew(row);
        const bool nowExpired = m_time.msUntil(row.frame.action.deadline) <= 0;
        Change change = Change::None;
        if (nowNew && row.shownNew && nowExpired == row.shownExpired) {
            change = Change::Fade;
        } else if (nowNew != row.shownNew || nowExpired != row.shownExpired) {
            if (nowExpired && !row.shownExpired)
                expired.append(row.frame.action.id);
            row.shownNew = nowNew;
            row.shownExpired = nowExpired;
            change = Change::State;
        }
        if (change != runChange) {
            endRun(r);
            runChange = change;
            runStart = r;
        }
    }
    endRun(rowCount());
    for (const QString &id : std::as_const(expired))
        Q_EMIT actionExpiredLocally(id);
}

} // namespace countersign
