// The analyst's audit view.
#include "ui/AuditBrowserView.h"
#include "ui/PlainWidgets.h"

#include "core/audit/AuditIndex.h"
#include "core/audit/AuditLog.h"
#include "core/json/FieldReader.h"
#include "core/text/DisplayText.h"
#include "models/AuditHistoryModel.h"
#include "models/AuditLogReader.h"
#include "models/BackgroundJob.h"
#include "ui/AuditEntryView.h"
#include "ui/Band.h"
#include "ui/MessageBar.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QFileDialog>
#include <QFileInfo>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QSaveFile>
#include <QSettings>
#include <QSplitter>
#include <QTableView>
#include <QTableWidget>
#include <QToolButton>
#include <QVBoxLayout>

namespace countersign::ui {

namespace {

constexpr int kSearchDebounceMs = 300;
constexpr int kMaxCheckpointRows = 1000;
constexpr int kMaxComboChars = 60;

const QString kSplitterKey = QStringLiteral("auditBrowser/splitter");
const QString kHeaderKey = QStringLiteral("auditBrowser/listHeader");
const QString kLastDirKey = QStringLiteral("auditBrowser/lastDirectory");

enum TimeRange { AnyTime, LastHour, LastDay, LastWeek, LastMonth, CustomRange };

// A filter list: "Any …" first, then the values the log holds, shown escaped, kept raw as data.
QComboBox *filterCombo(QWidget *parent, const QString &objectName, const QString &accessibleName)
{
    auto *combo = new QComboBox(parent);
    combo->setObjectName(objectName);
    combo->setAccessibleName(accessibleName);
    combo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    combo->setMinimumContentsLength(12);
    combo->setMaxVisibleItems(24);
    return combo;
}

void fillCombo(QComboBox *combo, const QString &anyText, const QStringList &values)
{
    const QString current = combo->currentData().toString();
    const QSignalBlocker blocker(combo);
    combo->clear();
    combo->addItem(anyText, QString());
    for (const QString &value : values) {
        combo->addItem(displayText(value, kMaxComboChars), value);
        if (displayText(value, kMaxComboChars) != value)
            combo->setItemData(combo->count() - 1, plainToolTip(QStringLiteral("Value:"), value), Qt::ToolTipRole);
    }
    const int keep = combo->findData(current);
    combo->setCurrentIndex(keep >= 0 ? keep : 0);
}

QString number(qint64 value)
{
    return QLocale().toString(value);
}

} // namespace

AuditBrowserView::AuditBrowserView(QWidget *parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("auditBrowser"));
    setAccessibleName(QStringLiteral("Audit log"));

    m_reader = new AuditLogReader(this);
    m_model = new AuditHistoryModel(m_reader, this);
    m_job = new BackgroundJob(this);
    m_messageBar = new MessageBar(this);
    m_messageBar->setObjectName(QStringLiteral("auditMessageBar"));
    m_entry = new AuditEntryView(this);

    m_splitter = listAndDetail(this, QStringLiteral("auditSplitter"), buildListPane(), 6, m_entry, 5);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(buildHeader());
    layout->addWidget(buildFilters());
    layout->addWidget(m_messageBar);
    layout->addWidget(buildJobPanel());
    layout->addWidget(m_splitter, 1);

    createActions();

    connect(m_reader, &AuditLogReader::opened, this, &AuditBrowserView::onOpened);
    connect(m_reader, &AuditLogReader::openFailed, this, &AuditBrowserView::onOpenFailed);
    connect(m_reader, &AuditLogReader::filterValuesReady, this, &AuditBrowserView::onFilterValues);
    connect(m_reader, &AuditLogReader::detailReady, this, &AuditBrowserView::onDetailReady);
    connect(m_reader, &AuditLogReader::detailFailed, this, &AuditBrowserView::onDetailFailed);
    connect(m_model, &AuditHistoryModel::loadingChanged, this, &AuditBrowserView::updateStatus);
    connect(m_model, &AuditHistoryModel::pageLoaded, this, &AuditBrowserView::updateStatus);
    connect(m_model, &AuditHistoryModel::modelReset, this, [this] {
        m_entry->clear(QStringLiteral("No entry selected"), QStringLiteral("Select an entry in the list to see it as it was recorded."));
        updateStatus();
    });
    connect(m_model, &AuditHistoryModel::pageFailed, this, [this](const Error &error) {
        m_messageBar->showMessage(error.code == QLatin1String("audit.invalid_search") ? Semantic::Warning : Semantic::Danger,
                                  error.code == QLatin1String("audit.invalid_search") ? QStringLiteral("The search cannot be run")
                                                                                      : QStringLiteral("The log could not be read"),
                                  error.message + QStringLiteral(" (") + error.code + QLatin1Char(')'));
        updateStatus();
    });
    connect(m_entry, &AuditEntryView::entryRequested, this, &AuditBrowserView::selectEntry);
    connect(m_job, &BackgroundJob::progressed, this, &AuditBrowserView::onJobProgress);
    connect(m_job, &BackgroundJob::finished, this, &AuditBrowserView::onJobFinished);

    m_searchDebounce.setSingleShot(true);
    m_searchDebounce.setInterval(kSearchDebounceMs);
    connect(&m_searchDebounce, &QTimer::timeout, this, &AuditBrowserView::applyFilter);

    restoreSettings();
    m_entry->clear(QStringLiteral("No audit log open"),
                   QStringLiteral("Open an audit log file (Ctrl+O) to browse who approved what, what the Judge said and what "
                                  "the reviewer saw. The file is only read, never changed."));
    updateWidgets();
    updateStatus();
}

