// The real gateway link: a secure WebSocket to /v1/console with a pinned certificate, a
// channel-bound sign-in with the reviewer's key, resume from the last sequence number, and
// reconnection with backoff.
#pragma once

#include "net/GatewayConnection.h"
#include "net/PinnedCertificate.h"

#include "core/Clock.h"
#include "core/auth/SignIn.h"
#include "core/crypto/Ed25519.h"

#include <functional>
#include <optional>

#include <QByteArray>
#include <QPointer>
#include <QSet>
#include <QTimer>
#include <QUrl>
#include <QWebSocket>

namespace countersign {

struct ConnectionSettings
{
    QUrl url;                 // wss://host:port/v1/console
    QByteArray pinnedSha256;  // lowercase hex SHA-256 of the gateway certificate's DER
    // Signs the gateway's challenge with the reviewer's key. The connection fills gatewayId,
    // nonce and the channel binding; the signer fills the reviewer (sub) and the key id. An
    // error (e.g. "key.locked") stops the connection in the Refused state with its message:
    // start() again once the key is unlocked.
    std::function<Result<QByteArray>(const auth::SignInClaims &claims)> signIn;
    // The gateway's action-signing public key: the raw 32 bytes (the JWK's "x", decoded). Every
    // action.pending must carry a signature by this key; without one configured the connection
    // is refused. What the gateway announces in hello is never used instead.
    QByteArray gatewayPublicKey;
    int initialBackoffMs = 500;
    int maxBackoffMs = 30'000;
};

class WebSocketGatewayConnection final : public GatewayConnection
{
    Q_OBJECT

public:
    explicit WebSocketGatewayConnection(ConnectionSettings settings, QObject *parent = nullptr);
    ~WebSocketGatewayConnection() override;
    Q_DISABLE_COPY_MOVE(WebSocketGatewayConnection)

    [[nodiscard]] State state() const override { return m_state; }
    [[nodiscard]] QString stateDetail() const override { return m_detail; }
    [[nodiscard]] QString gatewayUrl() const override;
    [[nodiscard]] qint64 lastSeq() const override { return m_lastSeq; }
    [[nodiscard]] qint64 msUntilRetry() const override;

    void start() override;
    void stop() override;
    [[nodiscard]] Status sendDecision(const protocol::Decision &decision) override;
    [[nodiscard]] Status requestConsistencyProof(const protocol::ProveConsistency &request) override;

    // Drops the socket as a network failure would; the connection then reconnects by itself.
    void simulateNetworkDrop();

private:
    void openSocket();
    void onConnected();
    void onDisconnected();
    void onSslErrors(const QList<QSslError> &errors);
    void onTextMessage(const QString &message);
    void handleFrame(const protocol::ServerFrame &frame);
    void signIn(const protocol::Challenge &challenge);
    void setState(State state, const QString &detail);
    void refuse(const QString &detail);
    void scheduleReconnect();
    [[nodiscard]] QSslCertificate peerCertificate() const;

    [[nodiscard]] Status sendFrame(const protocol::ClientFrame &frame, const QString &what);

    ConnectionSettings m_settings;
    QSet<QString> m_proofRequests; // outstanding audit.prove request ids
    std::optional<crypto::Ed25519PublicKey> m_gatewayKey; // set from m_settings in start()
    QPointer<QWebSocket> m_socket;
    QTimer m_reconnectTimer;
    State m_state = State::Offline;
    QString m_detail;
    QString m_gatewayId;
    QString m_sessionEnd; // why the gateway ended the session, until the connection closes
    qint64 m_lastSeq = 0;
    int m_attempt = 0;
    bool m_live = false;
    bool m_stopped = true;
};

} // namespace countersign
