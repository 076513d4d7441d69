// Per-connection protocol handling of the console API.
#include "gateway/ConsoleSession.h"

#include "core/auth/SignIn.h"
#include "core/crypto/Digest.h"
#include "core/crypto/SignedStatement.h"
#include "core/json/FieldReader.h"
#include "gateway/Gateway.h"
#include "gateway/GatewayLog.h"

#include <algorithm>

#include <QTimer>
#include <QWebSocket>

namespace countersign::gateway {

namespace {

constexpr int kReplayPage = 1000;
// A console that stops reading must not make the gateway buffer without bound: past this it is
// disconnected, and it resumes from its last seq when it reconnects.
constexpr qint64 kMaxUnsentBytes = 32 * 1024 * 1024;
constexpr int kCloseGraceMs = 5000;

template<class... Ts>
struct Overloaded : Ts...
{
    using Ts::operator()...;
};
// Needed by clang 14, which does not deduce aggregate template arguments by itself.
template<class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

} // namespace

ConsoleSession::ConsoleSession(QWebSocket *socket, Gateway &gateway, QObject *parent)
    : QObject(parent), m_socket(socket), m_gateway(gateway)
{
    m_socket->setParent(this);
    m_socket->setMaxAllowedIncomingMessageSize(protocol::kMaxClientFrameBytes);
    m_socket->setMaxAllowedIncomingFrameSize(protocol::kMaxClientFrameBytes);
    connect(m_socket, &QWebSocket::textMessageReceived, this, &ConsoleSession::onTextMessage);
    connect(m_socket, &QWebSocket::binaryMessageReceived, this, &ConsoleSession::onBinaryMessage);
    connect(m_socket, &QWebSocket::disconnected, this, [this] {
        if (m_signedIn) {
            recordClose(QStringLiteral("session.disconnected"));
            qCInfo(lcGateway).noquote() << "session closed id=" + m_sessionId << "reviewer=" + m_reviewer.id;
        }
        Q_EMIT closed();
        deleteLater();
    });

    m_idleTimer.setSingleShot(true);
    m_lifetimeTimer.setSingleShot(true);
    connect(&m_idleTimer, &QTimer::timeout, this, [this] {
        endSession(QStringLiteral("session.idle_timeout"),
                   QStringLiteral("the session ended after %1 s without activity; sign in again")
                       .arg(m_gateway.config().sessionIdleSeconds));
    });
    connect(&m_lifetimeTimer, &QTimer::timeout, this, [this] {
        if (m_signedIn) {
            endSession(QStringLiteral("session.expired"),
                       QStringLiteral("the session reached its %1 s limit; sign in again")
                           .arg(m_gateway.config().sessionMaxSeconds));
        } else {
            refuseSignIn(QStringLiteral("auth.timeout"),
                         QStringLiteral("no sign-in within %1 s").arg(kSignInTimeoutMs / 1000));
        }
    });
    m_lifetimeTimer.start(kSignInTimeoutMs);

    // Channel binding (RFC 5929 tls-server-end-point): the hash of the certificate this
    // listener presents, which is what a console talking to us directly saw.
    const QByteArray fingerprint = m_gateway.fingerprint();
    m_binding = QByteArray::fromHex(fingerprint);
    m_nonce = auth::newChallengeNonce();
    protocol::Challenge challenge;
    challenge.gatewayId = m_gateway.gatewayId();
    challenge.nonce = m_nonce;
    challenge.serverTime = m_gateway.clock().nowUtc();
    challenge.channelBinding = QLatin1String(fingerprint.isEmpty() ? auth::kChannelBindingNone
                                                                   : auth::kChannelBindingServerEndPoint);
    send(protocol::serialize(challenge));
}

ConsoleSession::~ConsoleSession()
{
    disconnect(m_socket, nullptr, this, nullptr);
}

void ConsoleSession::send(const QByteArray &frame)
{
    if (m_closing)
        return;
    m_socket->sendTextMessage(QString::fromUtf8(frame));
    if (m_socket->bytesToWrite() > kMaxUnsentBytes)
        closeSession(QWebSocketProtocol::CloseCodeGoingAway, QStringLiteral("console is not reading"));
}

void ConsoleSession::closeSession(QWebSocketProtocol::CloseCode code, const QString &reason)
{
    if (m_closing)
        return;
    m_closing = true;
    m_subscribed = false;
    m_socket->close(code, reason);
    // A peer that never answers the close handshake is cut off.
    QTimer::singleShot(kCloseGraceMs, m_socket, &QWebSocket::abort);
}

void ConsoleSession::sendError(const QString &code, const QString &message, const QString &requestId)
{
    send(protocol::serialize(protocol::ErrorFrame{code, message, requestId}));
}

void ConsoleSession::deliver(qint64 seq, const QByteArray &frame)
{
    if (!m_subscribed || seq <= m_lastSeq)
        return;
    m_lastSeq = seq;
    send(frame);
}

void ConsoleSession::badFrame(const QString &code, const QString &message)
{
    sendError(code, message);
    if (++m_badFrames >= kMaxBadFrames) {
        // A console that keeps sending garbage is broken or hostile; either way, stop.
        closeSession(QWebSocketProtocol::CloseCodePolicyViolated, QStringLiteral("too many invalid frames"));
    }
}

void ConsoleSession::onBinaryMessage(const QByteArray &)
{
    badFrame(QStringLiteral("frame.invalid"), QStringLiteral("frames are JSON text, not binary"));
}

void ConsoleSession::onTextMessage(const QString &text)
{
    if (m_closing)
        return;
    auto parsed = protocol::parseClientFrame(text.toUtf8());
    if (!parsed) {
        badFrame(parsed.error().code, parsed.error().message);
        return;
    }
    if (!m_signedIn) {
        if (const auto *frame = std::get_if<protocol::SignIn>(&parsed.value()))
            signIn(frame->token);
        else if (std::holds_alternative<protocol::Ping>(parsed.value()))
            send(protocol::serialize(protocol::Pong{std::get<protocol::Ping>(parsed.value()).nonce, m_gateway.clock().nowUtc()}));
        else
            refuseSignIn(QStringLiteral("auth.required"), QStringLiteral("sign in before anything else"));
        return;
    }
    // Any frame from the console is activity; the idle limit starts again.
    m_idleTimer.start();
    std::visit(Overloaded{
                   [this](const protocol::SignIn &) {
                       badFrame(QStringLiteral("auth.already_signed_in"),
                                QStringLiteral("this connection is already signed in as %1").arg(m_reviewer.id));
                   },
                   [this](const protocol::Subscribe &frame) { subscribe(frame.since); },
                   [this](const protocol::Ping &frame) {
                       send(protocol::serialize(protocol::Pong{frame.nonce, m_gateway.clock().nowUtc()}));
                   },
                   [this](const protocol::Decision &frame) {
                       send(protocol::serialize(m_gateway.decide(m_reviewer, m_sessionId, frame)));
                   },
                   [this](const protocol::ProveConsistency &frame) {
                       auto proof = m_gateway.auditConsistencyProof(frame.first, frame.second);
                       if (!proof) {
                           sendError(proof.error().code, proof.error().message, frame.requestId);
                           return;
                       }
                       send(protocol::serialize(protocol::ConsistencyProof{frame.requestId, frame.first, frame.second,
                                                                           proof.value()}));
                   },
               },
               parsed.value());
}

void ConsoleSession::signIn(const QByteArray &token)
{
    const Policy &policy = m_gateway.policy();
    auto keyId = crypto::statementKeyId(token, auth::kMaxSignInBytes, QStringLiteral("auth"));
    if (!keyId) {
        refuseSignIn(QStringLiteral("auth.malformed"), keyId.error().message);
        return;
    }
    const PolicyReviewer *reviewer = policy.reviewerForKeyId(keyId.value());
    if (!reviewer) {
        const bool revoked = std::any_of(policy.reviewers().cbegin(), policy.reviewers().cend(),
                                         [&](const PolicyReviewer &r) { return r.keyId == keyId.value(); });
        if (revoked)
            refuseSignIn(QStringLiteral("auth.revoked_key"), QStringLiteral("key %1 has been revoked").arg(keyId.value()));
        else
            refuseSignIn(QStringLiteral("auth.unknown_key"),
                         QStringLiteral("key %1 is not enrolled with this gateway").arg(keyId.value()));
        return;
    }
    auto claims = auth::verifySignIn(token, *reviewer->key);
    if (!claims) {
        refuseSignIn(claims.error().code.startsWith(QLatin1String("signin.bad_signature"))
                         ? QStringLiteral("auth.bad_signature")
                         : QStringLiteral("auth.malformed"),
                     claims.error().message);
        return;
    }
    const auth::SignInClaims &c = claims.value();
    const QDateTime now = m_gateway.clock().nowUtc();
    const int skew = m_gateway.config().maxClockSkewSeconds;
    if (c.reviewer != reviewer->id) {
        refuseSignIn(QStringLiteral("auth.subject_mismatch"),
                     QStringLiteral("sub: the key is enrolled for %1, not %2").arg(reviewer->id, c.reviewer.left(128)));
    } else if (c.gatewayId != m_gateway.gatewayId()) {
        refuseSignIn(QStringLiteral("auth.wrong_audience"),
                     QStringLiteral("aud: signed for %1, this is %2").arg(c.gatewayId.left(128), m_gateway.gatewayId()));
    } else if (c.nonce != m_nonce) {
        refuseSignIn(QStringLiteral("auth.wrong_nonce"), QStringLiteral("nonce: not this connection's challenge"));
    } else if (c.channelBindingType
                   != QLatin1String(m_binding.isEmpty() ? auth::kChannelBindingNone : auth::kChannelBindingServerEndPoint)
               || c.channelBinding != m_binding) {
        // The console saw another certificate than ours: something terminated its TLS.
        refuseSignIn(QStringLiteral("auth.channel_binding"),
                     QStringLiteral("cb: the sign-in is bound to another TLS channel than this one"));
    } else if (qAbs(c.issuedAt.secsTo(now)) > skew) {
        refuseSignIn(QStringLiteral("auth.stale"),
                     QStringLiteral("iat: %1 is more than %2 s from the gateway's clock (%3)")
                         .arg(json::formatTimestamp(c.issuedAt))
                         .arg(skew)
                         .arg(json::formatTimestamp(now)));
    } else {
        const QString sessionId = QStringLiteral("ses-") + QString::fromLatin1(crypto::randomBytes(8).toHex());
        const QDateTime expiresAt = now.addSecs(m_gateway.config().sessionMaxSeconds);
        // No session that is not on record (fail closed).
        if (Status audited = m_gateway.recordAudit(QStringLiteral("session.opened"), reviewer->id, sessionId,
                                                   {{QStringLiteral("role"), protocol::roleName(reviewer->role)},
                                                    {QStringLiteral("keyId"), reviewer->keyId},
                                                    {QStringLiteral("expiresAt"), json::formatTimestamp(expiresAt)}});
            !audited) {
            refuseSignIn(QStringLiteral("audit.unavailable"), QStringLiteral("the gateway cannot record the session; try again later"));
            return;
        }
        m_signedIn = true;
        m_reviewer = *reviewer;
        m_sessionId = sessionId;
        m_expiresAt = expiresAt;
        m_lifetimeTimer.start(m_gateway.config().sessionMaxSeconds * 1000);
        m_idleTimer.start(m_gateway.config().sessionIdleSeconds * 1000);

        protocol::Hello hello;
        hello.gatewayId = m_gateway.gatewayId();
        hello.serverTime = now;
        hello.reviewer = m_reviewer.id;
        hello.role = m_reviewer.role;
        hello.head = m_gateway.head();
        hello.signingKey = m_gateway.signingKeyThumbprint();
        hello.sessionId = m_sessionId;
        hello.sessionExpiresAt = m_expiresAt;
        hello.sessionIdleSeconds = m_gateway.config().sessionIdleSeconds;
        send(protocol::serialize(hello));
        qCInfo(lcGateway).noquote() << "session opened id=" + m_sessionId << "reviewer=" + m_reviewer.id
                                    << "role=" + protocol::roleName(m_reviewer.role) << "key=" + m_reviewer.keyId;
    }
}

void ConsoleSession::refuseSignIn(const QString &code, const QString &message)
{
    qCInfo(lcGateway).noquote() << "sign-in refused code=" + code;
    // The code only: the message can quote what the unverified token claims.
    (void)m_gateway.recordAudit(QStringLiteral("auth.failed"), QStringLiteral("unauthenticated"), QString(),
                                {{QStringLiteral("code"), code}, {QStringLiteral("plane"), QStringLiteral("console")}});
    endSession(code, message);
}

void ConsoleSession::recheckEnrolment()
{
    if (!m_signedIn || m_closing)
        return;
    const PolicyReviewer *now = m_gateway.policy().reviewerForKeyId(m_reviewer.keyId);
    if (!now || now->id != m_reviewer.id || now->role != m_reviewer.role) {
        endSession(QStringLiteral("session.revoked"),
                   QStringLiteral("the administrator revoked or changed the enrolment of %1").arg(m_reviewer.id));
    }
}

void ConsoleSession::endSession(const QString &code, const QString &message)
{
    // A refused or revoked reviewer must not retry by itself; a session that merely ran out
    // (idle or absolute limit) closes normally and the console signs in again.
    const bool refusal = !code.startsWith(QLatin1String("session.")) || code == QLatin1String("session.revoked");
    if (m_closing)
        return;
    if (m_signedIn) {
        qCInfo(lcGateway).noquote() << "session ended id=" + m_sessionId << "reviewer=" + m_reviewer.id << "code=" + code;
        recordClose(code);
    }
    sendError(code, message);
    m_idleTimer.stop();
    m_lifetimeTimer.stop();
    closeSession(refusal ? QWebSocketProtocol::CloseCodePolicyViolated : QWebSocketProtocol::CloseCodeNormal, code);
}

void ConsoleSession::recordClose(const QString &code)
{
    if (m_closeRecorded)
        return;
    m_closeRecorded = true;
    // The session is over either way; a failure is in the gateway's log.
    (void)m_gateway.recordAudit(QStringLiteral("session.closed"), m_reviewer.id, m_sessionId, {{QStringLiteral("code"), code}});
}

void ConsoleSession::subscribe(qint64 since)
{
    // Everything below runs without returning to the event loop, so no event can be
    // committed between the snapshot or replay and the first live event: nothing is lost
    // and nothing is sent twice.
    m_subscribed = false;
    const qint64 head = m_gateway.head();
    if (since > head) {
        sendError(QStringLiteral("resume.unknown_sequence"),
                  QStringLiteral("seq %1 is ahead of this gateway's head %2; subscribe from 0").arg(since).arg(head));
        return;
    }
    if (since > 0 && head - since > kMaxReplayEvents) {
        sendError(QStringLiteral("resume.unknown_sequence"),
                  QStringLiteral("seq %1 is more than %2 events behind; subscribe from 0 for a snapshot")
                      .arg(since)
                      .arg(kMaxReplayEvents));
        return;
    }

    if (since == 0) {
        auto frames = m_gateway.snapshotFrames();
        if (!frames) {
            sendError(QStringLiteral("store.unavailable"), frames.error().message);
            return;
        }
        for (const QByteArray &frame : frames.value())
            send(frame);
    } else {
        qint64 cursor = since;
        while (cursor < head) {
            auto events = m_gateway.eventsAfter(cursor, kReplayPage);
            if (!events) {
                sendError(QStringLiteral("store.unavailable"), events.error().message);
                return;
            }
            if (events.value().isEmpty())
                break;
            for (const StoredEvent &event : events.value()) {
                send(event.frame);
                cursor = event.seq;
            }
        }
    }
    m_lastSeq = head;
    m_subscribed = true;
    send(protocol::serialize(protocol::Subscribed{since, head, since == 0}));
    // The latest tree head of the audit log, signed afresh if it grew, for the console to
    // witness. An empty log has none; a failure to sign is in the gateway's log.
    if (auto checkpoint = m_gateway.signAuditCheckpoint(); checkpoint)
        sendCheckpoint(checkpoint.value().note);
    qCInfo(lcGateway).noquote() << "session" << m_sessionId << (since == 0 ? "snapshot" : "replay")
                                << "since" << since << "head" << head;
}

void ConsoleSession::sendCheckpoint(const QByteArray &note)
{
    if (m_subscribed)
        send(protocol::serialize(protocol::AuditCheckpoint{note}));
}

} // namespace countersign::gateway
