// What in the pending queue deserves a notification, and when.
#include "models/AttentionMonitor.h"

#include "core/text/DisplayText.h"
#include "models/ActionSummary.h"
#include "models/PendingQueueModel.h"

#include <algorithm>
#include <cmath>

namespace countersign {

namespace {

constexpr int kMaxNameChars = 48;
// Floating-point slack when a share of the window is compared with a threshold, so that exactly
// half of a 100 s window counts as half.
constexpr double kEpsilon = 1e-9;

// Notification servers may read the body (and some the summary) as markup: text from an action
// keeps its look but can never become a tag or an entity there.
QString notificationText(const QString &untrusted, int maxChars)
{
    QString text = displayText(untrusted, maxChars);
    text.replace(QLatin1Char('<'), QChar(0x2039)).replace(QLatin1Char('>'), QChar(0x203A));
    text.replace(QLatin1Char('&'), QChar(0xFF06));
    return text;
}

QString percentText(double share)
{
    return QString::number(qRound(share * 100.0));
}

} // namespace

std::optional<QList<double>> AttentionMonitor::parseThresholds(const QString &text)
{
    const QString trimmed = text.trimmed();
    if (trimmed.compare(QLatin1String("none"), Qt::CaseInsensitive) == 0)
        return QList<double> {};
    QList<double> thresholds;
    for (const QString &part : trimmed.split(QLatin1Char(','))) {
        QString number = part.trimmed();
        if (number.endsWith(QLatin1Char('%')))
            number.chop(1);
        bool ok = false;
        const int percent = number.toInt(&ok);
        if (!ok || percent < 1 || percent > 99)
            return std::nullopt;
        thresholds.append(percent / 100.0);
    }
    std::sort(thresholds.begin(), thresholds.end());
    thresholds.erase(std::unique(thresholds.begin(), thresholds.end()), thresholds.end());
    return thresholds;
}

QString AttentionMonitor::thresholdsText(const QList<double> &thresholds)
{
    if (thresholds.isEmpty())
        return QStringLiteral("none");
    QStringList parts;
    for (double threshold : thresholds)
        parts.append(percentText(threshold));
    return parts.join(QLatin1Char(','));
}

AttentionMonitor::AttentionMonitor(PendingQueueModel *model, QObject *parent)
    : QObject(parent), m_model(model), m_thresholds(defaultThresholds())
{
    qRegisterMetaType<AttentionNotice>();
    connect(model, &QAbstractItemModel::rowsInserted, this,
        [this](const QModelIndex &, int first, int last) { onRowsInserted(first, last); });
    connect(model, &QAbstractItemModel::rowsAboutToBeRemoved, this,
        [this](const QModelIndex &, int first, int last) { onRowsAboutToBeRemoved(first, last); });
    connect(model, &QAbstractItemModel::modelReset, this, &AttentionMonitor::onModelReset);
    connect(model, &QAbstractItemModel::dataChanged, this,
        [this](const QModelIndex &topLeft, const QModelIndex &bottomRight, const QList<int> &roles) {
            onDataChanged(topLeft.row(), bottomRight.row(), roles);
        });
    connect(model, &PendingQueueModel::pendingCountChanged, this, &AttentionMonitor::pendingCountChanged);
    for (int row = 0; row < model->rowCount(); ++row)
        firstSight(row);
}

AttentionMonitor::~AttentionMonitor() = default;

void AttentionMonitor::setThresholds(QList<double> thresholds)
{
    thresholds.removeIf([](double t) { return !(t > 0.0 && t < 1.0); });
    std::sort(thresholds.begin(), thresholds.end());
    thresholds.erase(std::unique(thresholds.begin(), thresholds.end()), thresholds.end());
    m_thresholds = std::move(thresholds);
    // What has already passed under the new thresholds is not news.
    for (int row = 0; row < m_model->rowCount(); ++row) {
        const auto it = m_seen.find(m_model->index(row, 0).data(PendingQueueModel::ActionIdRole).toString());
        if (it != m_seen.end())
            it->crossed = crossedCount(row);
    }
}

int AttentionMonitor::pendingCount() const
{
    return m_model->rowCount();
}

void AttentionMonitor::evaluate()
{
    for (int row = 0; row < m_model->rowCount(); ++row)
        evaluateRow(row);
    forgetStale();
}

void AttentionMonitor::onRowsInserted(int first, int last)
{
    for (int row = first; row <= last; ++row)
        evaluateRow(row);
}

void AttentionMonitor::onRowsAboutToBeRemoved(int first, int last)
{
    // Removed rows were resolved: nothing more to say about them.
    for (int row = first; row <= last; ++row)
        m_seen.remove(m_model->index(row, 0).data(PendingQueueModel::ActionIdRole).toString());
}

void AttentionMonitor::onModelReset()
{
    // A burst merged in (rows seen before and rows never seen), or a resync emptied the queue.
    evaluate();
}

void AttentionMonitor::onDataChanged(int first, int last, const QList<int> &roles)
{
    // The countdown tick and escalations; the fading highlight and the tally are no occasion.
    if (!roles.isEmpty() && !roles.contains(PendingQueueModel::TimeFractionRole)
        && !roles.contains(PendingQueueModel::EscalatedToRole))
        return;
    for (int row = first; row <= last; ++row)
        evaluateRow(row);
    if (first == 0 && last == m_model->rowCount() - 1)
        forgetStale();
}

int AttentionMonitor::crossedCount(int row) const
{
    const double passed = 1.0 - m_model->fractionLeftAt(row);
    return static_cast<int>(
        std::count_if(m_thresholds.cbegin(), m_thresholds.cend(), [passed](double t) { return passed + kEpsilon >= t; }));
}

void AttentionMonitor::firstSight(int row)
{
    const QModelIndex index = m_model->index(row, 0);
    const protocol::ActionPending *frame = m_model->actionAt(row);
    if (!frame)
        return;
    Seen seen;
    seen.deadline = frame->action.deadline;
    seen.crossed = crossedCount(row);
    seen.escalated = !index.data(PendingQueueModel::EscalatedToRole).toString().isEmpty();
    m_seen.insert(frame->action.id, seen);

    // What was already pending when the console subscribed is on screen, not news; neither is
    // anything that can no longer be decided.
    if (index.data(PendingQueueModel::SnapshotRole).toBool() || m_model->isExpiredAt(row))
        return;
    // One notice for an arrival, however many occasions it brings with it.
    if (frame->action.impact.tier >= m_highTier)
        Q_EMIT noticeRaised(makeNotice(AttentionNotice::Kind::Arrived, row));
    else if (seen.escalated)
        Q_EMIT noticeRaised(makeNotice(AttentionNotice::Kind::Escalated, row));
    else if (seen.crossed > 0)
        Q_EMIT noticeRaised(makeNotice(AttentionNotice::Kind::Threshold, row, m_thresholds.at(seen.crossed - 1)));
}

void AttentionMonitor::evaluateRow(int row)
{
    const protocol::ActionPending *frame = m_model->actionAt(row);
    if (!frame)
        return;
    const auto it = m_seen.find(frame->action.id);
    if (it == m_seen.end()) {
        firstSight(row);
        return;
    }
    Seen &seen = it.value();
    const QModelIndex index = m_model->index(row, 0);
    const bool escalated = !index.data(PendingQueueModel::EscalatedToRole).toString().isEmpty();
    const int crossed = crossedCount(row);
    if (m_model->isExpiredAt(row)) {
        // Denied at the deadline whatever anyone does now: no reason to call anyone.
        seen.escalated = escalated;
        seen.crossed = crossed;
        return;
    }
    if (escalated && !seen.escalated) {
        seen.escalated = true;
        // Escalations replayed in a snapshot happened while nobody here was looking.
        if (!m_model->isSnapshotInProgress())
            Q_EMIT noticeRaised(makeNotice(AttentionNotice::Kind::Escalated, row));
    }
    if (crossed > seen.crossed) {
        // Several at once (a suspended laptop, a long stall): one notice, for the latest.
        seen.crossed = crossed;
        Q_EMIT noticeRaised(makeNotice(AttentionNotice::Kind::Threshold, row, m_thresholds.at(crossed - 1)));
    }
}

void AttentionMonitor::forgetStale()
{
    // Actions resolved while the console was away vanish in a resync without a removal: forget
    // them once their deadline has passed (before that, they may still come back in a snapshot).
    if (m_seen.size() <= m_model->rowCount())
        return;
    const ServerTime &time = m_model->serverTime();
    m_seen.removeIf([this, &time](const QHash<QString, Seen>::iterator &it) {
        return time.msUntil(it->deadline) <= 0 && m_model->rowOf(it.key()) < 0;
    });
}

AttentionNotice AttentionMonitor::makeNotice(AttentionNotice::Kind kind, int row, double threshold) const
{
    const protocol::ActionPending *frame = m_model->actionAt(row);
    Q_ASSERT(frame);
    const Action &action = frame->action;
    AttentionNotice notice;
    notice.kind = kind;
    notice.actionId = action.id;
    notice.threshold = threshold;
    notice.msLeft = m_model->msLeftAt(row);
    notice.tier = action.impact.tier;

    // Who and what, never the parameters: notifications outlive the screen (history, lock screens).
    const QString tool = notificationText(actionToolName(action), kMaxNameChars);
    const QString who = QStringLiteral("%1, for %2")
                            .arg(notificationText(action.identity.actingAgent().id, kMaxNameChars),
                                notificationText(action.identity.user.id, kMaxNameChars));
    const QString left = formatTimeLeft(notice.msLeft);
    const QString tier = QStringLiteral("tier %1 · %2").arg(action.impact.tier).arg(tierTitle(action.impact.tier));
    switch (kind) {
    case AttentionNotice::Kind::Arrived:
        notice.title = QStringLiteral("New %1 action: %2").arg(tier, tool);
        notice.body = QStringLiteral("%1 · %2 left to decide").arg(who, left);
        break;
    case AttentionNotice::Kind::Threshold:
        notice.title = QStringLiteral("%1 left: %2").arg(left, tool);
        notice.body = QStringLiteral("%1% of the time to decide has passed · %2 · %3. Undecided, it is denied at the "
                                     "deadline.")
                          .arg(percentText(threshold), who, tier);
        break;
    case AttentionNotice::Kind::Escalated: {
        const QString group = notificationText(
            m_model->index(row, 0).data(PendingQueueModel::EscalatedToRole).toString(), kMaxNameChars);
        notice.title = QStringLiteral("Escalated to %1: %2").arg(group, tool);
        notice.body = QStringLiteral("The gateway told %1 that it is still undecided · %2 left · %3 · %4")
                          .arg(group, left, who, tier);
        break;
    }
    }
    return notice;
}

} // namespace countersign
