// The gateway's TLS key and certificate in its data directory: created on first start, reused
// afterwards, so the fingerprint consoles and agents pin stays the same across restarts.
//
// The TLS private key is the one secret the gateway keeps on disk in the clear; it is protected
// by file permissions (0600 in a 0700 directory), and a key file others can read is refused.
#pragma once

#include "core/Result.h"

#include <QByteArray>
#include <QSslConfiguration>
#include <QString>

namespace countersign::gateway {

class TlsIdentity final
{
public:
    // Error codes: "tls.unavailable" (files), "tls.key_permissions", and the crypto.* codes.
    [[nodiscard]] static Result<TlsIdentity> loadOrCreate(const QString &dataDir, const QString &gatewayId);

    // Server-side configuration: this certificate and key, TLS 1.2 or later, no client certs.
    [[nodiscard]] QSslConfiguration serverConfiguration() const;
    // Lowercase hex SHA-256 of the certificate's DER form.
    [[nodiscard]] const QByteArray &fingerprint() const { return m_fingerprint; }
    // True if this start created the identity (first start or an expired certificate).
    [[nodiscard]] bool created() const { return m_created; }

private:
    QByteArray m_certificatePem;
    QByteArray m_keyPem;
    QByteArray m_fingerprint;
    bool m_created = false;
};

} // namespace countersign::gateway
