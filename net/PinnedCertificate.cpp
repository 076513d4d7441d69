// Certificate fingerprints and the TLS errors a pin may forgive.
#include "net/PinnedCertificate.h"

#include "core/crypto/Digest.h"

namespace countersign {

QByteArray normalizeFingerprint(const QString &text)
{
    QByteArray hex;
    for (QChar c : text) {
        if (c == QLatin1Char(':') || c.isSpace())
            continue;
        const char ch = static_cast<char>(c.toLower().toLatin1());
        if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f')))
            return {};
        hex.append(ch);
    }
    return hex.size() == 64 ? hex : QByteArray();
}

QString displayFingerprint(const QByteArray &hex)
{
    if (hex.isEmpty())
        return QStringLiteral("(none)");
    QString out;
    for (qsizetype i = 0; i < hex.size(); i += 2) {
        if (i)
            out += QLatin1Char(':');
        out += QString::fromLatin1(hex.mid(i, 2)).toUpper();
    }
    return out;
}

QByteArray certificateFingerprint(const QSslCertificate &certificate)
{
    return certificate.isNull() ? QByteArray() : crypto::sha256Hex(certificate.toDer());
}

bool matchesPin(const QSslCertificate &certificate, const QByteArray &pinnedHex)
{
    const QByteArray seen = certificateFingerprint(certificate);
    return !seen.isEmpty() && crypto::constantTimeEquals(seen, pinnedHex);
}

bool pinForgivesAll(const QList<QSslError> &errors)
{
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
            return false;
        }
    }
    return true;
}

} // namespace countersign
