// A TCP proxy on loopback that forwards bytes between clients and one target, and injects the
// faults a real network has on command: a connection dropped (FIN), reset (RST), truncated in the
// middle of a chunk, or stalled for a while. TLS passes through it untouched, so the client
// still sees the target's certificate.
#pragma once

#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>

namespace countersign::testsupport {

class FaultProxy final : public QObject
{
    Q_OBJECT

public:
    enum class Fault {
        Drop,     // both sides closed in an orderly way
        Reset,    // both sides aborted with RST
        Truncate, // the next chunk towards the client is cut in half, then both sides aborted
        Delay,    // nothing is forwarded for delayMs, then everything held is
    };
    Q_ENUM(Fault)

    FaultProxy(QHostAddress target, quint16 targetPort, QObject *parent = nullptr);
    ~FaultProxy() override;

    [[nodiscard]] bool listen();
    [[nodiscard]] quint16 port() const { return m_server.serverPort(); }

    // Applies the fault to every connection open now (Truncate and Delay: to the next bytes).
    void inject(Fault fault, int delayMs = 300);
    [[nodiscard]] int openConnections() const;
    [[nodiscard]] int faultsInjected() const { return m_faults; }

private:
    struct Pair
    {
        QPointer<QTcpSocket> client;
        QPointer<QTcpSocket> upstream;
        QByteArray toUpstream;  // held until the upstream connects, or while delayed
        QByteArray toClient;    // held while delayed
        bool delayed = false;
        bool truncateNext = false;
    };

    void accept();
    void forward(Pair *pair);
    void close(Pair *pair, bool reset);

    QHostAddress m_target;
    quint16 m_targetPort;
    QTcpServer m_server;
    QList<Pair *> m_pairs;
    int m_faults = 0;
};

} // namespace countersign::testsupport
