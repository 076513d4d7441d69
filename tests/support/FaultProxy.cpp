// Forwarding and fault injection for FaultProxy.
#include "tests/support/FaultProxy.h"

#include <QTimer>

#ifdef Q_OS_UNIX
#include <sys/socket.h>
#endif

namespace countersign::testsupport {

namespace {

// abort() after SO_LINGER {on, 0} makes the kernel send RST instead of FIN.
void resetSocket(QTcpSocket *socket)
{
    if (!socket)
        return;
#ifdef Q_OS_UNIX
    const qintptr fd = socket->socketDescriptor();
    if (fd >= 0) {
        const linger hard{1, 0};
        (void)::setsockopt(int(fd), SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
    }
#endif
    socket->abort();
}

} // namespace

FaultProxy::FaultProxy(QHostAddress target, quint16 targetPort, QObject *parent)
    : QObject(parent), m_target(std::move(target)), m_targetPort(targetPort)
{
    connect(&m_server, &QTcpServer::newConnection, this, &FaultProxy::accept);
}

FaultProxy::~FaultProxy()
{
    const QList<Pair *> pairs = m_pairs;
    for (Pair *pair : pairs)
        close(pair, true);
}

bool FaultProxy::listen()
{
    return m_server.listen(QHostAddress::LocalHost, 0);
}

int FaultProxy::openConnections() const
{
    return int(m_pairs.size());
}

void FaultProxy::accept()
{
    while (QTcpSocket *client = m_server.nextPendingConnection()) {
        auto *pair = new Pair;
        pair->client = client;
        pair->upstream = new QTcpSocket(this);
        m_pairs.append(pair);
        connect(client, &QTcpSocket::readyRead, this, [this, pair] {
            pair->toUpstream.append(pair->client->readAll());
            forward(pair);
        });
        connect(pair->upstream, &QTcpSocket::connected, this, [this, pair] { forward(pair); });
        connect(pair->upstream, &QTcpSocket::readyRead, this, [this, pair] {
            pair->toClient.append(pair->upstream->readAll());
            forward(pair);
        });
        // Either side closing closes the other, after what it sent is passed on.
        connect(client, &QTcpSocket::disconnected, this, [this, pair] { close(pair, false); });
        connect(pair->upstream, &QTcpSocket::disconnected, this, [this, pair] { close(pair, false); });
        connect(pair->upstream, &QTcpSocket::errorOccurred, this, [this, pair] { close(pair, false); });
        pair->upstream->connectToHost(m_target, m_targetPort);
    }
}

void FaultProxy::forward(Pair *pair)
{
    if (pair->delayed || !pair->client || !pair->upstream)
        return;
    if (pair->upstream->state() == QAbstractSocket::ConnectedState && !pair->toUpstream.isEmpty())
        pair->upstream->write(std::exchange(pair->toUpstream, {}));
    if (pair->toClient.isEmpty())
        return;
    if (pair->truncateNext) {
        pair->client->write(pair->toClient.left(qMax<qsizetype>(1, pair->toClient.size() / 2)));
        pair->client->flush();
        close(pair, true);
        return;
    }
    pair->client->write(std::exchange(pair->toClient, {}));
}

void FaultProxy::inject(Fault fault, int delayMs)
{
    ++m_faults;
    const QList<Pair *> pairs = m_pairs;
    for (Pair *pair : pairs) {
        switch (fault) {
        case Fault::Drop:
            close(pair, false);
            break;
        case Fault::Reset:
            close(pair, true);
            break;
        case Fault::Truncate:
            pair->truncateNext = true;
            forward(pair);
            break;
        case Fault::Delay:
            pair->delayed = true;
            QTimer::singleShot(delayMs, this, [this, pair] {
                if (!m_pairs.contains(pair))
                    return;
                pair->delayed = false;
                forward(pair);
            });
            break;
        }
    }
}

void FaultProxy::close(Pair *pair, bool reset)
{
    if (!m_pairs.contains(pair))
        return;
    m_pairs.removeOne(pair);
    for (QTcpSocket *socket : {pair->client.data(), pair->upstream.data()}) {
        if (!socket)
            continue;
        socket->disconnect(this);
        if (reset) {
            resetSocket(socket);
        } else {
            socket->flush();
            socket->disconnectFromHost();
        }
        socket->deleteLater();
    }
    delete pair;
}

} // namespace countersign::testsupport
