// Pinned HTTPS requests for tests.
#include "tests/support/TestAgentClient.h"

#include "net/PinnedCertificate.h"

#include <QEventLoop>
#include <QJsonDocument>
#include <QSslSocket>
#include <QTimer>

namespace countersign::testsupport {

QString HttpResult::errorCode() const
{
    return json.value(QStringLiteral("error")).toObject().value(QStringLiteral("code")).toString();
}

QString HttpResult::describe() const
{
    return QStringLiteral("HTTP %1 (network error %2%3): %4")
        .arg(status)
        .arg(static_cast<int>(networkError))
        .arg(pinMismatch ? QStringLiteral(", PIN MISMATCH") : QString())
        .arg(QString::fromUtf8(body.left(400)));
}

TestAgentClient::TestAgentClient(QUrl baseUrl, QByteArray pinnedFingerprint, QObject *parent)
    : QObject(parent), m_baseUrl(std::move(baseUrl)), m_pin(std::move(pinnedFingerprint))
{
    connect(&m_manager, &QNetworkAccessManager::sslErrors, this,
            [this](QNetworkReply *reply, const QList<QSslError> &errors) {
                if (matchesPin(reply->sslConfiguration().peerCertificate(), m_pin) && pinForgivesAll(errors))
                    reply->ignoreSslErrors(errors);
                else
                    reply->setProperty("pinMismatch", true);
            });
    // Checked again once encrypted: ignoring errors must never let another certificate through.
    connect(&m_manager, &QNetworkAccessManager::encrypted, this, [this](QNetworkReply *reply) {
        if (!matchesPin(reply->sslConfiguration().peerCertificate(), m_pin)) {
            reply->setProperty("pinMismatch", true);
            reply->abort();
        }
    });
}

QNetworkRequest TestAgentClient::request(const QString &path, const QByteArray &token) const
{
    QUrl url = m_baseUrl;
    const qsizetype question = path.indexOf(QLatin1Char('?'));
    url.setPath(question < 0 ? path : path.left(question));
    if (question >= 0)
        url.setQuery(path.mid(question + 1));
    QNetworkRequest request(url);
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    request.setTransferTimeout(0);
    if (!token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + token);
    return request;
}

QNetworkReply *TestAgentClient::postAsync(const QString &path, const QByteArray &body, const QByteArray &token,
                                          const QByteArray &contentType)
{
    QNetworkRequest r = request(path, token);
    if (!contentType.isEmpty())
        r.setRawHeader("Content-Type", contentType);
    return m_manager.post(r, body);
}

QNetworkReply *TestAgentClient::getAsync(const QString &path, const QByteArray &token)
{
    return m_manager.get(request(path, token));
}

HttpResult TestAgentClient::wait(QNetworkReply *reply, int timeoutMs)
{
    if (!reply->isFinished()) {
        QEventLoop loop;
        QTimer timer;
        timer.setSingleShot(true);
        QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        QObject::connect(&timer, &QTimer::timeout, &loop, &QEventLoop::quit);
        timer.start(timeoutMs);
        loop.exec();
        if (!reply->isFinished())
            reply->abort();
    }
    HttpResult result;
    result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    result.body = reply->readAll();
    result.json = QJsonDocument::fromJson(result.body).object();
    result.networkError = reply->error();
    result.pinMismatch = reply->property("pinMismatch").toBool();
    reply->deleteLater();
    return result;
}

HttpResult TestAgentClient::post(const QString &path, const QByteArray &body, const QByteArray &token,
                                 const QByteArray &contentType, int timeoutMs)
{
    return wait(postAsync(path, body, token, contentType), timeoutMs);
}

HttpResult TestAgentClient::get(const QString &path, const QByteArray &token, int timeoutMs)
{
    return wait(getAsync(path, token), timeoutMs);
}

HttpResult TestAgentClient::send(const QByteArray &method, const QString &path, const QByteArray &token, int timeoutMs)
{
    return wait(m_manager.sendCustomRequest(request(path, token), method), timeoutMs);
}

QByteArray TestAgentClient::rawExchange(const QByteArray &bytes, int timeoutMs)
{
    QSslSocket socket;
    QByteArray received;
    QEventLoop loop;
    QTimer timer;
    timer.setSingleShot(true);
    connect(&timer, &QTimer::timeout, &loop, &QEventLoop::quit);
    connect(&socket, &QSslSocket::readyRead, &loop, [&] { received += socket.readAll(); });
    connect(&socket, &QSslSocket::disconnected, &loop, &QEventLoop::quit);
    connect(&socket, &QSslSocket::errorOccurred, &loop, [&] {
        if (socket.state() != QAbstractSocket::ConnectedState)
            loop.quit();
    });
    const bool tls = m_baseUrl.scheme() == QLatin1String("https");
    if (tls) {
        connect(&socket, &QSslSocket::sslErrors, &loop, [&](const QList<QSslError> &errors) {
            if (matchesPin(socket.peerCertificate(), m_pin) && pinForgivesAll(errors))
                socket.ignoreSslErrors(errors);
        });
        connect(&socket, &QSslSocket::encrypted, &loop, [&] {
            if (!matchesPin(socket.peerCertificate(), m_pin)) {
                socket.abort();
                return;
            }
            socket.write(bytes);
        });
        socket.connectToHostEncrypted(m_baseUrl.host(), static_cast<quint16>(m_baseUrl.port()));
    } else {
        connect(&socket, &QSslSocket::connected, &loop, [&] { socket.write(bytes); });
        socket.connectToHost(m_baseUrl.host(), static_cast<quint16>(m_baseUrl.port()));
    }
    timer.start(timeoutMs);
    loop.exec();
    received += socket.readAll();
    return received;
}

} // namespace countersign::testsupport
