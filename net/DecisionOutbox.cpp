// The decision outbox: journal first, then the socket; settle on the answer; resend once.
#include "net/DecisionOutbox.h"

#include "core/ServerTime.h"
#include "core/json/FieldReader.h"
#include "net/ConsoleJournal.h"
#include "net/GatewayConnection.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace countersign {

namespace {

const QString kSigned = QStringLiteral("decision.signed");
const QString kAnswered = QStringLiteral("decision.answered");
const QString kResent = QStringLiteral("decision.resent");
const QString kAbandoned = QStringLiteral("decision.abandoned");

QJsonObject payloadOf(const audit::AuditEntry &entry)
{
    return QJsonDocument::fromJson(entry.payload).object();
}

} // namespace

DecisionOutbox::DecisionOutbox(GatewayConnection &connection, ConsoleJournal &journal, const ServerTime &serverTime,
                               QObject *parent)
    : QObject(parent), m_connection(connection), m_journal(journal), m_serverTime(serverTime)
{
    connect(&connection, &GatewayConnection::subscribed, this, &DecisionOutbox::onSubscribed);
    connect(&connection, &GatewayConnection::decisionResult, this, &DecisionOutbox::onResult);
    load();
}

void DecisionOutbox::load()
{
    const QDateTime since = m_serverTime.clock().nowUtc().addSecs(-3600 * kLookBackHours);
    auto entries = m_journal.entriesSince({kSigned, kAnswered, kAbandoned}, since);
    if (!entries)
        return; // the journal said so itself (writeFailed); nothing to resend
    for (const audit::AuditEntry &entry : entries.value()) {
        const QJsonObject payload = payloadOf(entry);
        const QString requestId = payload.value(QStringLiteral("requestId")).toString();
        if (entry.kind == kSigned) {
            Entry pending;
            pending.decision.requestId = requestId;
            pending.decision.actionId = entry.subject;
            pending.decision.token = payload.value(QStringLiteral("token")).toString().toLatin1();
            pending.deadline = json::parseTimestamp(payload.value(QStringLiteral("deadline")).toString()).value_or(QDateTime());
            m_unsettled.insert(requestId, pending);
        } else {
            m_unsettled.remove(requestId);
        }
    }
}

Status DecisionOutbox::send(const protocol::Decision &decision, const QDateTime &deadline)
{
    if (m_connection.state() != GatewayConnection::State::Connected) {
        return makeError(QStringLiteral("connection.offline"),
                         tr("Not connected to the gateway: the decision was not signed off. The action will be denied "
                            "at its deadline unless it is decided after reconnecting."));
    }
    if (Status recorded = m_journal.record(kSigned, decision.actionId,
                                           {{QStringLiteral("requestId"), decision.requestId},
                                            {QStringLiteral("token"), QString::fromLatin1(decision.token)},
                                            {QStringLiteral("deadline"), json::formatTimestamp(deadline)}});
        !recorded) {
        return makeError(QStringLiteral("journal.unavailable"),
                         tr("this console could not record the decision in its journal %1 (%2: %3), so it was not sent")
                             .arg(m_journal.path(), recorded.error().code, recorded.error().message));
    }
    m_unsettled.insert(decision.requestId, Entry{decision, deadline});
    Status sent = m_connection.sendDecision(decision);
    if (!sent && sent.error().code == QLatin1String("connection.offline")) {
        // Dropped between the check and the write: it is in the outbox and goes out on the next
        // session, before its deadline.
        return {};
    }
    return sent;
}

void DecisionOutbox::onSubscribed()
{
    // Whatever is unsettled now was sent on an earlier connection, or by an earlier run; this
    // session sends it once.
    const QList<QString> ids = m_unsettled.keys();
    for (const QString &requestId : ids) {
        const Entry entry = m_unsettled.value(requestId);
        if (!entry.deadline.isValid() || m_serverTime.msUntil(entry.deadline) <= 0) {
            (void)m_journal.record(kAbandoned, entry.decision.actionId,
                                   {{QStringLiteral("requestId"), requestId},
                                    {QStringLiteral("reason"), QStringLiteral("the deadline passed before it could be resent")}});
            m_unsettled.remove(requestId);
            Q_EMIT abandoned(requestId, entry.decision.actionId);
            continue;
        }
        // On record before it goes out; if the journal cannot take it, the journal says so itself
        // and the decision still goes: a duplicate is harmless, a lost decision is not.
        (void)m_journal.record(kResent, entry.decision.actionId, {{QStringLiteral("requestId"), requestId}});
        if (m_connection.sendDecision(entry.decision))
            Q_EMIT resent(requestId, entry.decision.actionId);
    }
}

void DecisionOutbox::onResult(const protocol::DecisionResult &result)
{
    m_unsettled.remove(result.requestId);
}

} // namespace countersign
