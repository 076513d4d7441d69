// Pin checks for the test clients.
#include "tests/support/PinnedTls.h"

#include <QCryptographicHash>

namespace countersign::testsupport {

QByteArray certificateFingerprint(const QSslCertificate &certificate)
{
    if (certificate.isNull())
        return {};
    return certificate.digest(QCryptographicHash::Sha256).toHex();
}

bool errorsAllowedByPin(const QList<QSslError> &errors, const QSslCertificate &peer,
                        const QByteArray &pinnedFingerprint)
{
    if (pinnedFingerprint.isEmpty() || certificateFingerprint(peer) != pinnedFingerprint)
        return false;
    for (const QSslError &error : errors) {
        switch (error.error()) {
        case QSslError::SelfSignedCertificate:
        case QSslError::SelfSignedCertificateInChain:
        case QSslError::UnableToGetLocalIssuerCertificate:
        case QSslError::UnableToVerifyFirstCertificate:
        case QSslError::CertificateUntrusted:
        case QSslError::HostNameMismatch:
            break;
        default:
            return false; // expired, not yet valid, bad signature...: never ignored
        }
    }
    return true;
}

} // namespace countersign::testsupport
