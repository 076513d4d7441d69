// The gateway's TLS identity: an ECDSA P-256 key and a self-signed certificate that consoles and
// agents pin by the SHA-256 fingerprint of its DER form.
#pragma once

#include "core/Result.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

namespace countersign::crypto {

struct SelfSignedCertificate
{
    QByteArray privateKeyPem;  // PKCS#8, unencrypted: the caller protects it (file permissions)
    QByteArray certificatePem; // X.509 v3

    // Generates a fresh key and a certificate valid for validityDays (at most one year) for
    // "CN=Countersign gateway <gatewayId>" with SANs IP:127.0.0.1, IP:::1 and DNS:localhost.
    // Error code: "crypto.failed".
    [[nodiscard]] static Result<SelfSignedCertificate> generate(const QString &gatewayId,
                                                                int validityDays = 365);
};

// Lowercase hex SHA-256 of the DER encoding of a PEM certificate: what clients pin.
// Error code: "crypto.invalid_certificate".
[[nodiscard]] Result<QByteArray> certificateSha256Hex(QByteArrayView certificatePem);

// "AB:CD:…": the colon-separated uppercase form people compare by eye.
[[nodiscard]] QString formatFingerprint(QByteArrayView sha256Hex);

// Checks that a PEM private key is the one whose public half the PEM certificate carries.
// Error codes: "crypto.invalid_key", "crypto.invalid_certificate", "crypto.key_mismatch".
[[nodiscard]] Status verifyKeyMatchesCertificate(QByteArrayView privateKeyPem,
                                                 QByteArrayView certificatePem);

} // namespace countersign::crypto
