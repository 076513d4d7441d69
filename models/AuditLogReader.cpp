// The audit browser's reader thread.
#include "models/AuditLogReader.h"

#include "core/audit/AuditIndex.h"
#include "core/crypto/Digest.h"
#include "core/json/Json.h"

#include <algorithm>
#include <limits>

#include <QJsonDocument>
#include <QMutexLocker>
#include <QThread>

namespace countersign {

namespace {

Result<QJsonObject> payloadObject(const audit::AuditEntry &entry)
{
    json::Limits limits;
    limits.maxBytes = audit::kMaxPayloadBytes;
    limits.maxDepth = 64;
    const Result<QJsonValue> parsed = json::parse(entry.payload, limits);
    if (!parsed)
        return parsed.error();
    if (!parsed.value().isObject())
        return makeError(QStringLiteral("audit.entry_invalid"), QStringLiteral("entry %1: the payload is not a JSON object").arg(entry.seq));
    return parsed.value().toObject();
}

QStringList valuesOr(const Result<QStringList> &values)
{
    return values ? values.value() : QStringList();
}

bool interrupted(const Error &error)
{
    return error.message.contains(QLatin1String("interrupt"));
}

} // namespace

class AuditLogReader::Worker final : public QObject
{
public:
    // Used on the worker thread only, except that interrupt() may be called under the mutex.
    std::unique_ptr<audit::AuditLog> log;
    QMutex mutex;
    QHash<QString, audit::EnrolledReviewer> reviewers;

