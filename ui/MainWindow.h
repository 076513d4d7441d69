// The reviewer's window: the connection status line on top (with a banner while the gateway
// cannot be reached), an inline message bar, the pending queue on the left and the selected
// action with its decision bar on the right; outside it, a tray icon and notifications.
// Keyboard first: every command is a QAction with a shortcut, listed by '?'.
#pragma once

#include "core/ServerTime.h"
#include "core/action/Action.h"
#include "core/crypto/Ed25519.h"
#include "core/protocol/Protocol.h"
#include "net/GatewayConnection.h"
#include "ui/ConfirmApprovalDialog.h"
#include "ui/UnlockDialog.h"

#include <QHash>
#include <QMainWindow>
#include <QPointer>
#include <QTimer>

class QAction;
class QLabel;
class QSplitter;
class QTableView;
class QTabWidget;
class QToolButton;

namespace countersign {
class AttentionMonitor;
class AuditWitness;
class DecisionOutbox;
class PendingQueueModel;
class QueueFilterModel;
struct WitnessAlarm;
class ReviewerKey;
}

namespace countersign::ui {

class ActionDetailView;
class AttentionTray;
class AuditBrowserView;
class Band;
class MessageBar;
class StatusLine;

class MainWindow final : public QMainWindow {
    Q_OBJECT

public:
    // The connection and the key are not owned and must outlive the window; the window syncs
    // serverTime from each hello and measures every deadline with it. Every decision is signed
    // with key; while it is locked nothing can be decided. The window notes the user's input
    // (anywhere in the application) as activity on the key, for its idle lock.
    MainWindow(GatewayConnection *connection, ServerTime &serverTime, ReviewerKey *key, QWidget *parent = nullptr);
    ~MainWindow() override;
    Q_DISABLE_COPY_MOVE(MainWindow)

    // Every pending action, listed or not: what the window title, the status line and the tray
    // count. The view lists queueFilter(), which may hide some of them (Queue ▸ Show only
    // Judge-flagged); rows of the view are the filter's rows, not the queue's.
    [[nodiscard]] PendingQueueModel *queueModel() const { return m_model; }
    [[nodiscard]] QueueFilterModel *queueFilter() const { return m_filter; }
    [[nodiscard]] QTableView *queueView() const { return m_queueView; }
    [[nodiscard]] ActionDetailView *detailView() const { return m_detail; }
    [[nodiscard]] MessageBar *messageBar() const { return m_messageBar; }
    [[nodiscard]] StatusLine *statusLine() const { return m_statusLine; }
    // The band that says the key is locked (hidden while it is unlocked).
    [[nodiscard]] Band *lockBand() const { return m_lockBand; }
    [[nodiscard]] QString lockText() const;

    // The band that says the gateway cannot be reached and what that means (hidden while
    // connected), and its words.
    [[nodiscard]] Band *offlineBand() const { return m_offlineBand; }
    [[nodiscard]] QString offlineText() const;

    // What in the queue deserves a notification (thresholds: settings key attention/notifyAt,
    // e.g. "50,80", or --notify-at), and the tray icon and notifications that show it (sound:
    // attention/sound, the Console menu).
    [[nodiscard]] AttentionMonitor *attentionMonitor() const { return m_attention; }
    [[nodiscard]] AttentionTray *attentionTray() const { return m_tray; }
    // Brings the window forward with the action selected and shown, as clicking its notification
    // does. Nothing is decided, and an armed decision is disarmed; false (and a word in the
    // message bar) when the action is no longer pending. An action the queue filter hides is
    // shown all the same: the filter is turned off, and the message bar says so.
    bool openAction(const QString &actionId);
    // Brings the window forward (a click on the tray icon).
    void raiseWindow();

    // Decisions go through the outbox: recorded in the console's journal before they are sent
    // (and not sent if they cannot be), resent once after a lost connection or a crash. Not
    // owned, must outlive the window; may be null (then straight to the connection).
    void setOutbox(DecisionOutbox *outbox) { m_outbox = outbox; }
    // Shows the witness's alarm, now and whenever it is raised, in a red band that stays.
    void setAuditWitness(AuditWitness *witness);
    // The band that says the gateway's audit history was rewritten (hidden until then).
    [[nodiscard]] Band *auditAlarmBand() const { return m_auditAlarmBand; }

    // Impact categories whose approvals must be deliberate (retype the key fact, re-enter the
    // passphrase) at any tier; tier 4 always is. Default: defaultDeliberateCategories().
    void setDeliberateCategories(const QList<ImpactCategory> &categories) { m_deliberateCategories = categories; }
    [[nodiscard]] QList<ImpactCategory> deliberateCategories() const { return m_deliberateCategories; }

    // Ctrl+L and Ctrl+U. unlock() opens the unlock dialog (window-modal) and returns it.
    void lockNow();
    UnlockDialog *unlock();
    // The open deliberate-approval dialog, if any.
    [[nodiscard]] ConfirmApprovalDialog *confirmApprovalDialog() const { return m_confirmDialog; }

    // The id of the action shown on the right; empty when none.
    [[nodiscard]] QString selectedActionId() const;
    // Selects a listed action; false when it is not pending or the queue filter hides it.
    bool selectAction(const QString &actionId);

    // The analyst's audit view, the second tab (Ctrl+2); Ctrl+1 goes back to the queue.
    [[nodiscard]] AuditBrowserView *auditView() const { return m_audit; }
    void showQueue();
    void showAudit();
    [[nodiscard]] bool isAuditShown() const;
    // Opens an audit log file read-only in the audit view (Ctrl+2 shows it).
    void openAuditLog(const QString &path);
    // The gateway's action-signing key, which also signs its audit checkpoints: the audit view's
    // "Verify integrity" checks checkpoint signatures with it.
    void setGatewayKey(const crypto::Ed25519PublicKey &key);

