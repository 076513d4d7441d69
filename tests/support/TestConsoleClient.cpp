// Pinned WebSocket console client for tests.
#include "tests/support/TestConsoleClient.h"

#include "core/Clock.h"
#include "net/PinnedCertificate.h"

#include <QEventLoop>
#include <QNetworkRequest>
#include <QTimer>

namespace countersign::testsupport {

TestConsoleClient::TestConsoleClient(QUrl url, QByteArray pinnedFingerprint, QString reviewerId,
                                     const crypto::Ed25519PrivateKey *key, QObject *parent)
    : QObject(parent), m_url(std::move(url)), m_pin(std::move(pinnedFingerprint)), m_reviewerId(std::move(reviewerId)),
      m_key(key)
{
    m_socket.setMaxAllowedIncomingMessageSize(protocol::kMaxServerFrameBytes);
    connect(&m_socket, &QWebSocket::textMessageReceived, this, &TestConsoleClient::onText);
    connect(&m_socket, &QWebSocket::sslErrors, this, [this](const QList<QSslError> &errors) {
        QSslCertificate peer = m_socket.sslConfiguration().peerCertificate();
        if (peer.isNull() && !errors.isEmpty())
            peer = errors.first().certificate();
        if (matchesPin(peer, m_pin) && pinForgivesAll(errors))
            m_socket.ignoreSslErrors();
        else
            m_pinMismatch = true;
    });
    connect(&m_socket, &QWebSocket::connected, this, [this] {
        if (m_url.scheme() == QLatin1String("wss")
            && !matchesPin(m_socket.sslConfiguration().peerCertificate(), m_pin)) {
            m_pinMismatch = true;
            m_socket.abort();
        }
    });
}

TestConsoleClient::~TestConsoleClient()
{
    m_socket.abort();
}

bool TestConsoleClient::open(int timeoutMs)
{
    m_autoSignIn = true;
    m_socket.open(QNetworkRequest(m_url));
    const bool ok = waitUntil([this] {
        return hello().has_value() || m_socket.state() == QAbstractSocket::UnconnectedState;
    }, timeoutMs);
    return ok && hello().has_value() && isConnected();
}

std::optional<protocol::Challenge> TestConsoleClient::openForChallenge(int timeoutMs)
{
    m_autoSignIn = false;
    m_socket.open(QNetworkRequest(m_url));
    waitUntil([this] {
        return !framesOf<protocol::Challenge>().isEmpty() || m_socket.state() == QAbstractSocket::UnconnectedState;
    }, timeoutMs);
    const auto challenges = framesOf<protocol::Challenge>();
    if (challenges.isEmpty())
        return std::nullopt;
    return challenges.last();
}

auth::SignInClaims TestConsoleClient::signInClaims(const protocol::Challenge &challenge) const
{
    auth::SignInClaims claims;
    claims.gatewayId = challenge.gatewayId;
    claims.nonce = challenge.nonce;
    claims.reviewer = m_reviewerId;
    if (m_url.scheme() == QLatin1String("wss")) {
        claims.channelBindingType = QLatin1String(auth::kChannelBindingServerEndPoint);
        claims.channelBinding = auth::serverEndPointBinding(m_socket.sslConfiguration().peerCertificate().toDer());
    } else {
        claims.channelBindingType = QLatin1String(auth::kChannelBindingNone);
    }
    return claims;
}

bool TestConsoleClient::signIn(const QByteArray &token, int timeoutMs)
{
    const qsizetype before = m_frames.size();
    send(protocol::SignIn{token});
    waitUntil([&] {
        for (qsizetype i = before; i < m_frames.size(); ++i) {
            if (std::holds_alternative<protocol::Hello>(m_frames.at(i))
                || std::holds_alternative<protocol::ErrorFrame>(m_frames.at(i)))
                return true;
        }
        return m_socket.state() == QAbstractSocket::UnconnectedState;
    }, timeoutMs);
    for (qsizetype i = before; i < m_frames.size(); ++i) {
        if (std::holds_alternative<protocol::Hello>(m_frames.at(i)))
            return true;
    }
    return false;
}

void TestConsoleClient::abort()
{
    m_socket.abort();
}

void TestConsoleClient::close()
{
    m_socket.close();
    waitUntil([this] { return m_socket.state() == QAbstractSocket::UnconnectedState; }, 5000);
}

void TestConsoleClient::send(const protocol::ClientFrame &frame)
{
    m_socket.sendTextMessage(QString::fromUtf8(protocol::serialize(frame)));
}

void TestConsoleClient::sendText(const QString &text)
{
    m_socket.sendTextMessage(text);
}

void TestConsoleClient::onText(const QString &text)
{
    auto parsed = protocol::parseServerFrame(text.toUtf8());
    if (!parsed) {
        m_parseErrors.append(parsed.error().toString());
        return;
    }
    std::visit([this](const auto &frame) {
        if constexpr (requires { frame.seq; })
            m_lastSeq = std::max(m_lastSeq, frame.seq);
    }, parsed.value());
    m_frames.append(std::move(parsed).value());
    if (const auto *challenge = std::get_if<protocol::Challenge>(&m_frames.last()); challenge && m_autoSignIn && m_key) {
        auth::SignInClaims claims = signInClaims(*challenge);
        if (tamperSignIn)
            tamperSignIn(claims);
        auto token = auth::signSignIn(claims, *m_key, SystemClock::instance());
        if (token)
            send(protocol::SignIn{token.value()});
        else
            m_parseErrors.append(QStringLiteral("cannot sign in: ") + token.error().toString());
    }
}

bool TestConsoleClient::waitUntil(const std::function<bool()> &predicate, int timeoutMs)
{
    if (predicate())
        return true;
    QEventLoop loop;
    QTimer deadline;
    deadline.setSingleShot(true);
    connect(&deadline, &QTimer::timeout, &loop, &QEventLoop::quit);
    QTimer poll;
    connect(&poll, &QTimer::timeout, &loop, [&] {
        if (predicate())
            loop.quit();
    });
    connect(&m_socket, &QWebSocket::textMessageReceived, &loop, [&] {
        if (predicate())
            loop.quit();
    });
    deadline.start(timeoutMs);
    poll.start(20);
    loop.exec();
    return predicate();
}

std::optional<protocol::Subscribed> TestConsoleClient::subscribe(qint64 since, int timeoutMs)
{
    const qsizetype before = m_frames.size();
    send(protocol::Subscribe{since});
    std::optional<protocol::Subscribed> result;
    waitUntil([&] {
        for (qsizetype i = before; i < m_frames.size(); ++i) {
            if (const auto *subscribed = std::get_if<protocol::Subscribed>(&m_frames.at(i))) {
                result = *subscribed;
                return true;
            }
            if (std::holds_alternative<protocol::ErrorFrame>(m_frames.at(i)))
                return true;
        }
        return false;
    }, timeoutMs);
    return result;
}

QByteArray TestConsoleClient::signDecision(const QString &actionId, const QByteArray &digest, protocol::Verdict verdict,
                                           const QString &reason,
                                           const std::function<void(decision::DecisionClaims &)> &tweak,
                                           const crypto::Ed25519PrivateKey *key) const
{
    decision::DecisionClaims claims;
    claims.actionId = actionId;
    claims.actionDigest = digest;
    claims.verdict = verdict;
    claims.reason = reason;
    claims.reviewer = m_reviewerId;
    const auto hello = this->hello();
    claims.gatewayId = hello ? hello->gatewayId : QString();
    const auto published = pending(actionId);
    claims.policyVersion = published ? published->action.policyVersion : QStringLiteral("test-1");
    if (tweak)
        tweak(claims);
    const crypto::Ed25519PrivateKey *signer = key ? key : m_key;
    if (!signer)
        return {};
    auto token = decision::signDecision(claims, *signer, SystemClock::instance());
    return token ? token.value() : QByteArray();
}

std::optional<protocol::DecisionResult> TestConsoleClient::decide(
    const QString &actionId, const QByteArray &digest, protocol::Verdict verdict, const QString &reason,
    const std::function<void(decision::DecisionClaims &)> &tweak, int timeoutMs)
{
    return sendDecision(actionId, signDecision(actionId, digest, verdict, reason, tweak), timeoutMs);
}

std::optional<protocol::DecisionResult> TestConsoleClient::sendDecision(const QString &actionId, const QByteArray &token,
                                                                        int timeoutMs)
{
    protocol::Decision decision;
    decision.requestId = QStringLiteral("req-%1").arg(++m_requests);
    decision.actionId = actionId;
    decision.token = token;
    m_sentDecisions.append(token);
    send(decision);
    std::optional<protocol::DecisionResult> result;
    waitUntil([&] {
        for (const auto &frame : framesOf<protocol::DecisionResult>()) {
            if (frame.requestId == decision.requestId) {
                result = frame;
                return true;
            }
        }
        return false;
    }, timeoutMs);
    return result;
}

std::optional<protocol::Hello> TestConsoleClient::hello() const
{
    const auto hellos = framesOf<protocol::Hello>();
    if (hellos.isEmpty())
        return std::nullopt;
    return hellos.last();
}

std::optional<protocol::ActionPending> TestConsoleClient::pending(const QString &actionId) const
{
    for (const auto &frame : framesOf<protocol::ActionPending>()) {
        if (frame.action.id == actionId)
            return frame;
    }
    return std::nullopt;
}

std::optional<protocol::ActionResolved> TestConsoleClient::resolved(const QString &actionId) const
{
    for (const auto &frame : framesOf<protocol::ActionResolved>()) {
        if (frame.actionId == actionId)
            return frame;
    }
    return std::nullopt;
}

std::optional<protocol::ErrorFrame> TestConsoleClient::lastError() const
{
    const auto errors = framesOf<protocol::ErrorFrame>();
    if (errors.isEmpty())
        return std::nullopt;
    return errors.last();
}

} // namespace countersign::testsupport