    Result<AuditEntryDetail> detail(qint64 seq) const
    {
        const Result<audit::AuditEntry> entry = log->entry(seq);
        if (!entry)
            return entry.error();
        AuditEntryDetail detail;
        detail.entry = entry.value();
        const Result<QJsonObject> payload = payloadObject(entry.value());
        if (!payload)
            return payload.error();
        detail.prettyPayload = QJsonDocument(payload.value()).toJson(QJsonDocument::Indented);

        // The action's submission: what the reviewer was shown, and what decisions name.
        const audit::AuditEntry &shown = entry.value();
        std::optional<audit::AuditEntry> submission;
        if (shown.kind == QLatin1String("submission.accepted")) {
            submission = shown;
        } else if (!shown.subject.isEmpty()
                   && (shown.kind.startsWith(QLatin1String("decision.")) || shown.kind.startsWith(QLatin1String("action."))
                       || shown.kind.startsWith(QLatin1String("submission.")))) {
            const Result<audit::AuditEntry> found = log->submissionOf(shown.subject);
            if (found)
                submission = found.value();
            else if (found.error().code == QLatin1String("audit.not_found"))
                detail.actionProblem = QStringLiteral("This log has no submission of action %1, so what the reviewer saw cannot be shown.")
                                           .arg(shown.subject.left(128));
            else
                return found.error();
        }
        std::optional<audit::IndexFields> submitted;
        QByteArray digest;
        if (submission) {
            detail.submissionSeq = submission->seq;
            const Result<QJsonObject> submittedPayload = payloadObject(*submission);
            if (!submittedPayload)
                return submittedPayload.error();
            submitted = audit::deriveIndexFields(submission->kind, submission->actor, submission->subject, submittedPayload.value(), nullptr);
            const QJsonObject actionJson = submittedPayload.value().value(QStringLiteral("action")).toObject();
            digest = crypto::sha256Hex(json::canonicalize(actionJson));
            const Result<Action> action = audit::actionFromRecordedJson(actionJson);
            if (action) {
                protocol::ActionPending frame;
                frame.seq = submission->seq;
                frame.action = action.value();
                frame.actionJson = actionJson;
                frame.digest = digest;
                frame.approvals = payload.value().value(QStringLiteral("approvals")).toInt();
                detail.action = frame;
            } else {
                detail.actionProblem = QStringLiteral("The action in entry %1 cannot be read (%2), so it is not shown.")
                                           .arg(submission->seq)
                                           .arg(action.error().message);
            }
        }
        detail.fields = audit::deriveIndexFields(shown.kind, shown.actor, shown.subject, payload.value(),
                                                 submission && submission->seq != shown.seq ? &*submitted : nullptr);

        if (shown.kind.startsWith(QLatin1String("decision.")) && payload.value().value(QStringLiteral("token")).isString())
            detail.signature = audit::checkDecisionSignature(payload.value(), reviewers, shown.subject, digest);

        detail.checkpointSize = [&] {
            const Result<qint64> size = log->firstCheckpointCovering(seq);
            return size ? size.value() : qint64{0};
        }();
        if (!detail.fields.actionId.isEmpty()) {
            audit::BrowseFilter about;
            about.actionId = detail.fields.actionId;
            const Result<QList<audit::BrowseRow>> history = log->browse(0, kMaxHistoryRows, about);
            if (history) {
                detail.history = history.value();
                std::reverse(detail.history.begin(), detail.history.end());
            }
        }
        return detail;
    }
};

template<typename Work> void AuditLogReader::post(Work &&work)
{
    QMetaObject::invokeMethod(m_worker, std::forward<Work>(work), Qt::QueuedConnection);
}

AuditLogReader::AuditLogReader(QObject *parent) : QObject(parent)
{
    m_thread = new QThread(this);
    m_thread->setObjectName(QStringLiteral("audit-reader"));
    m_worker = new Worker;
    m_worker->moveToThread(m_thread);
    m_thread->start();
}

AuditLogReader::~AuditLogReader()
{
    m_latestGeneration = std::numeric_limits<quint64>::max(); // whatever is queued is stale now
    {
        QMutexLocker lock(&m_worker->mutex);
        if (m_worker->log)
            m_worker->log->interrupt();
    }
    m_thread->quit();
    m_thread->wait();
    delete m_worker; // its thread has stopped
}

void AuditLogReader::open(const QString &path)
{
    post([this, path] {
        audit::AuditLog::Options options;
        options.readOnly = true;
        Result<std::unique_ptr<audit::AuditLog>> log = audit::AuditLog::open(path, options);
        if (!log) {
            const Error error = log.error();
            QMetaObject::invokeMethod(this, [this, path, error] { Q_EMIT openFailed(path, error); }, Qt::QueuedConnection);
            return;
        }
        // The keys the log enrols itself; decisions by others show as "key not in this log".
        const Result<QList<audit::EnrolledReviewer>> keys = audit::reviewerKeysFromLog(*log.value());
        const qint64 size = log.value()->size();
        const Result<qint64> indexedSize = log.value()->indexedSize();
        const qint64 indexed = indexedSize ? indexedSize.value() : 0;
        {
            QMutexLocker lock(&m_worker->mutex);
            m_worker->log = std::move(log).value();
            m_worker->reviewers = audit::reviewersByKeyId(keys ? keys.value() : QList<audit::EnrolledReviewer>{});
        }
        QMetaObject::invokeMethod(
            this,
            [this, path, size, indexed] {
                m_path = path;
                Q_EMIT opened(path, size, indexed);
            },
            Qt::QueuedConnection);
    });
}

void AuditLogReader::requestPage(quint64 generation, qint64 beforeSeq, int limit, const audit::BrowseFilter &filter)
{
    m_latestGeneration = generation;
    // A page still being read for an older filter is abandoned.
    const quint64 running = m_runningGeneration;
    if (running != 0 && running < generation) {
        QMutexLocker lock(&m_worker->mutex);
        if (m_worker->log)
            m_worker->log->interrupt();
    }
    limit = std::clamp(limit, 1, audit::kMaxPageSize - 1);
    post([this, generation, beforeSeq, limit, filter] {
        if (generation < m_latestGeneration || !m_worker->log)
            return;
        m_runningGeneration = generation;
        // One more than asked for tells whether this is the last page.
        Result<QList<audit::BrowseRow>> page = m_worker->log->browse(beforeSeq, limit + 1, filter);
        if (!page && interrupted(page.error()) && generation == m_latestGeneration)
            page = m_worker->log->browse(beforeSeq, limit + 1, filter); // interrupted meant for another
        m_runningGeneration = 0;
        if (generation < m_latestGeneration)
            return;
        if (!page) {
            const Error error = page.error();
            QMetaObject::invokeMethod(this, [this, generation, error] { Q_EMIT pageFailed(generation, error); }, Qt::QueuedConnection);
            return;
        }
        QList<audit::BrowseRow> rows = std::move(page).value();
        const bool atEnd = rows.size() <= limit;
        if (!atEnd)
            rows.removeLast();
        QMetaObject::invokeMethod(
            this, [this, generation, rows, atEnd] { Q_EMIT pageReady(generation, rows, atEnd); }, Qt::QueuedConnection);
    });
}

void AuditLogReader::requestFilterValues()
{
    post([this] {
        if (!m_worker->log)
            return;
        const audit::AuditLog &log = *m_worker->log;
        const QStringList agents = valuesOr(log.distinctValues(audit::BrowseField::Agent));
        const QStringList users = valuesOr(log.distinctValues(audit::BrowseField::User));
        const QStringList reviewers = valuesOr(log.distinctValues(audit::BrowseField::Reviewer));
        const QStringList tools = valuesOr(log.distinctValues(audit::BrowseField::Tool));
        QMetaObject::invokeMethod(
            this, [this, agents, users, reviewers, tools] { Q_EMIT filterValuesReady(agents, users, reviewers, tools); },
            Qt::QueuedConnection);
    });
}

void AuditLogReader::requestDetail(quint64 ticket, qint64 seq)
{
    post([this, ticket, seq] {
        if (!m_worker->log)
            return;
        Result<AuditEntryDetail> detail = m_worker->detail(seq);
        if (!detail) {
            const Error error = detail.error();
            QMetaObject::invokeMethod(this, [this, ticket, error] { Q_EMIT detailFailed(ticket, error); }, Qt::QueuedConnection);
            return;
        }
        QMetaObject::invokeMethod(
            this, [this, ticket, detail = std::move(detail).value()] { Q_EMIT detailReady(ticket, detail); }, Qt::QueuedConnection);
    });
}

} // namespace countersign
