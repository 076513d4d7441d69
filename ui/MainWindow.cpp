// The reviewer's main window.
#include "ui/MainWindow.h"

#include "core/decision/SignedDecision.h"
#include "core/text/DisplayText.h"
#include "models/ActionSummary.h"
#include "models/AttentionMonitor.h"
#include "models/KeyFact.h"
#include "models/PendingQueueModel.h"
#include "models/QueueFilterModel.h"
#include "net/AuditWitness.h"
#include "net/DecisionOutbox.h"
#include "net/ReviewerKey.h"
#include "ui/ActionDetailView.h"
#include "ui/AttentionTray.h"
#include "ui/AuditBrowserView.h"
#include "ui/Band.h"
#include "ui/ConfirmApprovalDialog.h"
#include "ui/CountdownDelegate.h"
#include "ui/MessageBar.h"
#include "ui/PlainWidgets.h"
#include "ui/Resources.h"
#include "ui/ShortcutsDialog.h"
#include "ui/StatusLine.h"
#include "ui/UnlockDialog.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QMenuBar>
#include <QPushButton>
#include <QScreen>
#include <QSettings>
#include <QSignalBlocker>
#include <QSplitter>
#include <QTabBar>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QToolButton>
#include <QUuid>
#include <QVBoxLayout>