    // Every command with a shortcut, in the order the shortcuts dialog lists them.
    [[nodiscard]] QList<QAction *> commandActions() const { return m_commands; }
    void showShortcuts();

protected:
    void closeEvent(QCloseEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    struct Request {
        QString actionId;
        protocol::Verdict verdict;
        QString summary;
    };

    QWidget *buildQueuePane();
    void createActions();
    void restoreSettings();
    void saveSettings() const;

    void onStateChanged(GatewayConnection::State state, const QString &detail);
    void updateOfflineBanner();
    void showEscalation(int row);
    void onHello(const protocol::Hello &hello);
    void onSubscribed();
    void onActionResolved(const protocol::ActionResolved &frame);
    void onDecisionResult(const protocol::DecisionResult &result);
    void onProtocolViolation(const Error &error);
    void showAuditAlarm(const WitnessAlarm &alarm);
    void onDecisionRequested(
        const QString &actionId, const QByteArray &digest, protocol::Verdict verdict, const QString &reason);
    void openConfirmApproval(const protocol::ActionPending &frame, const QString &reason);
    void signAndSend(
        const QString &actionId, const QByteArray &digest, protocol::Verdict verdict, const QString &reason);
    void onKeyLockedChanged(bool locked);
    void onCurrentRowChanged();
    void onRowsRemoved();
    void onModelAboutToBeReset();
    void onModelReset();
    void onRowsInserted();
    void onModelDataChanged(const QModelIndex &topLeft, const QModelIndex &bottomRight, const QList<int> &roles);

    void showCurrent();
    // Selects the most urgent listed action that can still be decided, or clears the selection
    // and the detail pane when there is none.
    void selectMostUrgentOrClear();
    // The detail pane with nothing selected: its placeholder says whether nothing is pending, or
    // everything pending is hidden by the filter, or nothing is selected.
    void clearDetail();
    void onFlaggedOnlyToggled(bool on);
    // The queue's row of the view's current row; -1 for none.
    [[nodiscard]] int currentQueueRow() const;
    void moveSelection(int delta);
    void selectRow(int row);
    void approve();
    void deny();
    void confirm();
    void cancel();
    void updateWidgets();

    QPointer<GatewayConnection> m_connection;
    ServerTime &m_serverTime;
    PendingQueueModel *m_model = nullptr;
    QueueFilterModel *m_filter = nullptr; // what the view lists

    StatusLine *m_statusLine = nullptr;
    MessageBar *m_messageBar = nullptr;
    QTabWidget *m_tabs = nullptr;
    AuditBrowserView *m_audit = nullptr;
    QSplitter *m_splitter = nullptr;
    QTableView *m_queueView = nullptr;
    QLabel *m_queueCount = nullptr;
    QToolButton *m_flaggedOnlyButton = nullptr; // the filter's toggle beside the count
    QLabel *m_queueEmptyNote = nullptr; // over the list while the filter hides everything
    ActionDetailView *m_detail = nullptr;
    Band *m_lockBand = nullptr;
    Band *m_offlineBand = nullptr;
    QLabel *m_offlineTitle = nullptr;
    QLabel *m_offlineDetail = nullptr;
    QTimer m_offlineTick; // the "reconnecting in N s" countdown
    AttentionMonitor *m_attention = nullptr;
    AttentionTray *m_tray = nullptr;
    Band *m_auditAlarmBand = nullptr;
    QLabel *m_auditAlarmTitle = nullptr;
    QLabel *m_auditAlarmDetail = nullptr;
    DecisionOutbox *m_outbox = nullptr; // not owned; outlives the window
    QLabel *m_lockTitle = nullptr;
    QLabel *m_lockDetail = nullptr;
    QPointer<ConfirmApprovalDialog> m_confirmDialog;
    QPointer<UnlockDialog> m_unlockDialog;

    QList<QAction *> m_commands;
    QAction *m_nextAction = nullptr;
    QAction *m_previousAction = nullptr;
    QAction *m_openAction = nullptr;
    QAction *m_focusQueueAction = nullptr;
    QAction *m_showAuditAction = nullptr;
    QAction *m_approveAction = nullptr;
    QAction *m_denyAction = nullptr;
    QAction *m_confirmAction = nullptr;
    QAction *m_cancelAction = nullptr;
    QAction *m_lockAction = nullptr;
    QAction *m_unlockAction = nullptr;
    QAction *m_shortcutsAction = nullptr;
    QAction *m_quitAction = nullptr;
    QAction *m_soundAction = nullptr;
    QAction *m_flaggedFirstAction = nullptr;
    QAction *m_flaggedOnlyAction = nullptr;

    ReviewerKey *const m_key; // not owned; may be null (then nothing can be signed)
    QList<ImpactCategory> m_deliberateCategories;
    bool m_restartOnUnlock = false; // the connection was refused while the key was locked
    QString m_reviewer;
    QString m_gatewayId;
    protocol::Role m_role = protocol::Role::Reviewer;
    QHash<QString, Request> m_requests; // requestId → decision awaiting its result
    QHash<QString, protocol::Verdict> m_recorded; // actionId → accepted, awaiting resolution
    QString m_reselectId; // to select again after a reset
    bool m_selectNextAfterRemoval = false;
};

} // namespace countersign::ui
