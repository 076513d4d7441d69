// Secure WebSocket link to the gateway: pinned certificate, bearer auth, resume, backoff.
#include "net/WebSocketGatewayConnection.h"

#include <utility>

#include <QNetworkRequest>
#include <QRandomGenerator>
#include <QSslConfiguration>
#include <QSslError>

namespace countersign {

WebSocketGatewayConnection::WebSocketGatewayConnection(ConnectionSettings settings, QObject *parent)
    : GatewayConnection(parent), m_settings(std::move(settings))
{
    m_reconnectTimer.setSingleShot(true);
    connect(&m_reconnectTimer, &QTimer::timeout, this, &WebSocketGatewayConnection::openSocket);
}

WebSocketGatewayConnection::~WebSocketGatewayConnection()
{
    m_stopped = true;
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
        delete m_socket;
    }
}

QString WebSocketGatewayConnection::gatewayUrl() const
{
    return m_settings.url.toString(QUrl::RemoveUserInfo);
}

void WebSocketGatewayConnection::start()
{
    if (!m_stopped)
        return;
    m_stopped = false;
    m_attempt = 0;
    if (m_settings.pinnedSha256.size() != 64) {
        refuse(tr("No valid certificate fingerprint is configured for %1. Start the console with "
                  "--pin and the fingerprint the gateway printed.")
                   .arg(gatewayUrl()));
        return;
    }
    auto gatewayKey = crypto::Ed25519PublicKey::fromRaw(m_settings.gatewayPublicKey);
    if (!gatewayKey) {
        m_gatewayKey.reset();
        refuse(tr("No valid gateway signing key is configured for %1, so no action could be trusted. "
                  "Start the console with --gateway-key and the public key the gateway printed.")
                   .arg(gatewayUrl()));
        return;
    }
    m_gatewayKey = std::move(gatewayKey).value();
    setState(State::Connecting, tr("Connecting to %1").arg(gatewayUrl()));
    openSocket();
}

void WebSocketGatewayConnection::stop()
{
    m_stopped = true;
    m_reconnectTimer.stop();
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
        m_socket->deleteLater();
    }
    m_live = false;
    setState(State::Offline, tr("Disconnected"));
}

void WebSocketGatewayConnection::simulateNetworkDrop()
{
    if (m_socket)
        m_socket->abort();
}

void WebSocketGatewayConnection::openSocket()
{
    if (m_stopped)
        return;
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
        m_socket->deleteLater();
    }
    m_live = false;
    auto *socket = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);
    m_socket = socket;
    socket->setMaxAllowedIncomingMessageSize(static_cast<quint64>(protocol::kMaxServerFrameBytes));
    socket->setMaxAllowedIncomingFrameSize(static_cast<quint64>(protocol::kMaxServerFrameBytes));
    connect(socket, &QWebSocket::connected, this, &WebSocketGatewayConnection::onConnected);
    connect(socket, &QWebSocket::disconnected, this, &WebSocketGatewayConnection::onDisconnected);
    connect(socket, &QWebSocket::sslErrors, this, &WebSocketGatewayConnection::onSslErrors);
    connect(socket, &QWebSocket::textMessageReceived, this, &WebSocketGatewayConnection::onTextMessage);
    connect(socket, &QWebSocket::binaryMessageReceived, this, [this] {
        Q_EMIT protocolViolation(makeError(QStringLiteral("frame.binary"),
                                           tr("The gateway sent a binary frame; v1 is text only.")));
    });

    m_sessionEnd.clear();
    socket->open(QNetworkRequest(m_settings.url));
}

QSslCertificate WebSocketGatewayConnection::peerCertificate() const
{
    return m_socket ? m_socket->sslConfiguration().peerCertificate() : QSslCertificate();
}