namespace countersign::ui {

namespace {

constexpr int kConfirmationMs = 20'000;
constexpr int kDecisionAnswerMs = 15'000;

const QString kGeometryKey = QStringLiteral("mainWindow/geometry");
const QString kSplitterKey = QStringLiteral("mainWindow/splitter");
const QString kHeaderKey = QStringLiteral("mainWindow/queueHeader");
const QString kNotifyAtKey = QStringLiteral("attention/notifyAt");
const QString kSoundKey = QStringLiteral("attention/sound");
const QString kFlaggedFirstKey = QStringLiteral("queue/flaggedFirst");
const QString kFlaggedOnlyKey = QStringLiteral("queue/flaggedOnly");

QString verdictPast(protocol::Verdict verdict)
{
    return verdict == protocol::Verdict::Approve ? QStringLiteral("Approved") : QStringLiteral("Denied");
}

QString verdictNoun(protocol::Verdict verdict)
{
    return verdict == protocol::Verdict::Approve ? QStringLiteral("approval") : QStringLiteral("denial");
}

QString outcomeWords(protocol::Outcome outcome)
{
    switch (outcome) {
    case protocol::Outcome::Approved:
        return QStringLiteral("Approved");
    case protocol::Outcome::Denied:
        return QStringLiteral("Denied");
    case protocol::Outcome::Expired:
        return QStringLiteral("Expired (denied by timeout)");
    case protocol::Outcome::Withdrawn:
        return QStringLiteral("Withdrawn");
    }
    return {};
}

// What a reviewer should do about a refused decision.
QString refusalAdvice(const QString &code)
{
    if (code == QLatin1String("decision.too_late"))
        return QStringLiteral("The deadline passed first; the gateway denies the action by timeout.");
    if (code == QLatin1String("decision.already_resolved"))
        return QStringLiteral("It was decided or expired before your decision arrived.");
    if (code == QLatin1String("decision.digest_mismatch"))
        return QStringLiteral("What you saw is not what the gateway holds, so nothing was signed off. Report this to "
                              "your security team.");
    if (code == QLatin1String("decision.self_approval"))
        return QStringLiteral("You are a party to this action; another reviewer must decide it.");
    if (code == QLatin1String("decision.duplicate_approval"))
        return QStringLiteral("You have already approved it; it needs another reviewer.");
    if (code == QLatin1String("decision.forbidden_role"))
        return QStringLiteral("Your role cannot decide actions.");
    if (code == QLatin1String("decision.policy_mismatch"))
        return QStringLiteral("The action was evaluated under other rules than your decision names. Nothing was changed.");
    if (code == QLatin1String("decision.stale"))
        return QStringLiteral("Your computer's clock is far from the gateway's; correct it, then decide again.");
    if (code == QLatin1String("decision.revoked_key"))
        return QStringLiteral("Your key is no longer enrolled with this gateway. Ask the gateway administrator.");
    if (code == QLatin1String("decision.replayed") || code == QLatin1String("decision.wrong_key")
        || code == QLatin1String("decision.bad_signature") || code == QLatin1String("decision.subject_mismatch")
        || code == QLatin1String("decision.wrong_audience") || code == QLatin1String("decision.action_mismatch")
        || code == QLatin1String("decision.malformed"))
        return QStringLiteral("The gateway could not match your signature to you, this gateway and this action, so "
                              "nothing was signed off. Report this to your security team.");
    if (code == QLatin1String("store.unavailable") || code == QLatin1String("audit.unavailable"))
        return QStringLiteral("The gateway could not record it and changed nothing. Try again before the deadline.");
    if (code == QLatin1String("connection.offline"))
        return QStringLiteral("Wait for the connection to come back, then decide again before the deadline.");
    if (code == QLatin1String("journal.unavailable"))
        return QStringLiteral("Nothing was sent. Check that the disk has room, then decide again before the deadline.");
    if (code == QLatin1String("key.locked"))
        return QStringLiteral("Unlock your key (Ctrl+U), then decide again before the deadline.");
    if (code == QLatin1String("decision.invalid") || code == QLatin1String("crypto.failed"))
        return QStringLiteral("Nothing was signed or sent; the action is still pending.");
    return QStringLiteral("Nothing was changed; the action is still pending unless it resolved.");
}

// "10 minutes", "1 minute", "45 seconds".
QString durationWords(std::chrono::milliseconds duration)
{
    const qint64 seconds = std::chrono::duration_cast<std::chrono::seconds>(duration).count();
    if (seconds >= 60 && seconds % 60 == 0) {
        const qint64 minutes = seconds / 60;
        return minutes == 1 ? QStringLiteral("1 minute") : QStringLiteral("%1 minutes").arg(minutes);
    }
    return seconds == 1 ? QStringLiteral("1 second") : QStringLiteral("%1 seconds").arg(seconds);
}

bool isUserInput(QEvent::Type type)
{
    switch (type) {
    case QEvent::KeyPress:
    case QEvent::MouseButtonPress:
    case QEvent::MouseButtonDblClick:
    case QEvent::MouseMove:
    case QEvent::Wheel:
    case QEvent::TouchBegin:
    case QEvent::TouchUpdate:
    case QEvent::TabletPress:
        return true;
    default:
        return false;
    }
}

} // namespace

MainWindow::MainWindow(GatewayConnection *connection, ServerTime &serverTime, ReviewerKey *key, QWidget *parent)
    : QMainWindow(parent), m_connection(connection), m_serverTime(serverTime), m_key(key),
      m_deliberateCategories(defaultDeliberateCategories())
{
    initResources();
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(QStringLiteral("Countersign"));
    setWindowIcon(appIcon());

    // Connected before the model exists, so these run while a resolved row is still present.
    connect(connection, &GatewayConnection::stateChanged, this, &MainWindow::onStateChanged);
    connect(connection, &GatewayConnection::helloReceived, this, &MainWindow::onHello);
    connect(connection, &GatewayConnection::actionResolved, this, &MainWindow::onActionResolved);
    connect(connection, &GatewayConnection::decisionResult, this, &MainWindow::onDecisionResult);
    connect(connection, &GatewayConnection::protocolViolation, this, &MainWindow::onProtocolViolation);
    connect(connection, &GatewayConnection::subscribed, this, &MainWindow::onSubscribed);

    m_model = new PendingQueueModel(connection, serverTime, this);
    // The view lists the queue through a filter proxy rather than a filtering mode of the model:
    // the model, and the attention monitor and counts that read it, keep seeing every pending
    // action, while the view's rows — and so J/K, the selection and "the next one" after a
    // decision, which all work in the view's rows — are only the listed ones.
    m_filter = new QueueFilterModel(m_model, this);
    m_attention = new AttentionMonitor(m_model, this);
    m_tray = new AttentionTray(m_attention, this, this);
    connect(m_tray, &AttentionTray::actionActivated, this, [this](const QString &actionId) { openAction(actionId); });
    connect(m_tray, &AttentionTray::windowRequested, this, &MainWindow::raiseWindow);

    m_statusLine = new StatusLine(this);
    m_messageBar = new MessageBar(this);
    m_detail = new ActionDetailView(serverTime, this);

    // The locked state: a band that stays while the key is locked, with the way out.
    auto *lockArea = new QWidget(this);
    lockArea->setObjectName(QStringLiteral("lockArea"));
    m_lockBand = new Band(Semantic::Warning, lockArea);
    m_lockBand->setObjectName(QStringLiteral("lockBand"));
    m_lockBand->setAccessibleName(QStringLiteral("Key locked"));
    m_lockTitle = new QLabel(m_lockBand);
    m_lockTitle->setObjectName(QStringLiteral("lockTitleLabel"));
    m_lockTitle->setTextFormat(Qt::PlainText);
    QFont lockFont = m_lockTitle->font();
    lockFont.setBold(true);
    m_lockTitle->setFont(lockFont);
    m_lockDetail = new QLabel(m_lockBand);
    m_lockDetail->setObjectName(QStringLiteral("lockDetailLabel"));
    m_lockDetail->setTextFormat(Qt::PlainText);
    m_lockDetail->setWordWrap(true);
    auto *unlockButton = new QPushButton(QStringLiteral("Unlock…"), m_lockBand);
    unlockButton->setObjectName(QStringLiteral("lockBandUnlockButton"));
    unlockButton->setAccessibleName(QStringLiteral("Unlock your key"));
    unlockButton->setToolTip(QStringLiteral("Unlock your key (Ctrl+U)"));
    unlockButton->setAutoDefault(false);
    connect(unlockButton, &QPushButton::clicked, this, [this] { unlock(); });
    auto *lockTexts = new QVBoxLayout;
    lockTexts->setSpacing(2);
    lockTexts->addWidget(m_lockTitle);
    lockTexts->addWidget(m_lockDetail);
    auto *lockLayout = new QHBoxLayout(m_lockBand);
    lockLayout->setContentsMargins(16, 8, 10, 8);
    lockLayout->addLayout(lockTexts, 1);
    lockLayout->addWidget(unlockButton, 0, Qt::AlignVCenter);
    auto *lockAreaLayout = new QVBoxLayout(lockArea);
    lockAreaLayout->setContentsMargins(10, 8, 10, 2);
    lockAreaLayout->addWidget(m_lockBand);

    // While the gateway cannot be reached: what happens meanwhile, and when the next attempt is.
    auto *offlineArea = new QWidget(this);
    offlineArea->setObjectName(QStringLiteral("offlineArea"));
    m_offlineBand = new Band(Semantic::Warning, offlineArea);
    m_offlineBand->setObjectName(QStringLiteral("offlineBand"));
    m_offlineBand->setAccessibleName(QStringLiteral("Offline"));
    m_offlineTitle = new QLabel(m_offlineBand);
    m_offlineTitle->setObjectName(QStringLiteral("offlineTitleLabel"));
    m_offlineTitle->setTextFormat(Qt::PlainText);
    m_offlineTitle->setFont(lockFont);
    m_offlineDetail = new QLabel(m_offlineBand);
    m_offlineDetail->setObjectName(QStringLiteral("offlineDetailLabel"));
    m_offlineDetail->setTextFormat(Qt::PlainText);
    m_offlineDetail->setWordWrap(true);
    auto *offlineLayout = new QVBoxLayout(m_offlineBand);
    offlineLayout->setContentsMargins(16, 8, 10, 8);
    offlineLayout->setSpacing(2);
    offlineLayout->addWidget(m_offlineTitle);
    offlineLayout->addWidget(m_offlineDetail);
    auto *offlineAreaLayout = new QVBoxLayout(offlineArea);
    offlineAreaLayout->setContentsMargins(10, 8, 10, 2);
    offlineAreaLayout->addWidget(m_offlineBand);
    offlineArea->hide();
    m_offlineTick.setInterval(1000);
    connect(&m_offlineTick, &QTimer::timeout, this, &MainWindow::updateOfflineBanner);

    // The witness's alarm: the gateway's audit history no longer extends what this console saw.
    // Red, and it stays: nothing the gateway sends later can clear it.
    auto *auditAlarmArea = new QWidget(this);
    auditAlarmArea->setObjectName(QStringLiteral("auditAlarmArea"));
    m_auditAlarmBand = new Band(Semantic::Danger, auditAlarmArea);
    m_auditAlarmBand->setObjectName(QStringLiteral("auditAlarmBand"));
    m_auditAlarmBand->setAccessibleName(QStringLiteral("Audit alarm"));
    m_auditAlarmTitle = new QLabel(m_auditAlarmBand);
    m_auditAlarmTitle->setObjectName(QStringLiteral("auditAlarmTitleLabel"));
    m_auditAlarmTitle->setTextFormat(Qt::PlainText);
    m_auditAlarmTitle->setFont(lockFont);
    m_auditAlarmDetail = new QLabel(m_auditAlarmBand);
    m_auditAlarmDetail->setObjectName(QStringLiteral("auditAlarmDetailLabel"));
    m_auditAlarmDetail->setTextFormat(Qt::PlainText);
    m_auditAlarmDetail->setWordWrap(true);
    m_auditAlarmDetail->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    auto *auditAlarmLayout = new QVBoxLayout(m_auditAlarmBand);
    auditAlarmLayout->setContentsMargins(16, 8, 10, 8);
    auditAlarmLayout->setSpacing(2);
    auditAlarmLayout->addWidget(m_auditAlarmTitle);
    auditAlarmLayout->addWidget(m_auditAlarmDetail);
    auto *auditAlarmAreaLayout = new QVBoxLayout(auditAlarmArea);
    auditAlarmAreaLayout->setContentsMargins(10, 8, 10, 2);
    auditAlarmAreaLayout->addWidget(m_auditAlarmBand);
    auditAlarmArea->hide();

    m_splitter = listAndDetail(this, QStringLiteral("mainSplitter"), buildQueuePane(), 5, m_detail, 4);

    // The queue and the audit view are two tabs under one status line and message bar.
    auto *queuePage = new QWidget(this);
    queuePage->setObjectName(QStringLiteral("queuePage"));
    auto *queueLayout = new QVBoxLayout(queuePage);
    queueLayout->setContentsMargins(0, 0, 0, 0);
    queueLayout->setSpacing(0);
    queueLayout->addWidget(lockArea);
    queueLayout->addWidget(m_splitter, 1);
    m_audit = new AuditBrowserView(this);
    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("mainTabs"));
    m_tabs->setDocumentMode(true);
    m_tabs->addTab(queuePage, QStringLiteral("Queue"));
    m_tabs->addTab(m_audit, QStringLiteral("Audit log"));
    m_tabs->setTabToolTip(0, QStringLiteral("Pending actions (Ctrl+1)"));
    m_tabs->setTabToolTip(1, QStringLiteral("The audit log: history, search, integrity (Ctrl+2)"));
    m_tabs->tabBar()->setFocusPolicy(Qt::NoFocus);
    connect(m_tabs, &QTabWidget::currentChanged, this, [this] { updateWidgets(); });

    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_statusLine);
    layout->addWidget(offlineArea); // above both tabs: it concerns the queue and the audit view alike
    layout->addWidget(auditAlarmArea); // above both tabs: the alarm is never out of sight
    layout->addWidget(m_messageBar);
    layout->addWidget(m_tabs, 1);
    setCentralWidget(central);
    connect(m_detail, &ActionDetailView::decisionRequested, this, &MainWindow::onDecisionRequested);
    connect(
        m_queueView->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &MainWindow::onCurrentRowChanged);
    // Rows as listed (the filter has followed the queue by the time these arrive); data changes
    // in the queue's own rows.
    connect(m_filter, &QAbstractItemModel::rowsRemoved, this, &MainWindow::onRowsRemoved);
    connect(m_filter, &QAbstractItemModel::rowsInserted, this, &MainWindow::onRowsInserted);
    connect(m_filter, &QAbstractItemModel::modelAboutToBeReset, this, &MainWindow::onModelAboutToBeReset);
    connect(m_filter, &QAbstractItemModel::modelReset, this, &MainWindow::onModelReset);
    connect(m_model, &QAbstractItemModel::dataChanged, this, &MainWindow::onModelDataChanged);
    connect(m_model, &PendingQueueModel::pendingCountChanged, this, &MainWindow::updateWidgets);

    createActions();

    if (key) {
        connect(key, &ReviewerKey::lockedChanged, this, &MainWindow::onKeyLockedChanged);
        qApp->installEventFilter(this);
    }
    m_detail->setKeyLocked(!key || !key->isUnlocked());

    m_statusLine->setGatewayUrl(connection->gatewayUrl());
    onStateChanged(connection->state(), connection->stateDetail());
    if (const QScreen *screen = this->screen()) {
        const QSize available = screen->availableSize();
        resize(qMin(available.width() * 94 / 100, 1680), qMin(available.height() * 92 / 100, 1050));
    } else {
        resize(1360, 820);
    }
    restoreSettings();
    updateWidgets();
}