AuditBrowserView::~AuditBrowserView()
{
    m_job->cancel();
}

QWidget *AuditBrowserView::buildHeader()
{
    auto *header = new QWidget(this);
    header->setObjectName(QStringLiteral("auditHeader"));
    QLabel *title = plainLabel(header, {}, Selectable::No);
    title->setText(QStringLiteral("Audit log"));
    QFont titleFont = title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.15);
    titleFont.setWeight(QFont::DemiBold);
    title->setFont(titleFont);
    m_pathLabel = plainLabel(header, QStringLiteral("auditPathLabel"), Selectable::No);
    m_pathLabel->setForegroundRole(QPalette::PlaceholderText);
    m_pathLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_openButton = new QPushButton(QStringLiteral("Open audit log…"), header);
    m_openButton->setObjectName(QStringLiteral("openAuditLogButton"));
    m_openButton->setToolTip(QStringLiteral("Open an audit log file, read-only (Ctrl+O)"));
    m_verifyButton = new QPushButton(QStringLiteral("Verify integrity"), header);
    m_verifyButton->setObjectName(QStringLiteral("verifyButton"));
    m_verifyButton->setToolTip(QStringLiteral("Recompute the hash chain, the Merkle tree and every signature (Ctrl+Shift+V)"));
    m_exportButton = new QPushButton(QStringLiteral("Export…"), header);
    m_exportButton->setObjectName(QStringLiteral("exportButton"));
    m_exportButton->setToolTip(QStringLiteral("Export the entries that pass the filters as JSON Lines or CSV (Ctrl+Shift+E)"));
    for (QPushButton *button : {m_openButton, m_verifyButton, m_exportButton})
        button->setAutoDefault(false);
    connect(m_openButton, &QPushButton::clicked, this, &AuditBrowserView::chooseLogFile);
    connect(m_verifyButton, &QPushButton::clicked, this, &AuditBrowserView::verifyIntegrity);
    connect(m_exportButton, &QPushButton::clicked, this, &AuditBrowserView::chooseExportFile);

    auto *layout = new QHBoxLayout(header);
    layout->setContentsMargins(14, 10, 14, 4);
    layout->setSpacing(10);
    layout->addWidget(title);
    layout->addWidget(m_pathLabel, 1, Qt::AlignBaseline);
    layout->addWidget(m_openButton);
    layout->addWidget(m_verifyButton);
    layout->addWidget(m_exportButton);
    return header;
}

