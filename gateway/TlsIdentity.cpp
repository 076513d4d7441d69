// Loading and first-time creation of the gateway's TLS identity.
#include "gateway/TlsIdentity.h"

#include "core/crypto/SelfSignedCertificate.h"
#include "gateway/PrivateFile.h"

#include <QDir>
#include <QFile>
#include <QSslCertificate>
#include <QSslKey>

namespace countersign::gateway {

namespace {

const QString kKeyFile = QStringLiteral("gateway-key.pem");
const QString kCertificateFile = QStringLiteral("gateway-cert.pem");

Error tlsError(const QString &message)
{
    return makeError(QStringLiteral("tls.unavailable"), message);
}

Status writeFile(const QString &path, const QByteArray &data, QFileDevice::Permissions permissions)
{
    return writeFileAtomically(path, data, permissions, QStringLiteral("tls.unavailable"));
}

Result<QByteArray> readFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return tlsError(QStringLiteral("cannot read %1: %2").arg(path, file.errorString()));
    return file.read(64 * 1024);
}

} // namespace

Result<TlsIdentity> TlsIdentity::loadOrCreate(const QString &dataDir, const QString &gatewayId)
{
    const QDir dir(dataDir);
    const QString keyPath = dir.filePath(kKeyFile);
    const QString certificatePath = dir.filePath(kCertificateFile);
    TlsIdentity identity;

    bool create = !QFile::exists(keyPath) || !QFile::exists(certificatePath);
    if (!create) {
        if (Status owner = checkOwnerOnly(keyPath, QStringLiteral("tls.key_permissions"),
                                          QStringLiteral("or delete it and the certificate to create a new identity"));
            !owner)
            return owner.error();
        auto key = readFile(keyPath);
        if (!key)
            return key.error();
        auto certificate = readFile(certificatePath);
        if (!certificate)
            return certificate.error();
        identity.m_keyPem = key.value();
        identity.m_certificatePem = certificate.value();
        if (Status match = crypto::verifyKeyMatchesCertificate(identity.m_keyPem, identity.m_certificatePem); !match) {
            // Never silently replaced: a changed fingerprint is exactly what pinning clients
            // must be told about, so a person decides.
            return makeError(match.error().code,
                             QStringLiteral("%1 and %2: %3; delete both to create a new identity")
                                 .arg(keyPath, certificatePath, match.error().message));
        }
        const QSslCertificate parsed(identity.m_certificatePem, QSsl::Pem);
        if (parsed.isNull())
            return tlsError(QStringLiteral("%1 is not a PEM certificate").arg(certificatePath));
        // An expired certificate is renewed; consoles see the new fingerprint and ask.
        create = parsed.expiryDate() <= QDateTime::currentDateTimeUtc();
    }

    if (create) {
        auto generated = crypto::SelfSignedCertificate::generate(gatewayId);
        if (!generated)
            return generated.error();
        if (Status written = writeFile(keyPath, generated.value().privateKeyPem,
                                       QFileDevice::ReadOwner | QFileDevice::WriteOwner);
            !written)
            return written.error();
        if (Status written = writeFile(certificatePath, generated.value().certificatePem,
                                       QFileDevice::ReadOwner | QFileDevice::WriteOwner
                                           | QFileDevice::ReadGroup | QFileDevice::ReadOther);
            !written)
            return written.error();
        identity.m_keyPem = generated.value().privateKeyPem;
        identity.m_certificatePem = generated.value().certificatePem;
        identity.m_created = true;
    }

    auto fingerprint = crypto::certificateSha256Hex(identity.m_certificatePem);
    if (!fingerprint)
        return fingerprint.error();
    identity.m_fingerprint = fingerprint.value();
    return identity;
}

QSslConfiguration TlsIdentity::serverConfiguration() const
{
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.setLocalCertificate(QSslCertificate(m_certificatePem, QSsl::Pem));
    configuration.setPrivateKey(QSslKey(m_keyPem, QSsl::Ec, QSsl::Pem, QSsl::PrivateKey));
    configuration.setProtocol(QSsl::TlsV1_2OrLater);
    configuration.setPeerVerifyMode(QSslSocket::VerifyNone);
    configuration.setAllowedNextProtocols({QByteArray("http/1.1")});
    return configuration;
}

} // namespace countersign::gateway
