// The console's journal: batched records of what was shown, durable records of what was signed.
#include "net/ConsoleJournal.h"

#include "core/json/FieldReader.h"
#include "core/redaction/Redaction.h"
#include "net/GatewayConnection.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>

namespace countersign {

Result<std::unique_ptr<ConsoleJournal>> ConsoleJournal::open(const QString &path)
{
    const QFileInfo info(path);
    if (!QDir().mkpath(info.absolutePath()))
        return makeError(QStringLiteral("audit.unavailable"), QStringLiteral("cannot create %1").arg(info.absolutePath()));
    QFile::setPermissions(info.absolutePath(), QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    Result<std::unique_ptr<audit::AuditLog>> log = audit::AuditLog::open(info.absoluteFilePath());
    if (!log)
        return log.error();
    return std::unique_ptr<ConsoleJournal>(new ConsoleJournal(std::move(log).value()));
}

ConsoleJournal::ConsoleJournal(std::unique_ptr<audit::AuditLog> log)
    : m_log(std::move(log)), m_indexer(*m_log, kIndexDelayMs)
{
    m_batchTimer.setSingleShot(true);
    m_batchTimer.setInterval(kBatchMs);
    connect(&m_batchTimer, &QTimer::timeout, this, [this] { (void)flush(); });
}

ConsoleJournal::~ConsoleJournal()
{
    (void)flush();
    (void)m_indexer.catchUp(); // the last second's entries: the browse index is whole when closed
}

void ConsoleJournal::attach(GatewayConnection &connection)
{
    connect(&connection, &GatewayConnection::helloReceived, this, [this](const protocol::Hello &hello) {
        m_actor = hello.reviewer;
        m_gatewayId = hello.gatewayId;
    });
    connect(&connection, &GatewayConnection::actionPending, this, &ConsoleJournal::recordShown);
    connect(&connection, &GatewayConnection::decisionResult, this, [this](const protocol::DecisionResult &result) {
        queue(QStringLiteral("decision.answered"), result.actionId,
              {{QStringLiteral("requestId"), result.requestId},
               {QStringLiteral("status"), result.accepted ? QStringLiteral("accepted") : QStringLiteral("refused")},
               {QStringLiteral("code"), result.code},
               // The gateway's message can quote what it refused: redacted like any other text.
               {QStringLiteral("message"), redaction::redactText(result.message).text}});
    });
}

void ConsoleJournal::recordShown(const protocol::ActionPending &frame)
{
    // The action exactly as received, with the gateway's signature over its digest, is the
    // evidence of what was shown. The gateway redacted it already; should this console's rules
    // find more, only the redacted form is kept (the digest and signature then prove less).
    QList<redaction::Finding> findings;
    const QJsonObject shown = redaction::redactJson(frame.actionJson, &findings).toObject();
    QJsonObject payload{{QStringLiteral("gateway"), m_gatewayId},
                        {QStringLiteral("seq"), frame.seq},
                        {QStringLiteral("digest"), QString::fromLatin1(frame.digest)},
                        {QStringLiteral("signature"), QString::fromLatin1(frame.signature)},
                        {QStringLiteral("action"), shown}};
    if (!findings.isEmpty())
        payload.insert(QStringLiteral("redactedByConsole"), int(findings.size()));
    queue(QStringLiteral("action.shown"), frame.action.id, payload);
}

void ConsoleJournal::queue(const QString &kind, const QString &subject, const QJsonObject &payload)
{
    m_batch.append(audit::NewEntry{kind, m_actor, subject.left(audit::kMaxFieldBytes / 4), payload});
    if (!m_batchTimer.isActive())
        m_batchTimer.start();
}

Status ConsoleJournal::flush()
{
    m_batchTimer.stop();
    if (m_batch.isEmpty())
        return {};
    const QList<audit::NewEntry> batch = std::exchange(m_batch, {});
    Result<QList<audit::AuditEntry>> written = m_log->appendBatch(batch);
    if (!written) {
        Q_EMIT writeFailed(written.error());
        return written.error();
    }
    m_indexer.appended();
    return {};
}

Status ConsoleJournal::record(const QString &kind, const QString &subject, const QJsonObject &payload)
{
    queue(kind, subject, payload);
    return flush();
}

Result<std::optional<audit::AuditEntry>> ConsoleJournal::latest(const QString &kind, const QString &subject) const
{
    return m_log->latest(kind, subject);
}

Result<QList<audit::AuditEntry>> ConsoleJournal::entriesSince(const QStringList &kinds, const QDateTime &since)
{
    if (Status flushed = flush(); !flushed)
        return flushed.error();
    audit::EntryFilter filter;
    filter.kinds = kinds;
    filter.since = json::formatTimestamp(since);
    QList<audit::AuditEntry> all;
    qint64 after = 0;
    for (;;) {
        Result<QList<audit::AuditEntry>> page = m_log->entries(after, audit::kMaxPageSize, filter);
        if (!page)
            return page.error();
        all.append(page.value());
        if (page.value().size() < audit::kMaxPageSize)
            return all;
        after = page.value().constLast().seq;
    }
}

const QString &ConsoleJournal::path() const
{
    return m_log->path();
}

qint64 ConsoleJournal::size() const
{
    return m_log->size();
}

} // namespace countersign