MainWindow::~MainWindow()
{
    qApp->removeEventFilter(this);
}

QWidget *MainWindow::buildQueuePane()
{
    auto *pane = new QWidget(this);
    pane->setObjectName(QStringLiteral("queuePane"));

    auto *title = new QLabel(QStringLiteral("Pending"), pane);
    title->setTextFormat(Qt::PlainText);
    QFont titleFont = title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.15);
    titleFont.setWeight(QFont::DemiBold);
    title->setFont(titleFont);
    m_queueCount = new QLabel(pane);
    m_queueCount->setObjectName(QStringLiteral("queueCountLabel"));
    m_queueCount->setTextFormat(Qt::PlainText);
    m_queueCount->setForegroundRole(QPalette::PlaceholderText);
    // The filter's toggle (its action, with the F shortcut, comes in createActions).
    m_flaggedOnlyButton = new QToolButton(pane);
    m_flaggedOnlyButton->setObjectName(QStringLiteral("flaggedOnlyButton"));
    m_flaggedOnlyButton->setToolButtonStyle(Qt::ToolButtonTextOnly);
    // Like the tab bar: the keyboard has its shortcut (F), and the focus stays where Tab and the
    // window's first focus expect it — the queue, not a button above it.
    m_flaggedOnlyButton->setFocusPolicy(Qt::NoFocus);
    m_flaggedOnlyButton->setAccessibleName(QStringLiteral("Show only Judge-flagged actions"));
    auto *header = new QHBoxLayout;
    header->setContentsMargins(14, 10, 14, 8);
    header->setSpacing(10);
    header->addWidget(title);
    header->addWidget(m_queueCount, 1, Qt::AlignBaseline);
    header->addWidget(m_flaggedOnlyButton, 0, Qt::AlignVCenter);

    m_queueView = new QTableView(pane);
    QTableView *view = m_queueView;
    view->setObjectName(QStringLiteral("queueView"));
    view->setAccessibleName(QStringLiteral("Pending actions"));
    view->setAccessibleDescription(QStringLiteral("Most urgent first: earliest deadline, then highest tier"));
    view->setModel(m_filter);
    view->setItemDelegateForColumn(PendingQueueModel::TimeLeft, new CountdownDelegate(view));
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setSelectionMode(QAbstractItemView::SingleSelection);
    view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    view->setTabKeyNavigation(false);
    view->setShowGrid(false);
    view->setWordWrap(false);
    view->setTextElideMode(Qt::ElideRight);
    view->setSortingEnabled(false); // the order is urgency, kept by the model
    view->setCornerButtonEnabled(false);
    view->setFrameShape(QFrame::NoFrame);
    view->setHorizontalScrollMode(QAbstractItemView::ScrollPerPixel);
    view->setIconSize(QSize(10, 10));

    // Fixed row height: the view never measures rows, however long the queue.
    QHeaderView *rows = view->verticalHeader();
    rows->hide();
    rows->setSectionResizeMode(QHeaderView::Fixed);
    rows->setDefaultSectionSize(view->fontMetrics().height() + 18);
    rows->setMinimumSectionSize(view->fontMetrics().height() + 18);

    QHeaderView *columns = view->horizontalHeader();
    columns->setSectionsMovable(true);
    columns->setHighlightSections(false);
    columns->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    columns->setStretchLastSection(true);
    columns->setMinimumSectionSize(40);
    const QFontMetrics metrics = view->fontMetrics();
    auto width = [&metrics](const QString &sample) { return metrics.horizontalAdvance(sample) + 16; };
    columns->resizeSection(PendingQueueModel::TimeLeft, width(QStringLiteral("Time left")) + 8);
    columns->resizeSection(PendingQueueModel::Tier, width(QStringLiteral("2 · Moderate")) + 14);
    columns->resizeSection(PendingQueueModel::Tool, width(QStringLiteral("payments.transfer")));
    columns->resizeSection(PendingQueueModel::Agent, width(QStringLiteral("invoice-subagent")));
    columns->resizeSection(PendingQueueModel::OnBehalfOf, width(QStringLiteral("alice@example.com")));
    columns->resizeSection(PendingQueueModel::Judge, width(QStringLiteral("Flagged 0.00")));
    columns->resizeSection(PendingQueueModel::Approvals, width(QStringLiteral("Approvals")));

    // While the filter hides every pending action the list is empty, but the work is not: say so
    // where the reviewer looks for it.
    m_queueEmptyNote = plainLabel(view->viewport(), QStringLiteral("queueEmptyNote"));
    m_queueEmptyNote->setAlignment(Qt::AlignCenter);
    m_queueEmptyNote->setWordWrap(true);
    m_queueEmptyNote->hide();
    auto *noteLayout = new QVBoxLayout(view->viewport());
    noteLayout->setContentsMargins(48, 24, 48, 24);
    noteLayout->addStretch(1);
    noteLayout->addWidget(m_queueEmptyNote); // the list's width, the text centred in it
    noteLayout->addStretch(1);

    auto *layout = new QVBoxLayout(pane);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addLayout(header);
    layout->addWidget(view, 1);
    return pane;
}