QWidget *AuditBrowserView::buildFilters()
{
    auto *bar = new QWidget(this);
    bar->setObjectName(QStringLiteral("auditFilters"));

    m_timeRange = filterCombo(bar, QStringLiteral("timeRangeCombo"), QStringLiteral("Time range"));
    m_timeRange->addItems({QStringLiteral("Any time"), QStringLiteral("Last hour"), QStringLiteral("Last 24 hours"),
                           QStringLiteral("Last 7 days"), QStringLiteral("Last 30 days"), QStringLiteral("Between…")});
    m_since = new QDateTimeEdit(QDateTime::currentDateTime().addDays(-7), bar);
    m_since->setObjectName(QStringLiteral("sinceEdit"));
    m_since->setAccessibleName(QStringLiteral("From (local time, inclusive)"));
    m_until = new QDateTimeEdit(QDateTime::currentDateTime().addSecs(3600), bar);
    m_until->setObjectName(QStringLiteral("untilEdit"));
    m_until->setAccessibleName(QStringLiteral("Until (local time, exclusive)"));
    for (QDateTimeEdit *edit : {m_since, m_until}) {
        edit->setCalendarPopup(true);
        edit->setDisplayFormat(QStringLiteral("yyyy-MM-dd HH:mm"));
        edit->setTimeSpec(Qt::LocalTime);
        edit->hide();
        connect(edit, &QDateTimeEdit::dateTimeChanged, this, [this] { m_searchDebounce.start(); });
    }
    m_agent = filterCombo(bar, QStringLiteral("agentCombo"), QStringLiteral("Agent"));
    m_user = filterCombo(bar, QStringLiteral("userCombo"), QStringLiteral("On behalf of (user)"));
    m_reviewer = filterCombo(bar, QStringLiteral("reviewerCombo"), QStringLiteral("Reviewer"));
    m_tool = filterCombo(bar, QStringLiteral("toolCombo"), QStringLiteral("Tool"));
    fillCombo(m_agent, QStringLiteral("Any agent"), {});
    fillCombo(m_user, QStringLiteral("Any user"), {});
    fillCombo(m_reviewer, QStringLiteral("Any reviewer"), {});
    fillCombo(m_tool, QStringLiteral("Any tool"), {});

    m_outcome = filterCombo(bar, QStringLiteral("outcomeCombo"), QStringLiteral("Outcome"));
    using namespace audit::outcome;
    const auto names = [](std::initializer_list<const char *> list) {
        QStringList out;
        for (const char *name : list)
            out.append(QLatin1String(name));
        return out;
    };
    m_outcome->addItem(QStringLiteral("Any outcome"), QStringList());
    for (const char *name : {kApproved, kDeniedByReviewer, kDeniedByTimeout, kRefusedByPolicy, kRefusedInvalid})
        m_outcome->addItem(audit::outcomeTitle(QLatin1String(name)), QStringList{QLatin1String(name)});
    m_outcome->addItem(QStringLiteral("Denied or refused (any)"),
                       names({kDeniedByReviewer, kDeniedByTimeout, kRefusedByPolicy, kRefusedInvalid}));
    for (const char *name : {kApprovalPartial, kPending, kAllowedByPolicy})
        m_outcome->addItem(audit::outcomeTitle(QLatin1String(name)), QStringList{QLatin1String(name)});

    m_flagged = new QCheckBox(QStringLiteral("Judge-flagged"), bar);
    m_flagged->setObjectName(QStringLiteral("flaggedCheckBox"));
    m_flagged->setAccessibleName(QStringLiteral("Only actions a Judge flagged"));
    m_flagged->setToolTip(QStringLiteral("Only entries about actions a Judge flagged"));

    m_search = new QLineEdit(bar);
    m_search->setObjectName(QStringLiteral("auditSearchEdit"));
    m_search->setAccessibleName(QStringLiteral("Search"));
    m_search->setPlaceholderText(QStringLiteral("Search parameters, reasons, rationales, ids… (Ctrl+F)"));
    m_search->setToolTip(QStringLiteral("Words and \"quoted phrases\" that must all occur; a word ending in * matches as a prefix"));
    m_search->setClearButtonEnabled(true);
    m_search->setMaxLength(int(audit::kMaxSearchChars));
    connect(m_search, &QLineEdit::textChanged, this, [this] { m_searchDebounce.start(); });
    connect(m_search, &QLineEdit::returnPressed, this, [this] {
        m_searchDebounce.stop();
        applyFilter();
    });

    connect(m_timeRange, &QComboBox::currentIndexChanged, this, [this](int index) {
        m_since->setVisible(index == CustomRange);
        m_until->setVisible(index == CustomRange);
        applyFilter();
    });
    for (QComboBox *combo : {m_agent, m_user, m_reviewer, m_tool, m_outcome})
        connect(combo, &QComboBox::currentIndexChanged, this, &AuditBrowserView::applyFilter);
    connect(m_flagged, &QCheckBox::toggled, this, &AuditBrowserView::applyFilter);

    auto *firstRow = new QHBoxLayout;
    firstRow->setSpacing(8);
    firstRow->addWidget(m_timeRange);
    firstRow->addWidget(m_since);
    firstRow->addWidget(m_until);
    firstRow->addWidget(m_agent);
    firstRow->addWidget(m_user);
    firstRow->addWidget(m_reviewer);
    firstRow->addWidget(m_tool);
    firstRow->addStretch(1);
    auto *secondRow = new QHBoxLayout;
    secondRow->setSpacing(8);
    secondRow->addWidget(m_outcome);
    secondRow->addWidget(m_flagged);
    secondRow->addWidget(m_search, 1);
    auto *layout = new QVBoxLayout(bar);
    layout->setContentsMargins(14, 4, 14, 8);
    layout->setSpacing(6);
    layout->addLayout(firstRow);
    layout->addLayout(secondRow);
    return bar;
}

QWidget *AuditBrowserView::buildJobPanel()
{
    auto *panel = new QWidget(this);
    panel->setObjectName(QStringLiteral("auditJobPanel"));

    m_jobRow = new QWidget(panel);
    m_jobLabel = plainLabel(m_jobRow, QStringLiteral("jobLabel"), Selectable::No);
    m_jobProgress = new QProgressBar(m_jobRow);
    m_jobProgress->setObjectName(QStringLiteral("jobProgress"));
    m_jobProgress->setAccessibleName(QStringLiteral("Progress"));
    m_jobProgress->setTextVisible(false);
    m_cancelButton = new QPushButton(QStringLiteral("Cancel"), m_jobRow);
    m_cancelButton->setObjectName(QStringLiteral("cancelJobButton"));
    m_cancelButton->setAutoDefault(false);
    connect(m_cancelButton, &QPushButton::clicked, this, &AuditBrowserView::cancelJob);
    auto *jobLayout = new QHBoxLayout(m_jobRow);
    jobLayout->setContentsMargins(0, 0, 0, 0);
    jobLayout->setSpacing(10);
    jobLayout->addWidget(m_jobLabel);
    jobLayout->addWidget(m_jobProgress, 1);
    jobLayout->addWidget(m_cancelButton);
    m_jobRow->hide();

    m_resultBand = new Band(Semantic::Neutral, panel);
    m_resultBand->setObjectName(QStringLiteral("verifyResultBand"));
    m_resultBand->setAccessibleName(QStringLiteral("Verification result"));
    m_resultTitle = plainLabel(m_resultBand, QStringLiteral("verifyResultTitle"), Selectable::No);
    QFont bold = m_resultTitle->font();
    bold.setWeight(QFont::DemiBold);
    m_resultTitle->setFont(bold);
    m_resultTitle->setWordWrap(true);
    m_resultDetail = plainLabel(m_resultBand, QStringLiteral("verifyResultDetail"), Selectable::No);
    m_resultDetail->setWordWrap(true);
    m_resultDetail->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_showBadEntry = new QPushButton(m_resultBand);
    m_showBadEntry->setObjectName(QStringLiteral("showBadEntryButton"));
    m_showBadEntry->setAutoDefault(false);
    connect(m_showBadEntry, &QPushButton::clicked, this, [this] {
        if (m_lastReport && m_lastReport->firstBadSeq > 0)
            selectEntry(m_lastReport->firstBadSeq);
    });
    auto *close = new QToolButton(m_resultBand);
    close->setObjectName(QStringLiteral("closeVerifyResultButton"));
    close->setAutoRaise(true);
    close->setText(QStringLiteral("✕"));
    close->setAccessibleName(QStringLiteral("Close the verification result"));
    connect(close, &QToolButton::clicked, m_resultBand, &QWidget::hide);
    m_checkpoints = new QTableWidget(0, 4, m_resultBand);
    m_checkpoints->setObjectName(QStringLiteral("checkpointTable"));
    m_checkpoints->setAccessibleName(QStringLiteral("Checkpoints"));
    m_checkpoints->setHorizontalHeaderLabels(
        {QStringLiteral("Tree size"), QStringLiteral("Root (as signed)"), QStringLiteral("Recomputed root"), QStringLiteral("Signature")});
    m_checkpoints->verticalHeader()->hide();
    m_checkpoints->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_checkpoints->verticalHeader()->setDefaultSectionSize(m_checkpoints->fontMetrics().height() + 6);
    m_checkpoints->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_checkpoints->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_checkpoints->setWordWrap(false);
    QHeaderView *checkpointColumns = m_checkpoints->horizontalHeader();
    checkpointColumns->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    checkpointColumns->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    checkpointColumns->setSectionResizeMode(1, QHeaderView::Stretch);
    checkpointColumns->setSectionResizeMode(2, QHeaderView::ResizeToContents);
    checkpointColumns->setSectionResizeMode(3, QHeaderView::ResizeToContents);
    m_checkpoints->setMaximumHeight(m_checkpoints->fontMetrics().height() * 8 + 24);
    m_checkpoints->setShowGrid(false);

    auto *titleRow = new QHBoxLayout;
    titleRow->addWidget(m_resultTitle, 1);
    titleRow->addWidget(m_showBadEntry);
    titleRow->addWidget(close, 0, Qt::AlignTop);
    auto *resultLayout = new QVBoxLayout(m_resultBand);
    resultLayout->setContentsMargins(14, 8, 8, 8);
    resultLayout->setSpacing(4);
    resultLayout->addLayout(titleRow);
    resultLayout->addWidget(m_resultDetail);
    resultLayout->addWidget(m_checkpoints);
    m_resultBand->hide();

    auto *layout = new QVBoxLayout(panel);
    layout->setContentsMargins(14, 0, 14, 6);
    layout->setSpacing(6);
    layout->addWidget(m_jobRow);
    layout->addWidget(m_resultBand);
    return panel;
}

