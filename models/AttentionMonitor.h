// Decides what in the pending queue deserves the reviewer's attention outside the window: a
// high-tier action arriving, an action crossing a share of its decision window (by default half
// and four fifths), and the gateway escalating an action. Each occasion is raised once per action
// and never again, across reconnects and snapshots. It reads the queue model and nothing else:
// it has no way to decide, and the tray, notifications and sound belong to the window.
#pragma once

#include <optional>

#include <QDateTime>
#include <QHash>
#include <QList>
#include <QObject>
#include <QString>

namespace countersign {

class PendingQueueModel;

// One thing to tell the reviewer. title and body are plain text made safe for a desktop
// notification (hidden characters made visible, and no '<', '>' or '&' that a notification
// server could read as markup); they never carry the action's parameters.
struct AttentionNotice
{
    enum class Kind {
        Arrived, // a high-tier action arrived live (or was replayed after a reconnect)
        Threshold, // this share of the action's window has passed
        Escalated, // the gateway told the action's escalation group
    };
    Kind kind = Kind::Arrived;
    QString actionId;
    double threshold = 0.0; // Threshold: the share of the window that has passed
    qint64 msLeft = 0; // when raised
    int tier = 0;
    QString title;
    QString body;
};

class AttentionMonitor final : public QObject
{
    Q_OBJECT

public:
    static constexpr int kDefaultHighTier = 3;
    // Shares of the decision window that have passed: half, and four fifths.
    [[nodiscard]] static QList<double> defaultThresholds() { return {0.5, 0.8}; }
    // "50,80" (percent of the window passed, 1 to 99) → {0.5, 0.8}; "none" → {}. Sorted, without
    // duplicates; nullopt for anything else.
    [[nodiscard]] static std::optional<QList<double>> parseThresholds(const QString &text);
    // The inverse: "50,80", or "none".
    [[nodiscard]] static QString thresholdsText(const QList<double> &thresholds);

    // The model is not owned and must outlive the monitor's use of it (the monitor only reads it
    // from the model's own signals and from the calls below).
    explicit AttentionMonitor(PendingQueueModel *model, QObject *parent = nullptr);
    ~AttentionMonitor() override;
    Q_DISABLE_COPY_MOVE(AttentionMonitor)

    // Shares of the window, each strictly between 0 and 1 (others are dropped). Thresholds an
    // action has already passed when they change are not raised for it.
    void setThresholds(QList<double> thresholds);
    [[nodiscard]] QList<double> thresholds() const { return m_thresholds; }
    // Tiers from this one up announce their arrival. Default kDefaultHighTier (High).
    void setHighTier(int tier) { m_highTier = tier; }
    [[nodiscard]] int highTier() const { return m_highTier; }

    [[nodiscard]] int pendingCount() const;
    // Looks at every row now (the model's countdown tick does this each second).
    void evaluate();

Q_SIGNALS:
    void noticeRaised(const countersign::AttentionNotice &notice);
    void pendingCountChanged(int count);

private:
    struct Seen {
        int crossed = 0; // thresholds said, or already passed when the action was first seen
        bool escalated = false;
        QDateTime deadline;
    };

    void onRowsInserted(int first, int last);
    void onRowsAboutToBeRemoved(int first, int last);
    void onModelReset();
    void onDataChanged(int first, int last, const QList<int> &roles);
    void firstSight(int row);
    void evaluateRow(int row);
    void forgetStale();
    [[nodiscard]] int crossedCount(int row) const;
    [[nodiscard]] AttentionNotice makeNotice(AttentionNotice::Kind kind, int row, double threshold = 0.0) const;

    PendingQueueModel *const m_model;
    QList<double> m_thresholds;
    int m_highTier = kDefaultHighTier;
    // Outlives resets: a resync removes every row and brings back the ones still pending, which
    // must not be announced again.
    QHash<QString, Seen> m_seen;
};

} // namespace countersign

Q_DECLARE_METATYPE(countersign::AttentionNotice)
