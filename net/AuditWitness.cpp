// Witnessing the gateway's checkpoints: verify, ask for a proof, verify it, keep the evidence.
#include "net/AuditWitness.h"

#include "core/redaction/Redaction.h"
#include "core/text/DisplayText.h"
#include "net/ConsoleJournal.h"
#include "net/GatewayConnection.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QUuid>

namespace countersign {

namespace {

// Text the gateway chose (or a parser's message quoting what it sent), made fit for the alarm's
// plain-text detail: credentials redacted, invisible characters shown, at most 300 characters.
QString gatewayText(const QString &text)
{
    return displayText(redaction::redactText(text).text, 300);
}

QJsonArray proofJson(const QList<QByteArray> &proof)
{
    QJsonArray hashes;
    for (const QByteArray &hash : proof)
        hashes.append(QString::fromLatin1(hash.toBase64()));
    return hashes;
}

} // namespace

AuditWitness::AuditWitness(GatewayConnection &connection, ConsoleJournal &journal, crypto::Ed25519PublicKey gatewayKey,
                           QObject *parent)
    : QObject(parent), m_connection(connection), m_journal(journal), m_gatewayKey(std::move(gatewayKey))
{
    qRegisterMetaType<WitnessAlarm>();
    connect(&connection, &GatewayConnection::helloReceived, this, &AuditWitness::onHello);
    connect(&connection, &GatewayConnection::auditCheckpoint, this, &AuditWitness::onCheckpoint);
    connect(&connection, &GatewayConnection::consistencyProof, this, &AuditWitness::onProof);
    connect(&connection, &GatewayConnection::consistencyProofRefused, this, &AuditWitness::onProofRefused);
}

QString AuditWitness::origin() const
{
    return QStringLiteral("countersign/") + m_gatewayId;
}

void AuditWitness::onHello(const protocol::Hello &hello)
{
    if (hello.gatewayId == m_gatewayId && m_last)
        return;
    m_gatewayId = hello.gatewayId;
    m_last.reset();
    m_waiting.reset();
    // The last checkpoint witnessed for this gateway, from the journal: verified again rather
    // than trusted, as anything read back from a file.
    auto entry = m_journal.latest(QString::fromLatin1(kWitnessed), origin());
    if (!entry || !entry.value())
        return;
    const QJsonObject payload = QJsonDocument::fromJson(entry.value()->payload).object();
    auto held = audit::readSignedCheckpoint(payload.value(QStringLiteral("note")).toString().toUtf8(), origin(), m_gatewayKey);
    if (held)
        m_last = std::move(held).value();
}

void AuditWitness::onCheckpoint(const protocol::AuditCheckpoint &frame)
{
    if (m_alarm || m_gatewayId.isEmpty())
        return; // the evidence of the first problem is kept; nothing later can clear it
    auto next = audit::readSignedCheckpoint(frame.note, origin(), m_gatewayKey);
    if (!next) {
        raise(QStringLiteral("audit.bad_checkpoint"),
              tr("The gateway sent an audit checkpoint that does not verify"),
              tr("%1 (%2). A checkpoint must be signed by the pinned gateway key for the log %3.")
                  .arg(gatewayText(next.error().message), next.error().code, origin()),
              {{QStringLiteral("note"), QString::fromUtf8(frame.note)}, {QStringLiteral("error"), next.error().code}});
        return;
    }
    judge(next.value(), std::nullopt);
}

void AuditWitness::judge(const audit::WitnessedCheckpoint &next, const std::optional<QList<QByteArray>> &proof)
{
    const audit::WitnessVerdict verdict = audit::witness(m_last, next, proof);
    switch (verdict.step) {
    case audit::WitnessStep::Accept:
        accept(next, proof.value_or(QList<QByteArray>{}));
        return;
    case audit::WitnessStep::Same:
        return;
    case audit::WitnessStep::NeedProof: {
        protocol::ProveConsistency request;
        request.requestId = QStringLiteral("p-") + QUuid::createUuid().toString(QUuid::WithoutBraces);
        request.first = m_last->checkpoint.size;
        request.second = next.checkpoint.size;
        if (m_connection.requestConsistencyProof(request)) {
            m_waiting = next;
            m_requestId = request.requestId;
        }
        // Not sent (offline): the next checkpoint after reconnecting asks again.
        return;
    }
    case audit::WitnessStep::Inconsistent: {
        QJsonObject evidence{{QStringLiteral("witnessedNote"), QString::fromUtf8(m_last->note)},
                             {QStringLiteral("newNote"), QString::fromUtf8(next.note)},
                             {QStringLiteral("reason"), verdict.reason}};
        if (proof)
            evidence.insert(QStringLiteral("proof"), proofJson(*proof));
        raise(QStringLiteral("audit.inconsistent"),
              tr("The gateway's audit history was rewritten"),
              tr("Its checkpoint of %1 entries does not extend the checkpoint of %2 entries this console "
                 "witnessed. %3. The signed checkpoints%4 are kept as evidence in %5. Do not rely on this "
                 "gateway's audit trail; tell your security team.")
                  .arg(next.checkpoint.size)
                  .arg(m_last->checkpoint.size)
                  .arg(verdict.reason, proof ? tr(" and the gateway's proof") : QString(), m_journal.path()),
              evidence);
        return;
    }
    }
}

void AuditWitness::onProof(const protocol::ConsistencyProof &frame)
{
    if (m_alarm || frame.requestId != m_requestId || !m_waiting || !m_last)
        return; // an answer to a request a newer checkpoint replaced
    const audit::WitnessedCheckpoint next = *std::exchange(m_waiting, std::nullopt);
    m_requestId.clear();
    if (frame.first != m_last->checkpoint.size || frame.second != next.checkpoint.size) {
        raise(QStringLiteral("audit.unproven"), tr("The gateway answered with a proof for other tree sizes"),
              tr("Asked for %1 to %2 entries, it proved %3 to %4.")
                  .arg(m_last->checkpoint.size)
                  .arg(next.checkpoint.size)
                  .arg(frame.first)
                  .arg(frame.second),
              {{QStringLiteral("witnessedNote"), QString::fromUtf8(m_last->note)},
               {QStringLiteral("newNote"), QString::fromUtf8(next.note)},
               {QStringLiteral("first"), frame.first},
               {QStringLiteral("second"), frame.second}});
        return;
    }
    judge(next, frame.proof);
}

void AuditWitness::onProofRefused(const QString &requestId, const Error &error)
{
    if (m_alarm || requestId != m_requestId || !m_waiting)
        return;
    const audit::WitnessedCheckpoint next = *std::exchange(m_waiting, std::nullopt);
    m_requestId.clear();
    if (error.code == QLatin1String("connection.lost"))
        return; // asked again with the checkpoint that follows the next subscribe
    raise(QStringLiteral("audit.unproven"),
          tr("The gateway would not prove its audit history"),
          tr("Asked to prove that its log of %1 entries extends the %2 entries this console witnessed, it "
             "answered %3: %4")
              .arg(next.checkpoint.size)
              .arg(m_last ? m_last->checkpoint.size : 0)
              .arg(gatewayText(error.code), gatewayText(error.message)),
          {{QStringLiteral("witnessedNote"), m_last ? QString::fromUtf8(m_last->note) : QString()},
           {QStringLiteral("newNote"), QString::fromUtf8(next.note)},
           {QStringLiteral("error"), error.code}});
}

void AuditWitness::accept(const audit::WitnessedCheckpoint &next, const QList<QByteArray> &proof)
{
    const qint64 previous = m_last ? m_last->checkpoint.size : 0;
    m_last = next;
    // A journal that cannot take it says so itself (writeFailed); the check goes on in memory.
    (void)m_journal.record(QString::fromLatin1(kWitnessed), origin(),
                           {{QStringLiteral("note"), QString::fromUtf8(next.note)},
                            {QStringLiteral("size"), next.checkpoint.size},
                            {QStringLiteral("root"), QString::fromLatin1(next.checkpoint.rootHash.toHex())},
                            {QStringLiteral("previousSize"), previous},
                            {QStringLiteral("proof"), proofJson(proof)}});
    Q_EMIT witnessed(next.checkpoint.size);
}

void AuditWitness::raise(const QString &code, const QString &title, const QString &detail, const QJsonObject &evidence)
{
    QJsonObject payload = evidence;
    payload.insert(QStringLiteral("code"), code);
    const QString kind = QString::fromLatin1(code == QLatin1String("audit.inconsistent") ? kInconsistent : kRejected);
    (void)m_journal.record(kind, origin(), payload);
    m_alarm = WitnessAlarm{code, title, detail};
    Q_EMIT alarmRaised(*m_alarm);
}

} // namespace countersign