QWidget *AuditBrowserView::buildListPane()
{
    auto *pane = new QWidget(this);
    m_list = new QTableView(pane);
    QTableView *view = m_list;
    view->setObjectName(QStringLiteral("auditListView"));
    view->setAccessibleName(QStringLiteral("Audit entries"));
    view->setAccessibleDescription(QStringLiteral("Newest first"));
    view->setModel(m_model);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setSelectionMode(QAbstractItemView::SingleSelection);
    view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    view->setTabKeyNavigation(false);
    view->setShowGrid(false);
    view->setWordWrap(false);
    view->setTextElideMode(Qt::ElideRight);
    view->setSortingEnabled(false); // newest first, from the index
    view->setCornerButtonEnabled(false);
    view->setFrameShape(QFrame::NoFrame);
    view->setHorizontalScrollMode(QAbstractItemView::ScrollPerPixel);
    view->setIconSize(QSize(10, 10));
    QHeaderView *rows = view->verticalHeader();
    rows->hide();
    rows->setSectionResizeMode(QHeaderView::Fixed); // the view never measures rows, however many
    rows->setDefaultSectionSize(view->fontMetrics().height() + 12);
    QHeaderView *columns = view->horizontalHeader();
    columns->setSectionsMovable(true);
    columns->setHighlightSections(false);
    columns->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    columns->setStretchLastSection(true);
    columns->setMinimumSectionSize(40);
    const QFontMetrics metrics = view->fontMetrics();
    const auto width = [&metrics](const QString &sample) { return metrics.horizontalAdvance(sample) + 18; };
    columns->resizeSection(AuditHistoryModel::Time, width(QStringLiteral("2026-03-02 09:41:17")));
    columns->resizeSection(AuditHistoryModel::Event, width(QStringLiteral("Denied by a reviewer")) + 14);
    columns->resizeSection(AuditHistoryModel::Actor, width(QStringLiteral("tess@example.com")));
    columns->resizeSection(AuditHistoryModel::Tool, width(QStringLiteral("payments.transfer")));
    columns->resizeSection(AuditHistoryModel::Agent, width(QStringLiteral("invoice-subagent")));
    columns->resizeSection(AuditHistoryModel::User, width(QStringLiteral("alice@example.com")));
    columns->resizeSection(AuditHistoryModel::Subject, width(QStringLiteral("act-4f2a9c1e")));
    connect(view->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &AuditBrowserView::onCurrentRowChanged);

    m_listStatus = plainLabel(pane, QStringLiteral("auditListStatus"), Selectable::No);
    m_listStatus->setForegroundRole(QPalette::PlaceholderText);
    m_listStatus->setContentsMargins(14, 4, 14, 6);

    auto *layout = new QVBoxLayout(pane);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(view, 1);
    layout->addWidget(m_listStatus);
    return pane;
}