void MainWindow::createActions()
{
    auto make = [this](const QString &text, const QList<QKeySequence> &keys, auto slot) {
        auto *action = new QAction(text, this);
        action->setShortcuts(keys);
        action->setShortcutContext(Qt::WindowShortcut);
        connect(action, &QAction::triggered, this, slot);
        addAction(action);
        m_commands.append(action);
        return action;
    };

    m_nextAction = make(QStringLiteral("&Next action"), {QKeySequence(Qt::Key_J)}, [this] { moveSelection(1); });
    m_nextAction->setObjectName(QStringLiteral("nextAction"));
    m_previousAction =
        make(QStringLiteral("&Previous action"), {QKeySequence(Qt::Key_K)}, [this] { moveSelection(-1); });
    m_previousAction->setObjectName(QStringLiteral("previousAction"));
    m_openAction = make(QStringLiteral("&Read the selected action"),
        {QKeySequence(Qt::Key_Return), QKeySequence(Qt::Key_Enter)}, [this] { m_detail->focusContent(); });
    m_openAction->setObjectName(QStringLiteral("openAction"));
    m_openAction->setStatusTip(QStringLiteral("Move into the selected action to read and scroll it (in the queue)"));
    // Enter only means "open" in the queue; elsewhere it keeps its usual meaning.
    removeAction(m_openAction);
    m_openAction->setShortcutContext(Qt::WidgetShortcut);
    m_queueView->addAction(m_openAction);
    QAction *rawAction = make(QStringLiteral("Show or hide the &raw parameters"), {QKeySequence(Qt::Key_R)},
        [this] { m_detail->toggleRawParameters(); });
    rawAction->setObjectName(QStringLiteral("rawParametersAction"));
    rawAction->setStatusTip(
        QStringLiteral("Show the selected action's parameters exactly as sent, under its preview, or hide them"));
    // A filter, but with a shortcut (so in the shortcuts list): F, free among the single-key queue
    // commands (J K R A D) and unlike Ctrl+F (the audit view's search).
    m_flaggedOnlyAction = new QAction(QStringLiteral("Show &only Judge-flagged"), this);
    m_flaggedOnlyAction->setObjectName(QStringLiteral("flaggedOnlyAction"));
    m_flaggedOnlyAction->setIconText(QStringLiteral("Judge-flagged only"));
    m_flaggedOnlyAction->setCheckable(true);
    m_flaggedOnlyAction->setShortcut(QKeySequence(Qt::Key_F));
    m_flaggedOnlyAction->setShortcutContext(Qt::WindowShortcut);
    m_flaggedOnlyAction->setStatusTip(QStringLiteral("List only the actions a Judge flagged, or every action again "
                                                     "(hidden ones stay pending and counted)"));
    m_flaggedOnlyAction->setToolTip(QStringLiteral("List only the actions a Judge flagged (F)"));
    connect(m_flaggedOnlyAction, &QAction::toggled, this, &MainWindow::onFlaggedOnlyToggled);
    addAction(m_flaggedOnlyAction);
    m_commands.append(m_flaggedOnlyAction);
    m_flaggedOnlyButton->setDefaultAction(m_flaggedOnlyAction);
    m_focusQueueAction = make(QStringLiteral("Go to the &queue"), {QKeySequence(Qt::CTRL | Qt::Key_1)}, [this] { showQueue(); });
    m_focusQueueAction->setObjectName(QStringLiteral("focusQueueAction"));
    m_showAuditAction = make(QStringLiteral("Go to the &audit log"), {QKeySequence(Qt::CTRL | Qt::Key_2)}, [this] { showAudit(); });
    m_showAuditAction->setObjectName(QStringLiteral("showAuditAction"));
    m_showAuditAction->setStatusTip(QStringLiteral("Browse, search, verify and export the audit log"));

    m_approveAction = make(QStringLiteral("&Approve…"), {QKeySequence(Qt::Key_A)}, [this] { approve(); });
    m_approveAction->setObjectName(QStringLiteral("approveAction"));
    m_approveAction->setStatusTip(QStringLiteral("Approve the selected action (then Ctrl+Enter to send)"));
    m_denyAction = make(QStringLiteral("&Deny…"), {QKeySequence(Qt::Key_D)}, [this] { deny(); });
    m_denyAction->setObjectName(QStringLiteral("denyAction"));
    m_denyAction->setStatusTip(QStringLiteral("Deny the selected action: type a reason, then Ctrl+Enter to send"));
    m_confirmAction = make(QStringLiteral("&Confirm the decision"),
        {QKeySequence(Qt::CTRL | Qt::Key_Return), QKeySequence(Qt::CTRL | Qt::Key_Enter)}, [this] { confirm(); });
    m_confirmAction->setObjectName(QStringLiteral("confirmAction"));
    m_confirmAction->setStatusTip(QStringLiteral("Send the approval or denial you started"));
    m_cancelAction = make(QStringLiteral("C&ancel the decision"), {QKeySequence(Qt::Key_Escape)}, [this] { cancel(); });
    m_cancelAction->setObjectName(QStringLiteral("cancelAction"));
    m_cancelAction->setStatusTip(QStringLiteral("Cancel the approval or denial you started and return to the queue"));

    m_shortcutsAction = make(QStringLiteral("&Keyboard shortcuts"),
        {QKeySequence(Qt::Key_Question), QKeySequence(Qt::Key_F1)}, [this] { showShortcuts(); });
    m_shortcutsAction->setObjectName(QStringLiteral("shortcutsAction"));
    m_lockAction = make(QStringLiteral("&Lock now"), {QKeySequence(Qt::CTRL | Qt::Key_L)}, [this] { lockNow(); });
    m_lockAction->setObjectName(QStringLiteral("lockAction"));
    m_lockAction->setStatusTip(QStringLiteral("Lock your key now: nothing can be decided until you unlock it"));
    m_unlockAction = make(QStringLiteral("&Unlock…"), {QKeySequence(Qt::CTRL | Qt::Key_U)}, [this] { unlock(); });
    m_unlockAction->setObjectName(QStringLiteral("unlockAction"));
    m_unlockAction->setStatusTip(QStringLiteral("Unlock your key with your passphrase"));
    m_quitAction = make(QStringLiteral("&Quit"), {QKeySequence(Qt::CTRL | Qt::Key_Q)}, [this] { close(); });
    m_quitAction->setObjectName(QStringLiteral("quitAction"));
    // A setting rather than a command: no shortcut, so not in the shortcuts list.
    m_soundAction = new QAction(QStringLiteral("&Sound with notifications"), this);
    m_soundAction->setObjectName(QStringLiteral("soundAction"));
    m_soundAction->setCheckable(true);
    m_soundAction->setStatusTip(QStringLiteral("Beep when a notification is raised (a high-tier arrival, an item "
                                               "nearing its deadline, an escalation)"));
    connect(m_soundAction, &QAction::toggled, this, [this](bool on) {
        m_tray->setSoundEnabled(on);
        QSettings().setValue(kSoundKey, on);
    });

    m_flaggedFirstAction = new QAction(QStringLiteral("Judge-&flagged first"), this);
    m_flaggedFirstAction->setObjectName(QStringLiteral("flaggedFirstAction"));
    m_flaggedFirstAction->setCheckable(true);
    m_flaggedFirstAction->setStatusTip(QStringLiteral("Put every action a Judge flagged above the others, each group "
                                                      "most urgent first"));
    connect(m_flaggedFirstAction, &QAction::toggled, this, [this](bool on) {
        m_model->setFlaggedFirst(on);
        QSettings().setValue(kFlaggedFirstKey, on);
        updateWidgets();
        if (m_queueView->currentIndex().isValid())
            m_queueView->scrollTo(m_queueView->currentIndex());
    });

    QMenu *console = menuBar()->addMenu(QStringLiteral("&Console"));
    console->addAction(m_lockAction);
    console->addAction(m_unlockAction);
    console->addSeparator();
    console->addAction(m_soundAction);
    console->addSeparator();
    console->addAction(m_quitAction);
    QMenu *queue = menuBar()->addMenu(QStringLiteral("&Queue"));
    queue->addAction(m_nextAction);
    queue->addAction(m_previousAction);
    queue->addAction(m_openAction);
    queue->addAction(rawAction);
    queue->addSeparator();
    queue->addAction(m_flaggedFirstAction);
    queue->addAction(m_flaggedOnlyAction);
    queue->addSeparator();
    queue->addAction(m_focusQueueAction);
    QMenu *decision = menuBar()->addMenu(QStringLiteral("&Decision"));
    decision->addAction(m_approveAction);
    decision->addAction(m_denyAction);
    decision->addSeparator();
    decision->addAction(m_confirmAction);
    decision->addAction(m_cancelAction);
    QMenu *audit = menuBar()->addMenu(QStringLiteral("&Audit"));
    audit->addAction(m_showAuditAction);
    audit->addSeparator();
    for (QAction *command : m_audit->commandActions()) {
        audit->addAction(command);
        m_commands.append(command);
    }
    QMenu *help = menuBar()->addMenu(QStringLiteral("&Help"));
    help->addAction(m_shortcutsAction);
}

