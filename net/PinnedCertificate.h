// Certificate pinning for self-signed gateways: the fingerprint forms people type and read, and
// which TLS verification errors a matching pin may forgive.
#pragma once

#include <QByteArray>
#include <QList>
#include <QSslCertificate>
#include <QSslError>
#include <QString>

namespace countersign {

// Accepts "AB:CD:..." or "abcd..." (64 hex digits, any case); empty when malformed.
[[nodiscard]] QByteArray normalizeFingerprint(const QString &text);
// "AB:CD:EF:..." for display.
[[nodiscard]] QString displayFingerprint(const QByteArray &hex);
// Lowercase hex SHA-256 of the certificate's DER; empty for a null certificate.
[[nodiscard]] QByteArray certificateFingerprint(const QSslCertificate &certificate);
[[nodiscard]] bool matchesPin(const QSslCertificate &certificate, const QByteArray &pinnedHex);

// Only the errors a pinned self-signed certificate legitimately raises (self-signed, untrusted,
// host name). Expiry, revocation or a broken chain are never forgiven by a pin. Returns false
// if any error is not forgivable.
[[nodiscard]] bool pinForgivesAll(const QList<QSslError> &errors);

} // namespace countersign