void AuditBrowserView::createActions()
{
    const auto make = [this](const QString &text, const QKeySequence &key, const QString &name, auto slot) {
        auto *action = new QAction(text, this);
        action->setShortcut(key);
        action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        action->setObjectName(name);
        connect(action, &QAction::triggered, this, slot);
        addAction(action);
        m_commands.append(action);
        return action;
    };
    make(QStringLiteral("&Open audit log…"), QKeySequence(Qt::CTRL | Qt::Key_O), QStringLiteral("openAuditLogAction"),
         [this] { chooseLogFile(); });
    make(QStringLiteral("&Search the audit log"), QKeySequence(Qt::CTRL | Qt::Key_F), QStringLiteral("auditSearchAction"),
         [this] { focusSearch(); });
    make(QStringLiteral("&Verify integrity"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_V), QStringLiteral("verifyAction"),
         [this] { verifyIntegrity(); });
    make(QStringLiteral("&Export the filtered entries…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E), QStringLiteral("exportAction"),
         [this] { chooseExportFile(); });
    make(QStringLiteral("&Reload the audit log"), QKeySequence(Qt::Key_F5), QStringLiteral("reloadAuditAction"), [this] { reload(); });
    make(QStringLiteral("Show the &raw entry"), QKeySequence(Qt::CTRL | Qt::Key_R), QStringLiteral("rawEntryAction"),
         [this] { m_entry->showRaw(); });
}

QString AuditBrowserView::logPath() const
{
    return m_reader->path();
}

bool AuditBrowserView::isJobRunning() const
{
    return m_job->isRunning();
}

void AuditBrowserView::openLog(const QString &path)
{
    if (path.isEmpty())
        return;
    m_openingPath = path;
    m_messageBar->dismiss();
    m_pathLabel->setText(QStringLiteral("opening %1…").arg(displayText(QFileInfo(path).fileName(), 80)));
    m_reader->open(QFileInfo(path).absoluteFilePath());
}

void AuditBrowserView::onOpened(const QString &path, qint64 entries, qint64 indexed)
{
    m_entries = entries;
    m_pathLabel->setText(QStringLiteral("%1 · %2 entries · read-only").arg(displayText(QFileInfo(path).fileName(), 80), number(entries)));
    m_pathLabel->setToolTip(plainToolTip(QStringLiteral("Audit log file:"), path));
    m_resultBand->hide();
    if (indexed < entries) {
        // The list comes from the browse index, which its writer keeps a moment behind the log.
        m_messageBar->showMessage(
            Semantic::Info, QStringLiteral("The newest %1 entries are not in the list yet").arg(number(entries - indexed)),
            QStringLiteral("The browse index covers entries 1 to %1 of %2. The gateway (or console) that writes this log "
                           "indexes new entries within a second while it runs; press F5 to reload. Verify integrity "
                           "checks every entry, indexed or not.")
                .arg(number(indexed), number(entries)));
    }
    m_lastReport.reset();
    m_reader->requestFilterValues();
    m_model->setFilter(filterFromControls());
    m_entry->clear(QStringLiteral("No entry selected"), QStringLiteral("Select an entry in the list to see it as it was recorded."));
    updateWidgets();
    Q_EMIT logOpened(path);
}

void AuditBrowserView::onOpenFailed(const QString &path, const Error &error)
{
    m_pathLabel->setText(m_reader->isOpen() ? m_pathLabel->text() : QStringLiteral("no audit log open"));
    QString advice;
    if (error.code == QLatin1String("audit.foreign_file"))
        advice = QStringLiteral("Choose the gateway's audit.db (in its data directory).");
    else if (error.code == QLatin1String("audit.unsupported_version"))
        advice = QStringLiteral("It was written by another version of Countersign.");
    else if (error.code == QLatin1String("audit.corrupt"))
        advice = QStringLiteral("The file is damaged: countersign-audit verify names the first bad entry.");
    m_messageBar->showMessage(Semantic::Danger, QStringLiteral("The audit log could not be opened"),
                              error.message + QStringLiteral(" (") + error.code + QStringLiteral(")\n") + advice);
    Q_UNUSED(path);
    updateWidgets();
}

void AuditBrowserView::onFilterValues(const QStringList &agents, const QStringList &users, const QStringList &reviewers,
                                      const QStringList &tools)
{
    fillCombo(m_agent, QStringLiteral("Any agent"), agents);
    fillCombo(m_user, QStringLiteral("Any user"), users);
    fillCombo(m_reviewer, QStringLiteral("Any reviewer"), reviewers);
    fillCombo(m_tool, QStringLiteral("Any tool"), tools);
}

audit::BrowseFilter AuditBrowserView::filterFromControls() const
{
    audit::BrowseFilter filter;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    switch (m_timeRange->currentIndex()) {
    case LastHour:
        filter.since = json::formatTimestamp(now.addSecs(-3600));
        break;
    case LastDay:
        filter.since = json::formatTimestamp(now.addDays(-1));
        break;
    case LastWeek:
        filter.since = json::formatTimestamp(now.addDays(-7));
        break;
    case LastMonth:
        filter.since = json::formatTimestamp(now.addDays(-30));
        break;
    case CustomRange:
        filter.since = json::formatTimestamp(m_since->dateTime().toUTC());
        filter.until = json::formatTimestamp(m_until->dateTime().toUTC());
        break;
    default:
        break;
    }
    filter.agent = m_agent->currentData().toString();
    filter.user = m_user->currentData().toString();
    filter.reviewer = m_reviewer->currentData().toString();
    filter.tool = m_tool->currentData().toString();
    filter.outcomes = m_outcome->currentData().toStringList();
    filter.judgeFlagged = m_flagged->isChecked();
    filter.text = m_search->text().trimmed();
    return filter;
}

void AuditBrowserView::applyFilter()
{
    if (!m_reader->isOpen())
        return;
    const audit::BrowseFilter filter = filterFromControls();
    if (filter == m_model->filter() && m_model->hasLoadedFirstPage())
        return;
    if (const Result<QString> search = audit::searchQuery(filter.text); !search) {
        m_messageBar->showMessage(Semantic::Warning, QStringLiteral("The search cannot be run"), search.error().message);
        return;
    }
    if (m_messageBar->title() == QLatin1String("The search cannot be run"))
        m_messageBar->dismiss();
    m_model->setFilter(filter);
}

void AuditBrowserView::reload()
{
    if (m_reader->isOpen())
        openLog(m_reader->path()); // sees what was appended since, and new enrolments
}

void AuditBrowserView::focusSearch()
{
    m_search->setFocus(Qt::ShortcutFocusReason);
    m_search->selectAll();
}

void AuditBrowserView::focusList()
{
    m_list->setFocus(Qt::ShortcutFocusReason);
    if (!m_list->currentIndex().isValid() && m_model->rowCount() > 0)
        m_list->selectionModel()->setCurrentIndex(m_model->index(0, 0), QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
}

void AuditBrowserView::selectEntry(qint64 seq)
{
    const int row = m_model->rowOfSeq(seq);
    if (row < 0) {
        m_list->clearSelection();
        requestEntry(seq);
        return;
    }
    const QModelIndex index = m_model->index(row, 0);
    m_list->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_list->scrollTo(index);
}

void AuditBrowserView::onCurrentRowChanged()
{
    const QModelIndex current = m_list->currentIndex();
    const audit::BrowseRow *row = current.isValid() ? m_model->rowAt(current.row()) : nullptr;
    if (row)
        requestEntry(row->seq);
}

void AuditBrowserView::requestEntry(qint64 seq)
{
    ++m_detailTicket;
    m_entry->showLoading(seq);
    m_reader->requestDetail(m_detailTicket, seq);
}

void AuditBrowserView::onDetailReady(quint64 ticket, const AuditEntryDetail &detail)
{
    if (ticket == m_detailTicket)
        m_entry->showDetail(detail);
}

void AuditBrowserView::onDetailFailed(quint64 ticket, const Error &error)
{
    if (ticket == m_detailTicket)
        m_entry->showError(m_entry->seq(), error.message + QStringLiteral(" (") + error.code + QLatin1Char(')'));
}

void AuditBrowserView::updateStatus()
{
    QString text;
    const int rows = m_model->rowCount();
    if (!m_reader->isOpen())
        text = QStringLiteral("No audit log open");
    else if (m_model->isLoading() && rows == 0)
        text = QStringLiteral("Reading…");
    else if (rows == 0)
        text = m_model->filter().isEmpty() ? QStringLiteral("The log is empty") : QStringLiteral("No entries match these filters");
    else if (m_model->atEnd())
        text = QStringLiteral("%1 %2 · newest first · all shown").arg(number(rows), rows == 1 ? QStringLiteral("entry") : QStringLiteral("entries"));
    else
        text = QStringLiteral("%1 entries shown · newest first · %2")
                   .arg(number(rows), m_model->isLoading() ? QStringLiteral("reading more…") : QStringLiteral("scroll for more"));
    m_listStatus->setText(text);
}

void AuditBrowserView::updateWidgets()
{
    const bool open = m_reader->isOpen();
    const bool running = m_job->isRunning();
    m_verifyButton->setEnabled(open && !running);
    m_exportButton->setEnabled(open && !running);
    m_openButton->setEnabled(!running);
    for (QWidget *control : std::initializer_list<QWidget *>{m_timeRange, m_since, m_until, m_agent, m_user, m_reviewer, m_tool,
                                                             m_outcome, m_flagged, m_search})
        control->setEnabled(open);
    for (QAction *action : std::as_const(m_commands)) {
        const QString name = action->objectName();
        if (name == QLatin1String("verifyAction") || name == QLatin1String("exportAction"))
            action->setEnabled(open && !running);
        else if (name == QLatin1String("openAuditLogAction"))
            action->setEnabled(!running);
        else
            action->setEnabled(open);
    }
}

void AuditBrowserView::chooseLogFile()
{
    if (m_job->isRunning())
        return;
    QSettings settings;
    const QString path = QFileDialog::getOpenFileName(this, QStringLiteral("Open an audit log"),
                                                      settings.value(kLastDirKey).toString(),
                                                      QStringLiteral("Audit logs (*.db);;All files (*)"));
    if (path.isEmpty())
        return;
    settings.setValue(kLastDirKey, QFileInfo(path).absolutePath());
    openLog(path);
}

void AuditBrowserView::startJob(Job job, const QString &label)
{
    m_jobKind = job;
    m_jobLabel->setText(label);
    m_jobProgress->setRange(0, 0);
    m_jobRow->show();
    m_resultBand->hide();
    m_cancelButton->setEnabled(true);
}

void AuditBrowserView::verifyIntegrity()
{
    if (!m_reader->isOpen() || m_job->isRunning())
        return;
    const QString path = m_reader->path();
    const std::optional<crypto::Ed25519PublicKey> gatewayKey = m_gatewayKey;
    auto result = std::make_shared<std::optional<Result<audit::VerifyReport>>>();
    m_verifyResult = result;
    startJob(Job::Verify, QStringLiteral("Verifying the log…"));
    m_job->start([path, gatewayKey, result](BackgroundJob &job) {
        audit::VerifyOptions options;
        options.gatewayKey = gatewayKey;
        // Decision signatures against the keys the log enrols itself: those that are there must
        // verify; decisions by reviewers from the policy file are counted as not checked.
        audit::AuditLog::Options readOnly;
        readOnly.readOnly = true;
        if (auto log = audit::AuditLog::open(path, readOnly); log) {
            if (auto keys = audit::reviewerKeysFromLog(*log.value()); keys && !keys.value().isEmpty()) {
                options.reviewers = keys.value();
                options.reviewersComplete = false;
            }
        }
        options.progress = [&job](qint64 done, qint64 total) { return job.report(done, total); };
        *result = audit::verifyLog(path, options);
    });
    updateWidgets();
}

void AuditBrowserView::chooseExportFile()
{
    if (!m_reader->isOpen() || m_job->isRunning())
        return;
    QSettings settings;
    const QString jsonl = QStringLiteral("JSON Lines (*.jsonl)");
    const QString csv = QStringLiteral("CSV (*.csv)");
    QString chosenFilter = jsonl;
    const QString suggested = QFileInfo(settings.value(kLastDirKey).toString(), QStringLiteral("audit-export.jsonl")).filePath();
    QString path = QFileDialog::getSaveFileName(this, QStringLiteral("Export the filtered entries"), suggested,
                                                jsonl + QStringLiteral(";;") + csv, &chosenFilter);
    if (path.isEmpty())
        return;
    const bool isCsv = chosenFilter == csv || path.endsWith(QLatin1String(".csv"), Qt::CaseInsensitive);
    if (QFileInfo(path).suffix().isEmpty())
        path += isCsv ? QStringLiteral(".csv") : QStringLiteral(".jsonl");
    settings.setValue(kLastDirKey, QFileInfo(path).absolutePath());
    exportTo(path, isCsv ? audit::ExportFormat::Csv : audit::ExportFormat::JsonLines);
}

bool AuditBrowserView::exportTo(const QString &path, audit::ExportFormat format)
{
    if (!m_reader->isOpen() || m_job->isRunning())
        return false;
    const QString logPath = m_reader->path();
    const audit::BrowseFilter filter = m_model->filter();
    auto result = std::make_shared<std::optional<Result<qint64>>>();
    m_exportResult = result;
    m_exportPath = path;
    startJob(Job::Export, QStringLiteral("Exporting…"));
    m_job->start([logPath, filter, path, format, result](BackgroundJob &job) {
        audit::AuditLog::Options readOnly;
        readOnly.readOnly = true;
        Result<std::unique_ptr<audit::AuditLog>> log = audit::AuditLog::open(logPath, readOnly);
        if (!log) {
            *result = log.error();
            return;
        }
        // Written whole or not at all: a cancelled or failed export leaves no partial file.
        QSaveFile file(path);
        if (!file.open(QIODevice::WriteOnly)) {
            *result = makeError(QStringLiteral("audit.export_failed"), QStringLiteral("%1: %2").arg(path, file.errorString()));
            return;
        }
        const audit::AuditLog &source = *log.value();
        Result<qint64> written = audit::exportEntries(
            format, [&source, &filter](qint64 after) { return source.matching(after, audit::kExportPageSize, filter); },
            [&file](const QByteArray &bytes) { return file.write(bytes) == bytes.size(); },
            [&job](qint64 done) { return job.report(done, 0); });
        if (written && !file.commit())
            written = makeError(QStringLiteral("audit.export_failed"), QStringLiteral("%1: %2").arg(path, file.errorString()));
        if (!written)
            file.cancelWriting();
        *result = written;
    });
    updateWidgets();
    return true;
}

void AuditBrowserView::cancelJob()
{
    if (!m_job->isRunning())
        return;
    m_job->cancel();
    m_cancelButton->setEnabled(false);
    m_jobLabel->setText(QStringLiteral("Cancelling…"));
}

void AuditBrowserView::onJobProgress(qint64 done, qint64 total)
{
    if (m_jobKind == Job::Verify) {
        if (total > 0) {
            m_jobProgress->setRange(0, 1000);
            m_jobProgress->setValue(int(std::min<qint64>(1000, done * 1000 / total)));
            m_jobLabel->setText(QStringLiteral("Verifying: %1 of %2 entries").arg(number(done), number(total)));
        }
    } else if (m_jobKind == Job::Export) {
        m_jobLabel->setText(QStringLiteral("Exporting: %1 entries written").arg(number(done)));
    }
}

QString AuditBrowserView::verifyResultText() const
{
    if (m_resultBand->isHidden())
        return {};
    return m_resultTitle->text() + QLatin1Char('\n') + m_resultDetail->text();
}

void AuditBrowserView::showVerifyResult(const Result<audit::VerifyReport> &result)
{
    m_checkpoints->setRowCount(0);
    m_checkpoints->hide();
    m_showBadEntry->hide();
    if (!result) {
        m_lastReport.reset();
        m_resultBand->setSemantic(Semantic::Danger);
        m_resultTitle->setText(QStringLiteral("The log could not be verified"));
        m_resultDetail->setText(displayText(result.error().message, 600) + QStringLiteral(" (") + result.error().code + QLatin1Char(')'));
        m_resultBand->show();
        return;
    }
    const audit::VerifyReport &report = result.value();
    m_lastReport = report;
    QStringList lines;
    if (report.cancelled) {
        m_resultBand->setSemantic(Semantic::Neutral);
        m_resultTitle->setText(QStringLiteral("Verification cancelled after %1 entries: nothing is concluded").arg(number(report.entriesChecked)));
    } else if (report.ok) {
        m_resultBand->setSemantic(Semantic::Positive);
        m_resultTitle->setText(QStringLiteral("Intact: %1 entries verified").arg(number(report.entriesChecked)));
        lines.append(QStringLiteral("Hash chain and every leaf hash recomputed; root %1.").arg(QString::fromLatin1(report.root.toHex())));
        lines.append(QStringLiteral("%1 checkpoint(s) and %2 decision signature(s) verified.")
                         .arg(report.checkpointsChecked)
                         .arg(number(report.decisionsChecked)));
    } else {
        m_resultBand->setSemantic(Semantic::Danger);
        const QString where = report.firstBadSeq > 0 ? QStringLiteral("entry %1").arg(report.firstBadSeq) : QStringLiteral("the file");
        m_resultTitle->setText(QStringLiteral("Verification failed at %1 (%2)").arg(where, report.code));
        lines.append(displayText(report.reason, 600));
        lines.append(QStringLiteral("Entries before it verified: %1.").arg(number(report.entriesChecked)));
        if (report.firstBadSeq > 0) {
            m_showBadEntry->setText(QStringLiteral("Show entry %1").arg(report.firstBadSeq));
            m_showBadEntry->show();
        }
    }
    for (const QString &missing : report.notChecked)
        lines.append(QStringLiteral("Not checked: %1.").arg(missing));
    m_resultDetail->setText(lines.join(QLatin1Char('\n')));

    // Each checkpoint reached: the last ones, where a failure would be.
    using Signature = audit::CheckpointResult::Signature;
    const qsizetype first = std::max<qsizetype>(0, report.checkpoints.size() - kMaxCheckpointRows);
    for (qsizetype i = report.checkpoints.size() - 1; i >= first; --i) {
        const audit::CheckpointResult &checkpoint = report.checkpoints.at(i);
        const int row = m_checkpoints->rowCount();
        m_checkpoints->insertRow(row);
        const auto item = [](const QString &text, Semantic semantic = Semantic::Neutral) {
            auto *cell = new QTableWidgetItem(text);
            if (semantic != Semantic::Neutral)
                cell->setForeground(semanticColor(semantic, QGuiApplication::palette()));
            return cell;
        };
        auto *size = item(number(checkpoint.size));
        size->setToolTip(plainToolTip(QStringLiteral("Root hash (hex):"), QString::fromLatin1(checkpoint.root.toHex())));
        m_checkpoints->setItem(row, 0, size);
        m_checkpoints->setItem(row, 1, item(QString::fromLatin1(checkpoint.root.toHex())));
        m_checkpoints->setItem(row, 2, checkpoint.rootMatches ? item(QStringLiteral("matches"), Semantic::Positive)
                                                              : item(QStringLiteral("DIFFERS"), Semantic::Danger));
        m_checkpoints->setItem(row, 3, checkpoint.signature == Signature::Verified ? item(QStringLiteral("verified"), Semantic::Positive)
                                           : checkpoint.signature == Signature::Invalid
                                           ? item(QStringLiteral("INVALID"), Semantic::Danger)
                                           : item(QStringLiteral("not checked (no gateway key)")));
    }
    m_checkpoints->setVisible(m_checkpoints->rowCount() > 0);
    m_resultBand->show();
}

void AuditBrowserView::onJobFinished()
{
    const Job finished = m_jobKind;
    m_jobKind = Job::None;
    m_jobRow->hide();
    if (finished == Job::Verify && m_verifyResult && m_verifyResult->has_value()) {
        showVerifyResult(**m_verifyResult);
    } else if (finished == Job::Export && m_exportResult && m_exportResult->has_value()) {
        const Result<qint64> &written = **m_exportResult;
        if (written) {
            m_messageBar->showMessage(Semantic::Positive, QStringLiteral("Exported %1 entries").arg(number(written.value())),
                                      m_exportPath, 20'000);
        } else if (written.error().code == QLatin1String("audit.cancelled")) {
            m_messageBar->showMessage(Semantic::Info, QStringLiteral("Export cancelled; no file was written"), m_exportPath, 20'000);
        } else {
            m_messageBar->showMessage(Semantic::Danger, QStringLiteral("The export failed; no file was written"),
                                      written.error().message + QStringLiteral(" (") + written.error().code + QLatin1Char(')'));
        }
    }
    updateWidgets();
    Q_EMIT jobFinished();
}

void AuditBrowserView::saveSettings() const
{
    QSettings settings;
    settings.setValue(kSplitterKey, m_splitter->saveState());
    settings.setValue(kHeaderKey, m_list->horizontalHeader()->saveState());
}

void AuditBrowserView::restoreSettings()
{
    const QSettings settings;
    const QByteArray splitter = settings.value(kSplitterKey).toByteArray();
    if (splitter.isEmpty() || !m_splitter->restoreState(splitter))
        m_splitter->setSizes({620, 440});
    const QByteArray header = settings.value(kHeaderKey).toByteArray();
    if (!header.isEmpty()) {
        QHeaderView *columns = m_list->horizontalHeader();
        if (!columns->restoreState(header) || columns->count() != AuditHistoryModel::ColumnCount)
            columns->reset();
    }
}

void AuditBrowserView::hideEvent(QHideEvent *event)
{
    saveSettings();
    QWidget::hideEvent(event);
}

} // namespace countersign::ui