void WebSocketGatewayConnection::onSslErrors(const QList<QSslError> &errors)
{
    if (!m_socket)
        return;
    // During the handshake QWebSocket may not expose the peer certificate yet; the errors
    // carry it.
    QSslCertificate peer = peerCertificate();
    if (peer.isNull() && !errors.isEmpty())
        peer = errors.first().certificate();
    if (!matchesPin(peer, m_settings.pinnedSha256)) {
        refuse(tr("The gateway at %1 presented a certificate with fingerprint %2, but %3 is pinned. "
                  "The connection was refused: the certificate changed or someone is in between. "
                  "Check with the gateway administrator before pinning a new fingerprint.")
                   .arg(gatewayUrl(), displayFingerprint(certificateFingerprint(peer)),
                        displayFingerprint(m_settings.pinnedSha256)));
        return;
    }
    if (!pinForgivesAll(errors)) {
        QStringList texts;
        for (const QSslError &error : errors)
            texts.append(error.errorString());
        refuse(tr("TLS error from %1: %2").arg(gatewayUrl(), texts.join(QStringLiteral("; "))));
        return;
    }
    m_socket->ignoreSslErrors(errors);
}

void WebSocketGatewayConnection::onConnected()
{
    // A certificate that chains to a trusted CA raises no sslErrors, so the pin is checked
    // again here: only the pinned gateway is ever talked to.
    if (m_settings.url.scheme() == QLatin1String("wss") && !matchesPin(peerCertificate(), m_settings.pinnedSha256)) {
        refuse(tr("The gateway at %1 presented certificate %2, which is not the pinned %3.")
                   .arg(gatewayUrl(), displayFingerprint(certificateFingerprint(peerCertificate())),
                        displayFingerprint(m_settings.pinnedSha256)));
        return;
    }
    m_attempt = 0;
    // State becomes Connected once hello and subscribe have happened.
}

void WebSocketGatewayConnection::onDisconnected()
{
    // Unanswered proof requests die with the connection; the next checkpoint asks again.
    const QSet<QString> unanswered = std::exchange(m_proofRequests, {});
    for (const QString &requestId : unanswered) {
        Q_EMIT consistencyProofRefused(requestId, makeError(QStringLiteral("connection.lost"),
                                                            tr("the connection closed before the proof arrived")));
    }
    if (m_stopped || m_state == State::Refused)
        return;
    m_live = false;
    QString reason = m_socket ? m_socket->closeReason() : QString();
    if (m_socket && m_socket->closeCode() == QWebSocketProtocol::CloseCodePolicyViolated) {
        refuse(tr("The gateway refused this console: %1").arg(reason.isEmpty() ? tr("not authorised") : reason.left(200)));
        return;
    }
    scheduleReconnect();
    if (!m_sessionEnd.isEmpty()) {
        // Say why the session ended, not merely that the connection did.
        setState(State::Reconnecting, tr("%1 Signing in again.").arg(m_sessionEnd));
    }
}

void WebSocketGatewayConnection::scheduleReconnect()
{
    // Exponential backoff with full jitter, so a restarted gateway is not hit by every console
    // at the same instant.
    const int ceiling = std::min(m_settings.maxBackoffMs, m_settings.initialBackoffMs << std::min(m_attempt, 16));
    const int delay = m_settings.initialBackoffMs / 2
                      + static_cast<int>(QRandomGenerator::global()->bounded(std::max(1, ceiling)));
    ++m_attempt;
    m_reconnectTimer.start(delay); // first, so that msUntilRetry() is right for the state change
    setState(State::Reconnecting,
             tr("Connection to %1 lost; retrying in %2 s. Pending actions will be denied at their "
                "deadlines.")
                 .arg(gatewayUrl())
                 .arg((delay + 999) / 1000));
}

qint64 WebSocketGatewayConnection::msUntilRetry() const
{
    return m_reconnectTimer.isActive() ? m_reconnectTimer.remainingTime() : -1;
}

void WebSocketGatewayConnection::refuse(const QString &detail)
{
    m_reconnectTimer.stop();
    m_live = false;
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
        m_socket->deleteLater();
    }
    setState(State::Refused, detail);
}