void MainWindow::showShortcuts()
{
    auto *dialog = new ShortcutsDialog(m_commands,
        {{QStringLiteral("↓  or  ↑"), QStringLiteral("Next or previous action (in the queue)")},
            {QStringLiteral("Tab"), QStringLiteral("Move between the queue, the action and the decision")}},
        this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
}

void MainWindow::restoreSettings()
{
    const QSettings settings;
    const QByteArray geometry = settings.value(kGeometryKey).toByteArray();
    if (!geometry.isEmpty())
        restoreGeometry(geometry);
    const QByteArray splitter = settings.value(kSplitterKey).toByteArray();
    if (splitter.isEmpty() || !m_splitter->restoreState(splitter)) {
        const int total = width();
        m_splitter->setSizes({total * 55 / 100, total * 45 / 100});
    }
    if (settings.contains(kNotifyAtKey)) {
        // A setting that does not parse leaves the defaults rather than silencing notifications.
        if (const auto thresholds = AttentionMonitor::parseThresholds(settings.value(kNotifyAtKey).toString()))
            m_attention->setThresholds(*thresholds);
    }
    {
        const QSignalBlocker quiet(m_soundAction); // restoring is not a change to save
        m_soundAction->setChecked(settings.value(kSoundKey, false).toBool());
    }
    m_tray->setSoundEnabled(m_soundAction->isChecked());
    m_flaggedFirstAction->setChecked(settings.value(kFlaggedFirstKey, false).toBool());
    m_flaggedOnlyAction->setChecked(settings.value(kFlaggedOnlyKey, false).toBool());
    const QByteArray header = settings.value(kHeaderKey).toByteArray();
    if (!header.isEmpty()) {
        QHeaderView *columns = m_queueView->horizontalHeader();
        if (!columns->restoreState(header) || columns->count() != PendingQueueModel::ColumnCount)
            columns->reset();
    }
}

void MainWindow::saveSettings() const
{
    QSettings settings;
    settings.setValue(kGeometryKey, saveGeometry());
    settings.setValue(kSplitterKey, m_splitter->saveState());
    settings.setValue(kHeaderKey, m_queueView->horizontalHeader()->saveState());
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveSettings();
    QMainWindow::closeEvent(event);
}

bool MainWindow::eventFilter(QObject *watched, QEvent *event)
{
    // Only input counts as presence: timers, repaints and network traffic never keep the key open.
    if (m_key && isUserInput(event->type()))
        m_key->noteActivity();
    return QMainWindow::eventFilter(watched, event);
}

QString MainWindow::lockText() const
{
    if (m_key && m_key->isUnlocked())
        return {};
    return m_lockTitle->text() + QStringLiteral(" — ") + m_lockDetail->text();
}

void MainWindow::lockNow()
{
    if (m_key && m_key->isUnlocked())
        m_key->lock(ReviewerKey::LockReason::Requested);
}

UnlockDialog *MainWindow::unlock()
{
    if (!m_key || m_key->isUnlocked())
        return nullptr;
    if (UnlockDialog *open = m_unlockDialog.data()) {
        open->raise();
        open->activateWindow();
        return open;
    }
    auto *dialog = new UnlockDialog(m_key, UnlockDialog::Purpose::Resume, m_lockTitle->text(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    m_unlockDialog = dialog;
    dialog->open();
    return dialog;
}

void MainWindow::onKeyLockedChanged(bool locked)
{
    m_detail->setKeyLocked(locked);
    if (locked) {
        if (ConfirmApprovalDialog *confirm = m_confirmDialog.data()) {
            confirm->reject();
            m_messageBar->showMessage(Semantic::Warning, QStringLiteral("Your approval was not signed"),
                QStringLiteral("Your key locked while you were confirming it. Unlock it (Ctrl+U) and approve again "
                               "before the deadline."));
        }
    } else {
        if (UnlockDialog *dialog = m_unlockDialog.data())
            dialog->accept();
        // Refused because the key could not sign the sign-in: try again now that it can.
        GatewayConnection *connection = m_connection.data();
        if (connection && m_restartOnUnlock && connection->state() == GatewayConnection::State::Refused) {
            m_restartOnUnlock = false;
            m_messageBar->dismiss();
            connection->stop();
            connection->start();
        }
        m_restartOnUnlock = false;
    }
    updateWidgets();
}

void MainWindow::showQueue()
{
    m_tabs->setCurrentIndex(0);
    m_queueView->setFocus(Qt::ShortcutFocusReason);
}

void MainWindow::showAudit()
{
    m_tabs->setCurrentWidget(m_audit);
    m_audit->focusList();
}

bool MainWindow::isAuditShown() const
{
    return m_tabs->currentWidget() == m_audit;
}

void MainWindow::openAuditLog(const QString &path)
{
    m_audit->openLog(path);
}

void MainWindow::setGatewayKey(const crypto::Ed25519PublicKey &key)
{
    m_audit->setGatewayKey(key);
}

QString MainWindow::selectedActionId() const
{
    return m_detail->actionId();
}

bool MainWindow::openAction(const QString &actionId)
{
    raiseWindow();
    if (m_model->rowOf(actionId) < 0) {
        m_messageBar->showMessage(Semantic::Info, QStringLiteral("That action is no longer pending"),
            QStringLiteral("It was decided, withdrawn or expired after the notification was raised."), kConfirmationMs);
        return false;
    }
    showQueue();
    // A notification only ever opens an action: whatever was armed is disarmed, even on the
    // action already shown, so that no key pressed next can send a decision begun before.
    m_detail->cancelArmed();
    if (m_filter->isHidden(actionId)) {
        // The reviewer was asked to look at this action: a filter must not hide it.
        m_flaggedOnlyAction->setChecked(false);
        m_messageBar->showMessage(Semantic::Info,
            QStringLiteral("Showing every pending action: Show only Judge-flagged is off"),
            QStringLiteral("The filter hid the action you opened, so it was turned off. Press F to turn it on again."),
            kConfirmationMs);
    }
    return selectAction(actionId);
}

void MainWindow::raiseWindow()
{
    if (isMinimized())
        showNormal();
    else
        show();
    raise();
    activateWindow();
}

bool MainWindow::selectAction(const QString &actionId)
{
    const int row = m_filter->rowOf(actionId);
    if (row < 0)
        return false;
    selectRow(row);
    return true;
}

void MainWindow::selectRow(int row)
{
    if (row < 0 || row >= m_filter->rowCount())
        return;
    const QModelIndex index = m_filter->index(row, 0);
    m_queueView->selectionModel()->setCurrentIndex(
        index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_queueView->scrollTo(index);
}

void MainWindow::moveSelection(int delta)
{
    const int count = m_filter->rowCount();
    if (count == 0)
        return;
    const QModelIndex current = m_queueView->currentIndex();
    const int row = current.isValid() ? qBound(0, current.row() + delta, count - 1) : 0;
    selectRow(row);
}

void MainWindow::onCurrentRowChanged()
{
    showCurrent();
}

int MainWindow::currentQueueRow() const
{
    const QModelIndex current = m_queueView->currentIndex();
    return current.isValid() ? m_filter->queueRow(current.row()) : -1;
}

void MainWindow::clearDetail()
{
    m_detail->clearAction(m_filter->rowCount() == 0, m_filter->hiddenCount());
}

void MainWindow::onFlaggedOnlyToggled(bool on)
{
    const QString shown = m_detail->actionId();
    m_filter->setFlaggedOnly(on);
    QSettings().setValue(kFlaggedOnlyKey, on);
    // The action on the right stays if it is still listed; if the filter hid it, the most urgent
    // listed one takes its place, as after a decision: the detail never shows an unlisted action.
    if (!shown.isEmpty() && !selectAction(shown))
        selectMostUrgentOrClear();
    updateWidgets();
    if (m_queueView->currentIndex().isValid())
        m_queueView->scrollTo(m_queueView->currentIndex());
}

void MainWindow::selectMostUrgentOrClear()
{
    const int next = m_filter->mostUrgentDecidableRow();
    if (next >= 0) {
        selectRow(next);
        return;
    }
    m_queueView->selectionModel()->clearCurrentIndex();
    m_queueView->clearSelection();
    clearDetail();
}

void MainWindow::showCurrent()
{
    const int row = currentQueueRow();
    const protocol::ActionPending *frame = m_model->actionAt(row);
    if (!frame) {
        clearDetail();
        updateWidgets();
        return;
    }
    const QString id = frame->action.id;
    m_detail->showAction(*frame, m_model->approvedByAt(row));
    showEscalation(row);
    ActionDetailView::DecisionState state = ActionDetailView::DecisionState::Open;
    protocol::Verdict verdict = protocol::Verdict::Approve;
    for (const Request &request : std::as_const(m_requests)) {
        if (request.actionId == id) {
            state = ActionDetailView::DecisionState::Sending;
            verdict = request.verdict;
        }
    }
    if (m_recorded.contains(id)) {
        state = ActionDetailView::DecisionState::Recorded;
        verdict = m_recorded.value(id);
    }
    m_detail->setDecisionState(state, verdict);
    updateWidgets();
}

void MainWindow::onRowsRemoved()
{
    if (!m_selectNextAfterRemoval) {
        updateWidgets();
        return;
    }
    m_selectNextAfterRemoval = false;
    QWidget *focus = QApplication::focusWidget();
    const bool focusWasInDetail = !focus || m_detail->isAncestorOf(focus);
    selectMostUrgentOrClear();
    if (focusWasInDetail && isActiveWindow())
        m_queueView->setFocus(Qt::OtherFocusReason);
    updateWidgets();
}

void MainWindow::onRowsInserted()
{
    // Arrivals never move the selection; only an action lost in a reset is found again.
    if (!m_reselectId.isEmpty() && !m_queueView->currentIndex().isValid() && selectAction(m_reselectId))
        m_reselectId.clear();
    if (!m_queueView->currentIndex().isValid())
        clearDetail();
    updateWidgets();
}

void MainWindow::onModelAboutToBeReset()
{
    if (m_detail->hasAction())
        m_reselectId = m_detail->actionId();
}

void MainWindow::onModelReset()
{
    if (!m_reselectId.isEmpty() && selectAction(m_reselectId))
        m_reselectId.clear();
    else
        clearDetail();
    updateWidgets();
}

void MainWindow::onModelDataChanged(const QModelIndex &topLeft, const QModelIndex &bottomRight, const QList<int> &roles)
{
    // The queue's rows: the current one mapped through the filter.
    const int row = currentQueueRow();
    if (row < 0 || row < topLeft.row() || row > bottomRight.row())
        return;
    const protocol::ActionPending *frame = m_model->actionAt(row);
    if (!frame)
        return;
    if (topLeft.column() <= PendingQueueModel::Approvals && bottomRight.column() >= PendingQueueModel::Approvals)
        m_detail->setApprovals(frame->approvals, m_model->approvedByAt(row));
    if (roles.contains(PendingQueueModel::EscalatedToRole))
        showEscalation(row);
}

void MainWindow::showEscalation(int row)
{
    const QModelIndex index = m_model->index(row, 0);
    m_detail->setEscalation(index.data(PendingQueueModel::EscalatedToRole).toString(),
        index.data(PendingQueueModel::EscalatedAtRole).toDateTime());
}

void MainWindow::onStateChanged(GatewayConnection::State state, const QString &detail)
{
    m_statusLine->setConnectionState(state, detail);
    if (const GatewayConnection *connection = m_connection.data())
        m_statusLine->setGatewayUrl(connection->gatewayUrl());
    m_detail->setConnectionState(state);
    updateOfflineBanner();
    m_tray->setConnectionNote(state == GatewayConnection::State::Connected
            ? QString()
            : StatusLine::stateTitle(state) + QStringLiteral(". ") + StatusLine::stateConsequence(state));

    if (state != GatewayConnection::State::Connected && !m_requests.isEmpty()) {
        // The answers to these may never come: the item shows its true state after the replay.
        m_requests.clear();
        m_messageBar->showMessage(Semantic::Warning,
            QStringLiteral("The connection dropped before the gateway answered your decision"),
            QStringLiteral("When the connection is back, the action either leaves the queue "
                           "(it was recorded) or is still pending and can be decided again."));
        showCurrent();
    }
    if (state == GatewayConnection::State::Refused && (!m_key || !m_key->isUnlocked())) {
        // The sign-in needs the key: connect again as soon as it is unlocked.
        m_restartOnUnlock = true;
        m_messageBar->showMessage(Semantic::Warning, QStringLiteral("Not signed in: your key is locked"),
            QStringLiteral("Unlock it (Ctrl+U) and Countersign connects again. Until then pending actions will be "
                           "denied at their deadlines."));
    } else if (state == GatewayConnection::State::Refused) {
        m_messageBar->showMessage(Semantic::Danger,
            QStringLiteral("The gateway connection was refused; Countersign will not retry"),
            detail.isEmpty() ? QStringLiteral("Check the gateway address, its certificate fingerprint and that your "
                                              "key is enrolled, then restart the console.")
                             : detail);
    }
    updateWidgets();
}

void MainWindow::updateOfflineBanner()
{
    const GatewayConnection *connection = m_connection.data();
    const GatewayConnection::State state = connection ? connection->state() : GatewayConnection::State::Offline;
    // Refused has its own red message (the console will not retry); Connecting is the first try.
    const bool offline = state == GatewayConnection::State::Offline || state == GatewayConnection::State::Reconnecting;
    m_offlineBand->parentWidget()->setVisible(offline);
    if (!offline) {
        m_offlineTick.stop();
        return;
    }
    QString title;
    QString detail = QStringLiteral("Pending actions will be denied at their deadlines; nothing is approved while you "
                                    "are away. Decisions cannot be sent until the connection is back.");
    if (state == GatewayConnection::State::Reconnecting) {
        const qint64 ms = connection ? connection->msUntilRetry() : -1;
        title = ms > 0 ? QStringLiteral("Offline — reconnecting in %1 s").arg((ms + 999) / 1000)
                       : QStringLiteral("Offline — reconnecting now");
        m_offlineBand->setSemantic(Semantic::Warning);
        if (!m_offlineTick.isActive())
            m_offlineTick.start();
    } else {
        title = QStringLiteral("Offline — not connected to the gateway");
        detail += QStringLiteral(" Countersign is not trying to connect.");
        m_offlineBand->setSemantic(Semantic::Danger);
        m_offlineTick.stop();
    }
    m_offlineTitle->setText(title);
    m_offlineDetail->setText(detail);
    const QString why = connection ? connection->stateDetail() : QString();
    m_offlineBand->setToolTip(why.isEmpty() ? QString() : plainToolTip(QStringLiteral("Connection:"), why));
    m_offlineBand->setAccessibleDescription(offlineText());
}

QString MainWindow::offlineText() const
{
    if (m_offlineBand->parentWidget()->isHidden())
        return {};
    return m_offlineTitle->text() + QStringLiteral(". ") + m_offlineDetail->text();
}

void MainWindow::onHello(const protocol::Hello &hello)
{
    m_serverTime.sync(hello.serverTime);
    m_gatewayId = hello.gatewayId;
    m_reviewer = hello.reviewer;
    if (m_key && hello.reviewer != m_key->reviewerId()) {
        // The gateway enrolled this key under another name: decisions would be signed as one
        // reviewer and recorded as another. Say so; the gateway refuses them anyway.
        m_messageBar->showMessage(Semantic::Danger,
            QStringLiteral("The gateway signed you in as %1, but your key is %2's")
                .arg(displayText(hello.reviewer, 80), m_key->reviewerId()),
            QStringLiteral("Ask your gateway administrator to check the enrolment of key %1.").arg(m_key->keyId()));
    }
    m_role = hello.role;
    m_statusLine->setReviewer(hello.reviewer, hello.role);
    m_detail->setReviewer(hello.reviewer, hello.role);
    m_model->refreshCountdown();
}

void MainWindow::onSubscribed()
{
    // What was already pending when the console connected: show the most urgent of it rather
    // than an empty pane. Live arrivals later never change the selection.
    m_model->flushArrivals();
    if (!m_queueView->currentIndex().isValid() && m_filter->rowCount() > 0)
        selectRow(m_filter->mostUrgentDecidableRow());
}

void MainWindow::onActionResolved(const protocol::ActionResolved &frame)
{
    // Runs before the model removes the row (connected first). When the action on screen
    // goes, the next most urgent one is selected once the row is gone.
    const bool ours = m_recorded.contains(frame.actionId);
    m_recorded.remove(frame.actionId);
    const int row = m_model->rowOf(frame.actionId);
    // Only a listed row's removal reaches onRowsRemoved (the detail never shows another).
    if (row >= 0 && frame.actionId == m_detail->actionId() && m_filter->rowOf(frame.actionId) >= 0)
        m_selectNextAfterRemoval = true;
    if (ConfirmApprovalDialog *confirm = m_confirmDialog.data(); confirm && confirm->actionId() == frame.actionId) {
        confirm->reject();
        m_messageBar->showMessage(Semantic::Warning,
            QStringLiteral("%1 before you approved it; nothing was signed").arg(outcomeWords(frame.outcome)),
            row >= 0 && m_model->actionAt(row) ? actionSummary(m_model->actionAt(row)->action) : QString());
        return;
    }
    if (ours || row < 0 || frame.actionId != m_detail->actionId())
        return;
    // Someone else (or the deadline) resolved the action the reviewer is looking at.
    const protocol::ActionPending *pending = m_model->actionAt(row);
    const QString summary = pending ? actionSummary(pending->action) : QString();
    QString title = outcomeWords(frame.outcome);
    if (frame.outcome != protocol::Outcome::Expired && !frame.decidedBy.isEmpty())
        title += QStringLiteral(" by ") + displayText(frame.decidedBy, 80);
    title += QStringLiteral(" while you were reading it");
    m_messageBar->showMessage(frame.outcome == protocol::Outcome::Approved ? Semantic::Info : Semantic::Neutral, title,
        summary, kConfirmationMs);
}

void MainWindow::onDecisionRequested(
    const QString &actionId, const QByteArray &digest, protocol::Verdict verdict, const QString &reason)
{
    if (!m_connection)
        return;
    if (!m_key || !m_key->isUnlocked()) {
        m_messageBar->showMessage(Semantic::Warning,
            QStringLiteral("Your %1 was not signed: your key is locked").arg(verdictNoun(verdict)),
            refusalAdvice(QStringLiteral("key.locked")));
        return;
    }
    const protocol::ActionPending *frame = m_model->actionAt(m_model->rowOf(actionId));
    if (frame && verdict == protocol::Verdict::Approve
        && requiresDeliberateApproval(frame->action, m_deliberateCategories)) {
        openConfirmApproval(*frame, reason);
        return;
    }
    signAndSend(actionId, digest, verdict, reason);
}

void MainWindow::openConfirmApproval(const protocol::ActionPending &frame, const QString &reason)
{
    if (ConfirmApprovalDialog *open = m_confirmDialog.data()) {
        open->raise();
        open->activateWindow();
        return;
    }
    const Action &action = frame.action;
    QString why;
    if (action.impact.tier >= 4) {
        why = QStringLiteral("Tier 4 actions are approved deliberately.");
    } else {
        for (ImpactCategory category : action.impact.categories) {
            if (m_deliberateCategories.contains(category)) {
                why = QStringLiteral("%1 actions are approved deliberately.").arg(categoryTitle(category));
                break;
            }
        }
    }
    auto *dialog = new ConfirmApprovalDialog(action, actionSummary(action), why, keyFact(action), m_key, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    m_confirmDialog = dialog;
    const QString actionId = action.id;
    const QByteArray digest = frame.digest;
    connect(dialog, &QDialog::accepted, this,
        [this, actionId, digest, reason] { signAndSend(actionId, digest, protocol::Verdict::Approve, reason); });
    connect(dialog, &QDialog::rejected, this, [this, actionId] {
        if (m_model->rowOf(actionId) < 0 || !m_messageBar->isHidden())
            return; // said already (resolved, or the key locked)
        m_messageBar->showMessage(Semantic::Info, QStringLiteral("Approval cancelled; nothing was signed"),
            QStringLiteral("The action is still pending. Press A to approve it again, or D to deny it."),
            kConfirmationMs);
    });
    dialog->open();
}

void MainWindow::signAndSend(
    const QString &actionId, const QByteArray &digest, protocol::Verdict verdict, const QString &reason)
{
    if (!m_connection)
        return;
    const protocol::ActionPending *frame = m_model->actionAt(m_model->rowOf(actionId));
    if (!frame || frame->digest != digest) {
        m_messageBar->showMessage(Semantic::Info,
            QStringLiteral("Your %1 was not signed: the action is no longer pending").arg(verdictNoun(verdict)),
            displayText(actionId, 80), kConfirmationMs);
        return;
    }
    const QString summary = actionSummary(frame->action);

    decision::DecisionClaims claims;
    claims.actionId = actionId;
    claims.actionDigest = digest;
    claims.verdict = verdict;
    claims.reason = reason;
    // The audience is the gateway this session signed in to; an action naming another is refused there.
    claims.gatewayId = m_gatewayId.isEmpty() ? frame->action.gatewayId : m_gatewayId;
    claims.policyVersion = frame->action.policyVersion;
    Result<QByteArray> token = m_key ? m_key->signDecision(claims)
                                     : Result<QByteArray>(makeError(QStringLiteral("key.locked"), QStringLiteral("no key")));
    if (!token) {
        m_messageBar->showMessage(Semantic::Danger, QStringLiteral("Your %1 was not signed").arg(verdictNoun(verdict)),
            token.error().message + QStringLiteral(" (") + token.error().code + QStringLiteral("). ")
                + refusalAdvice(token.error().code));
        return;
    }

    protocol::Decision decision;
    decision.requestId = QStringLiteral("r-") + QUuid::createUuid().toString(QUuid::WithoutBraces);
    decision.actionId = actionId;
    decision.token = std::move(token).value();

    // Through the outbox, on this console's own record before it leaves.
    const Status sent = m_outbox ? m_outbox->send(decision, frame->action.deadline) : m_connection->sendDecision(decision);
    if (!sent) {
        m_messageBar->showMessage(Semantic::Danger, QStringLiteral("Your %1 was not sent").arg(verdictNoun(verdict)),
            sent.error().message + QStringLiteral(" (") + sent.error().code + QStringLiteral("). ")
                + refusalAdvice(sent.error().code));
        return;
    }
    m_requests.insert(decision.requestId, Request {actionId, verdict, summary});
    if (m_detail->actionId() == actionId)
        m_detail->setDecisionState(ActionDetailView::DecisionState::Sending, verdict);
    // A gateway that never answers must not leave the item stuck in "sending".
    QTimer::singleShot(kDecisionAnswerMs, this, [this, requestId = decision.requestId] {
        const auto it = m_requests.constFind(requestId);
        if (it == m_requests.constEnd())
            return;
        Request request = it.value(); // a copy: the entry is erased next
        m_requests.erase(it);
        m_messageBar->showMessage(Semantic::Warning,
            QStringLiteral("The gateway has not answered your %1").arg(verdictNoun(request.verdict)),
            QStringLiteral("If it was recorded, the action leaves the queue; if it is still pending, "
                           "decide it again before the deadline.\n")
                + request.summary);
        if (m_detail->actionId() == request.actionId)
            showCurrent();
    });
    updateWidgets();
}

void MainWindow::onDecisionResult(const protocol::DecisionResult &result)
{
    const auto it = m_requests.constFind(result.requestId);
    if (it == m_requests.constEnd())
        return; // not ours, or given up on when the connection dropped
    Request request = it.value(); // a copy: the entry is erased next
    m_requests.erase(it);

    if (result.accepted) {
        m_recorded.insert(request.actionId, request.verdict);
        const QString at = QLocale().toString(result.at.toLocalTime().time(), QStringLiteral("HH:mm:ss"));
        m_messageBar->showMessage(Semantic::Positive,
            QStringLiteral("%1, acknowledged by gateway at %2").arg(verdictPast(request.verdict), at), request.summary,
            kConfirmationMs);
        if (m_detail->actionId() == request.actionId)
            m_detail->setDecisionState(ActionDetailView::DecisionState::Recorded, request.verdict);
    } else {
        // Refusals that mean the signature or the content was tampered with, not a race or a role.
        static const QStringList alarms{QStringLiteral("decision.digest_mismatch"), QStringLiteral("decision.replayed"),
                                        QStringLiteral("decision.wrong_key"), QStringLiteral("decision.bad_signature"),
                                        QStringLiteral("decision.subject_mismatch"), QStringLiteral("decision.wrong_audience"),
                                        QStringLiteral("decision.action_mismatch"), QStringLiteral("decision.malformed")};
        const bool alarming = alarms.contains(result.code);
        m_messageBar->showMessage(alarming ? Semantic::Danger : Semantic::Warning,
            QStringLiteral("The gateway refused your %1: %2")
                .arg(verdictNoun(request.verdict), displayText(result.code, 64)),
            result.message + QStringLiteral("\n") + refusalAdvice(result.code) + QStringLiteral("\n")
                + request.summary);
        if (m_detail->actionId() == request.actionId)
            m_detail->setDecisionState(ActionDetailView::DecisionState::Open);
    }
    updateWidgets();
}

void MainWindow::onProtocolViolation(const Error &error)
{
    m_messageBar->showMessage(Semantic::Danger,
        QStringLiteral("The gateway sent something that breaks the protocol; it was not shown"), error.toString());
}

void MainWindow::setAuditWitness(AuditWitness *witness)
{
    connect(witness, &AuditWitness::alarmRaised, this, &MainWindow::showAuditAlarm);
    if (witness->alarm())
        showAuditAlarm(*witness->alarm());
}

void MainWindow::showAuditAlarm(const WitnessAlarm &alarm)
{
    m_auditAlarmTitle->setText(alarm.title);
    m_auditAlarmDetail->setText(alarm.detail);
    m_auditAlarmBand->setAccessibleDescription(alarm.title + QLatin1Char(' ') + alarm.detail);
    m_auditAlarmBand->parentWidget()->show();
}

void MainWindow::approve()
{
    if (!m_detail->hasAction())
        return;
    if (!m_detail->canApprove()) {
        m_messageBar->showMessage(Semantic::Info, QStringLiteral("This action cannot be approved now"),
            m_detail->effectText(), kConfirmationMs);
        return;
    }
    m_detail->armApprove();
}

void MainWindow::deny()
{
    if (!m_detail->hasAction())
        return;
    m_detail->armDeny();
    if (m_detail->armed() != ActionDetailView::Armed::Deny)
        m_messageBar->showMessage(Semantic::Info, QStringLiteral("This action cannot be denied now"),
            m_detail->effectText(), kConfirmationMs);
}

void MainWindow::confirm()
{
    if (!m_detail->hasAction())
        return;
    if (m_detail->armed() == ActionDetailView::Armed::None) {
        m_messageBar->showMessage(Semantic::Info, QStringLiteral("Nothing to confirm"),
            QStringLiteral("Press A to approve or D to deny first; then Ctrl+Enter confirms."), kConfirmationMs);
        return;
    }
    m_detail->confirmArmed();
}

void MainWindow::cancel()
{
    m_detail->cancelArmed();
    m_queueView->setFocus(Qt::ShortcutFocusReason);
}

void MainWindow::updateWidgets()
{
    // Every count outside the list is of every pending action: a filter never makes the work
    // look smaller than it is.
    const int count = m_model->rowCount();
    const int listed = m_filter->rowCount();
    const int hidden = m_filter->hiddenCount();
    const bool filtered = m_filter->flaggedOnly();
    m_statusLine->setPendingCount(count);
    QString countText;
    if (count == 0)
        countText = filtered ? QStringLiteral("nothing waiting · showing only Judge-flagged") : QStringLiteral("nothing waiting");
    else if (filtered && hidden == 0)
        countText = QStringLiteral("%1 Judge-flagged of %2 pending · none hidden").arg(listed).arg(count);
    else if (filtered)
        countText = QStringLiteral("%1 Judge-flagged of %2 pending · %3 hidden by filter").arg(listed).arg(count).arg(hidden);
    else if (m_model->flaggedFirst())
        countText = QStringLiteral("%1 · Judge-flagged first, then most urgent").arg(count);
    else
        countText = QStringLiteral("%1 · most urgent first").arg(count);
    m_queueCount->setText(countText);
    // Muted while it only counts; in plain text colour while it says work is hidden.
    m_queueCount->setForegroundRole(hidden > 0 ? QPalette::WindowText : QPalette::PlaceholderText);
    const QString description = filtered
        ? QStringLiteral("Only Judge-flagged actions, %1 of %2 pending; most urgent first").arg(listed).arg(count)
        : QStringLiteral("Most urgent first: earliest deadline, then highest tier");
    if (m_queueView->accessibleDescription() != description)
        m_queueView->setAccessibleDescription(description);
    const bool allHidden = listed == 0 && hidden > 0;
    if (allHidden)
        m_queueEmptyNote->setText(
            QStringLiteral("No Judge-flagged actions. %1 pending %2 hidden by the filter — press F to show %3.")
                .arg(hidden)
                .arg(hidden == 1 ? QStringLiteral("action is") : QStringLiteral("actions are"),
                    hidden == 1 ? QStringLiteral("it") : QStringLiteral("them")));
    m_queueEmptyNote->setVisible(allHidden);
    if (!m_detail->hasAction())
        clearDetail(); // the placeholder's counts follow the queue
    setWindowTitle(count == 0 ? QStringLiteral("Countersign") : QStringLiteral("Countersign — %1 pending").arg(count));

    // The queue's single-key commands act only while the queue is shown: in the audit view, A
    // must not arm an approval of an action nobody is looking at.
    const bool queueShown = !isAuditShown();
    const bool hasAction = m_detail->hasAction() && queueShown;
    m_nextAction->setEnabled(listed > 0 && queueShown);
    m_previousAction->setEnabled(listed > 0 && queueShown);
    // F, like the other single-key queue commands, only while the queue is shown.
    m_flaggedOnlyAction->setEnabled(queueShown);
    m_openAction->setEnabled(hasAction);
    m_approveAction->setEnabled(hasAction);
    m_denyAction->setEnabled(hasAction);
    m_confirmAction->setEnabled(hasAction);
    m_cancelAction->setEnabled(queueShown);

    const bool unlocked = m_key && m_key->isUnlocked();
    m_lockAction->setEnabled(unlocked);
    m_unlockAction->setEnabled(m_key && !unlocked);
    if (!unlocked) {
        QString title = QStringLiteral("Your key is locked — unlock to decide");
        if (m_key && m_key->lockReason() == ReviewerKey::LockReason::Idle)
            title = QStringLiteral("Locked after %1 idle — unlock to decide").arg(durationWords(m_key->idleTimeout()));
        else if (m_key && m_key->lockReason() == ReviewerKey::LockReason::Requested)
            title = QStringLiteral("Locked — unlock to decide");
        m_lockTitle->setText(title);
        m_lockDetail->setText(m_key ? QStringLiteral("Every decision is signed with your key (%1, fingerprint %2), so "
                                                     "none can be made while it is locked. Press Ctrl+U or Unlock. "
                                                     "Pending actions are still denied at their deadlines.")
                                          .arg(m_key->reviewerId(), m_key->fingerprint().left(14) + QStringLiteral("…"))
                                    : QStringLiteral("No reviewer key is loaded: nothing can be decided."));
        m_lockBand->setAccessibleDescription(lockText());
    }
    m_lockBand->parentWidget()->setVisible(!unlocked);
}

} // namespace countersign::ui
