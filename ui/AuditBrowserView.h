// The analyst's audit view: an audit log file opened read-only, its history newest first (paged
// in as the list scrolls, read off the GUI thread), filters for time, agent, user, reviewer,
// tool, outcome and Judge flag, full-text search, the selected entry as it was recorded, "Verify
// integrity" with progress and cancel, and export of the current filter as JSON Lines or CSV.
#pragma once

#include "core/audit/AuditExport.h"
#include "core/audit/AuditQuery.h"
#include "core/audit/AuditVerifier.h"
#include "core/crypto/Ed25519.h"

#include <memory>
#include <optional>

#include <QTimer>
#include <QWidget>

class QAction;
class QCheckBox;
class QComboBox;
class QDateTimeEdit;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSplitter;
class QTableView;
class QTableWidget;

namespace countersign {
class AuditHistoryModel;
class AuditLogReader;
class BackgroundJob;
struct AuditEntryDetail;
}

namespace countersign::ui {

class AuditEntryView;
class Band;
class MessageBar;

class AuditBrowserView final : public QWidget {
    Q_OBJECT

public:
    explicit AuditBrowserView(QWidget *parent = nullptr);
    ~AuditBrowserView() override;
    Q_DISABLE_COPY_MOVE(AuditBrowserView)

    // Opens path read-only; logOpened() or an inline error follows.
    void openLog(const QString &path);
    [[nodiscard]] QString logPath() const;
    // The gateway's checkpoint-signing key (the console's --gateway-key); without it,
    // "Verify integrity" checks checkpoint roots but not their signatures, and says so.
    void setGatewayKey(const std::optional<crypto::Ed25519PublicKey> &key) { m_gatewayKey = key; }

    // The commands (buttons, menu items and shortcuts call these; so do tests).
    void chooseLogFile();
    void verifyIntegrity();
    void chooseExportFile();
    // Writes the entries that pass the current filter to path, oldest first, on a worker thread.
    bool exportTo(const QString &path, audit::ExportFormat format);
    void cancelJob();
    void reload();
    void focusSearch();
    void focusList();
    // Selects the entry in the list if it is loaded, else shows it alone.
    void selectEntry(qint64 seq);

    // What the filter controls say now.
    [[nodiscard]] audit::BrowseFilter filterFromControls() const;
    [[nodiscard]] AuditHistoryModel *model() const { return m_model; }
    [[nodiscard]] QTableView *listView() const { return m_list; }
    [[nodiscard]] AuditEntryView *entryView() const { return m_entry; }
    [[nodiscard]] MessageBar *messageBar() const { return m_messageBar; }
    [[nodiscard]] bool isJobRunning() const;
    [[nodiscard]] const std::optional<audit::VerifyReport> &lastVerifyReport() const { return m_lastReport; }
    [[nodiscard]] QString verifyResultText() const;
    // Open, verify, export, search, reload: for a menu and the shortcuts dialog.
    [[nodiscard]] QList<QAction *> commandActions() const { return m_commands; }

Q_SIGNALS:
    void logOpened(const QString &path);
    void jobFinished();

protected:
    void hideEvent(QHideEvent *event) override;

private:
    enum class Job { None, Verify, Export };

    QWidget *buildHeader();
    QWidget *buildFilters();
    QWidget *buildJobPanel();
    QWidget *buildListPane();
    void createActions();
    void applyFilter();
    void updateWidgets();
    void updateStatus();
    void onOpened(const QString &path, qint64 entries, qint64 indexed);
    void onOpenFailed(const QString &path, const Error &error);
    void onFilterValues(const QStringList &agents, const QStringList &users, const QStringList &reviewers, const QStringList &tools);
    void onCurrentRowChanged();
    void requestEntry(qint64 seq);
    void onDetailReady(quint64 ticket, const AuditEntryDetail &detail);
    void onDetailFailed(quint64 ticket, const Error &error);
    void onJobProgress(qint64 done, qint64 total);
    void onJobFinished();
    void showVerifyResult(const Result<audit::VerifyReport> &result);
    void startJob(Job job, const QString &label);
    void saveSettings() const;
    void restoreSettings();

    AuditLogReader *m_reader = nullptr;
    AuditHistoryModel *m_model = nullptr;
    BackgroundJob *m_job = nullptr;
    Job m_jobKind = Job::None;
    std::shared_ptr<std::optional<Result<audit::VerifyReport>>> m_verifyResult;
    std::shared_ptr<std::optional<Result<qint64>>> m_exportResult;
    QString m_exportPath;
    std::optional<audit::VerifyReport> m_lastReport;
    std::optional<crypto::Ed25519PublicKey> m_gatewayKey;
    quint64 m_detailTicket = 0;
    qint64 m_entries = 0;
    QTimer m_searchDebounce;
    QString m_openingPath;

    QLabel *m_pathLabel = nullptr;
    QPushButton *m_openButton = nullptr;
    QPushButton *m_verifyButton = nullptr;
    QPushButton *m_exportButton = nullptr;
    QComboBox *m_timeRange = nullptr;
    QDateTimeEdit *m_since = nullptr;
    QDateTimeEdit *m_until = nullptr;
    QComboBox *m_agent = nullptr;
    QComboBox *m_user = nullptr;
    QComboBox *m_reviewer = nullptr;
    QComboBox *m_tool = nullptr;
    QComboBox *m_outcome = nullptr;
    QCheckBox *m_flagged = nullptr;
    QLineEdit *m_search = nullptr;
    MessageBar *m_messageBar = nullptr;
    QWidget *m_jobRow = nullptr;
    QLabel *m_jobLabel = nullptr;
    QProgressBar *m_jobProgress = nullptr;
    QPushButton *m_cancelButton = nullptr;
    Band *m_resultBand = nullptr;
    QLabel *m_resultTitle = nullptr;
    QLabel *m_resultDetail = nullptr;
    QPushButton *m_showBadEntry = nullptr;
    QTableWidget *m_checkpoints = nullptr;
    QSplitter *m_splitter = nullptr;
    QTableView *m_list = nullptr;
    QLabel *m_listStatus = nullptr;
    AuditEntryView *m_entry = nullptr;

    QList<QAction *> m_commands;
};

} // namespace countersign::ui