void WebSocketGatewayConnection::setState(State state, const QString &detail)
{
    if (m_state == state && m_detail == detail)
        return;
    m_state = state;
    m_detail = detail;
    Q_EMIT stateChanged(state, detail);
}

void WebSocketGatewayConnection::onTextMessage(const QString &message)
{
    auto frame = protocol::parseServerFrame(message.toUtf8());
    if (!frame) {
        Q_EMIT protocolViolation(frame.error());
        return;
    }
    handleFrame(frame.value());
}

void WebSocketGatewayConnection::signIn(const protocol::Challenge &challenge)
{
    if (!m_settings.signIn) {
        refuse(tr("No reviewer key is configured: this console cannot sign in."));
        return;
    }
    auth::SignInClaims claims;
    claims.gatewayId = challenge.gatewayId;
    claims.nonce = challenge.nonce;
    if (m_settings.url.scheme() == QLatin1String("wss")) {
        // RFC 5929 tls-server-end-point: the certificate this connection actually presented.
        // A relay terminating TLS shows us another one, and the gateway refuses the binding.
        claims.channelBindingType = QLatin1String(auth::kChannelBindingServerEndPoint);
        claims.channelBinding = auth::serverEndPointBinding(peerCertificate().toDer());
    } else {
        claims.channelBindingType = QLatin1String(auth::kChannelBindingNone);
    }
    auto token = m_settings.signIn(claims);
    if (!token) {
        refuse(token.error().code == QLatin1String("key.locked")
                   ? tr("The reviewer key is locked: unlock it to sign in to %1.").arg(gatewayUrl())
                   : tr("Cannot sign in to %1: %2").arg(gatewayUrl(), token.error().message));
        return;
    }
    m_socket->sendTextMessage(QString::fromUtf8(protocol::serialize(protocol::ClientFrame{protocol::SignIn{token.value()}})));
}

