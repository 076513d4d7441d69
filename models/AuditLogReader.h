// Reads an audit log off the GUI thread for the audit browser: one worker thread with its own
// read-only connection answers page, filter-list and detail requests in the order they were
// made, and the answers come back as signals on the thread that owns the reader. A page asked
// for by an older generation (the filter has changed since) is skipped or interrupted.
#pragma once

#include "core/Result.h"
#include "core/audit/AuditIndex.h"
#include "core/audit/AuditLog.h"
#include "core/audit/AuditQuery.h"
#include "core/audit/AuditVerifier.h"
#include "core/protocol/Protocol.h"

#include <atomic>
#include <memory>
#include <optional>

#include <QMutex>
#include <QObject>
#include <QStringList>

class QThread;

namespace countersign {

// Everything the detail pane shows about one entry, all read from the entries themselves.
struct AuditEntryDetail
{
    audit::AuditEntry entry;
    QByteArray prettyPayload;       // the payload, indented, for the raw view
    audit::IndexFields fields;      // derived from this entry (and its action's submission) now
    // The action as the reviewer saw it: from the action's submission.accepted entry.
    std::optional<protocol::ActionPending> action;
    qint64 submissionSeq = 0;
    QString actionProblem;          // why an entry about an action shows none
    // Decisions: the token checked against the reviewer keys this log enrols, for this action.
    std::optional<audit::DecisionSignature> signature;
    QList<audit::BrowseRow> history; // every entry about the same action, oldest first
    qint64 checkpointSize = 0;       // the first signed checkpoint that covers it; 0: none yet
};

class AuditLogReader final : public QObject
{
    Q_OBJECT

public:
    static constexpr int kMaxHistoryRows = 100;

    explicit AuditLogReader(QObject *parent = nullptr);
    ~AuditLogReader() override;
    Q_DISABLE_COPY_MOVE(AuditLogReader)

    // Opens path read-only (closing what was open): opened() or openFailed() answers.
    void open(const QString &path);
    [[nodiscard]] QString path() const { return m_path; }
    [[nodiscard]] bool isOpen() const { return !m_path.isEmpty(); }

    // Newest first, seq < beforeSeq (0: from the newest): pageReady() or pageFailed() answers,
    // unless a later generation has been asked for by then.
    void requestPage(quint64 generation, qint64 beforeSeq, int limit, const audit::BrowseFilter &filter);
    void requestFilterValues();
    void requestDetail(quint64 ticket, qint64 seq);

Q_SIGNALS:
    // indexed: how many of the entries the browse index covers (the list, filters and search
    // show those; the writer indexes the rest a moment after appending them).
    void opened(const QString &path, qint64 entries, qint64 indexed);
    void openFailed(const QString &path, const countersign::Error &error);
    void pageReady(quint64 generation, const QList<countersign::audit::BrowseRow> &rows, bool atEnd);
    void pageFailed(quint64 generation, const countersign::Error &error);
    void filterValuesReady(const QStringList &agents, const QStringList &users, const QStringList &reviewers,
                           const QStringList &tools);
    void detailReady(quint64 ticket, const countersign::AuditEntryDetail &detail);
    void detailFailed(quint64 ticket, const countersign::Error &error);

private:
    class Worker;

    // Runs work on the worker thread.
    template<typename Work> void post(Work &&work);

    QThread *m_thread = nullptr;
    Worker *m_worker = nullptr;
    QString m_path;
    std::atomic<quint64> m_latestGeneration{0};
    std::atomic<quint64> m_runningGeneration{0};
};

} // namespace countersign
