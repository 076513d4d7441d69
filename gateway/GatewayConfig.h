// How a gateway instance is started: where it keeps its state, which policy it enforces and
// where it listens.
#pragma once

#include "core/Result.h"

#include <QHostAddress>
#include <QString>

namespace countersign::gateway {

struct GatewayConfig
{
    QString dataDir;    // database and TLS identity; created with owner-only permissions
    QString policyPath;
    QHostAddress listenAddress = QHostAddress(QHostAddress::LocalHost);
    quint16 agentPort = 8443;   // 0: any free port
    quint16 consolePort = 8444; // 0: any free port
    // The control plane (administration) listens apart from agents and consoles, on loopback
    // unless the operator chooses otherwise.
    QHostAddress controlAddress = QHostAddress(QHostAddress::LocalHost);
    quint16 controlPort = 0; // 0: any free port
    // http:// and ws:// for development on loopback only; never for real reviewers.
    bool insecurePlaintext = false;
    // How long a write waits for a busy database before the request is refused (fail closed).
    int storeBusyTimeoutMs = 5000;
    // Reviewer sessions (IAM-06): a session ends after this long without a frame from its
    // console, and in any case this long after sign-in. The console signs in again by itself
    // while its key is unlocked.
    int sessionIdleSeconds = 10 * 60;
    int sessionMaxSeconds = 60 * 60;
    // How far a signed sign-in's or decision's "iat" may be from the gateway's clock.
    int maxClockSkewSeconds = 300;
};

// The error every listener reports when it cannot bind ("net.listen_failed").
[[nodiscard]] inline Error listenFailed(const QHostAddress &address, quint16 port, const QString &why)
{
    return makeError(QStringLiteral("net.listen_failed"),
                     QStringLiteral("cannot listen on %1 port %2: %3").arg(address.toString()).arg(port).arg(why));
}

} // namespace countersign::gateway