void WebSocketGatewayConnection::handleFrame(const protocol::ServerFrame &frame)
{
    if (const auto *challenge = std::get_if<protocol::Challenge>(&frame)) {
        signIn(*challenge);
        return;
    }
    if (const auto *hello = std::get_if<protocol::Hello>(&frame)) {
        if (hello->protocolVersion != protocol::kVersion) {
            refuse(tr("The gateway speaks protocol %1; this console speaks %2.")
                       .arg(hello->protocolVersion)
                       .arg(protocol::kVersion));
            return;
        }
        // A different gateway (or one whose store was replaced) shares no sequence numbers with
        // what we hold: start over from a snapshot.
        if (!m_gatewayId.isEmpty() && hello->gatewayId != m_gatewayId)
            m_lastSeq = 0;
        if (hello->head < m_lastSeq)
            m_lastSeq = 0;
        m_gatewayId = hello->gatewayId;
        Q_EMIT helloReceived(*hello);
        if (m_lastSeq == 0)
            Q_EMIT resyncStarted();
        m_socket->sendTextMessage(QString::fromUtf8(protocol::serialize(protocol::ClientFrame{protocol::Subscribe{m_lastSeq}})));
        return;
    }
    if (const auto *pending = std::get_if<protocol::ActionPending>(&frame)) {
        m_lastSeq = std::max(m_lastSeq, pending->seq);
        // Only an action the pinned gateway key signed becomes a queue item; anything else is
        // an alarm. (start() refuses to connect without a key, so m_gatewayKey is set here.)
        const Status signedByGateway = m_gatewayKey
            ? protocol::verifyActionSignature(*pending, *m_gatewayKey)
            : Status(makeError(QStringLiteral("action.wrong_key"), tr("no gateway key is configured")));
        if (!signedByGateway) {
            Q_EMIT protocolViolation(signedByGateway.error());
            return;
        }
        Q_EMIT actionPending(*pending);
        return;
    }
    if (const auto *updated = std::get_if<protocol::ActionUpdated>(&frame)) {
        m_lastSeq = std::max(m_lastSeq, updated->seq);
        Q_EMIT actionUpdated(*updated);
        return;
    }
    if (const auto *resolved = std::get_if<protocol::ActionResolved>(&frame)) {
        m_lastSeq = std::max(m_lastSeq, resolved->seq);
        Q_EMIT actionResolved(*resolved);
        return;
    }
    if (const auto *escalated = std::get_if<protocol::ActionEscalated>(&frame)) {
        m_lastSeq = std::max(m_lastSeq, escalated->seq);
        Q_EMIT actionEscalated(*escalated);
        return;
    }
    if (const auto *subscribedFrame = std::get_if<protocol::Subscribed>(&frame)) {
        m_lastSeq = std::max(m_lastSeq, subscribedFrame->head);
        m_live = true;
        setState(State::Connected, tr("Connected to %1").arg(gatewayUrl()));
        Q_EMIT subscribed(*subscribedFrame);
        return;
    }
    if (const auto *result = std::get_if<protocol::DecisionResult>(&frame)) {
        Q_EMIT decisionResult(*result);
        return;
    }
    if (const auto *checkpoint = std::get_if<protocol::AuditCheckpoint>(&frame)) {
        Q_EMIT auditCheckpoint(*checkpoint);
        return;
    }
    if (const auto *proof = std::get_if<protocol::ConsistencyProof>(&frame)) {
        if (!m_proofRequests.remove(proof->requestId)) {
            Q_EMIT protocolViolation(makeError(QStringLiteral("frame.unexpected"),
                                               tr("a consistency proof nobody asked for (request %1)").arg(proof->requestId)));
            return;
        }
        Q_EMIT consistencyProof(*proof);
        return;
    }
    if (const auto *error = std::get_if<protocol::ErrorFrame>(&frame)) {
        if (error->code == QLatin1String("resume.unknown_sequence")) {
            m_lastSeq = 0;
            Q_EMIT resyncStarted();
            m_socket->sendTextMessage(QString::fromUtf8(protocol::serialize(protocol::ClientFrame{protocol::Subscribe{0}})));
            return;
        }
        if (error->code.startsWith(QLatin1String("auth.")) || error->code == QLatin1String("session.revoked")) {
            refuse(tr("The gateway refused this reviewer (%1): %2").arg(error->code, error->message.left(300)));
            return;
        }
        if (error->code.startsWith(QLatin1String("session."))) {
            // Idle or absolute limit: the gateway closes next; reconnecting signs in afresh.
            m_live = false;
            m_sessionEnd = tr("The session ended (%1): %2.").arg(error->code, error->message.left(300));
            return;
        }
        if (m_proofRequests.remove(error->requestId)) {
            Q_EMIT consistencyProofRefused(error->requestId, makeError(error->code, error->message.left(300)));
            return;
        }
        if (!error->requestId.isEmpty()) {
            Q_EMIT decisionResult(protocol::DecisionResult{error->requestId, QString(), false, error->code,
                                                           error->message, QDateTime::currentDateTimeUtc()});
            return;
        }
        Q_EMIT protocolViolation(makeError(error->code, error->message));
        return;
    }
    // Pong: the connection is alive; nothing else to do.
}

Status WebSocketGatewayConnection::sendFrame(const protocol::ClientFrame &frame, const QString &what)
{
    if (!m_socket || !m_live)
        return makeError(QStringLiteral("connection.offline"), tr("Not connected to the gateway: %1").arg(what));
    if (m_socket->sendTextMessage(QString::fromUtf8(protocol::serialize(frame))) <= 0)
        return makeError(QStringLiteral("connection.send_failed"), tr("Could not write to the connection: %1").arg(what));
    return {};
}

Status WebSocketGatewayConnection::sendDecision(const protocol::Decision &decision)
{
    return sendFrame(decision, tr("the decision was not sent. The action will be denied at its deadline "
                                  "unless it is decided after reconnecting."));
}

Status WebSocketGatewayConnection::requestConsistencyProof(const protocol::ProveConsistency &request)
{
    Status sent = sendFrame(request, tr("the audit consistency proof was not requested."));
    if (sent)
        m_proofRequests.insert(request.requestId);
    return sent;
}

} // namespace countersign
