// The gateway's Ed25519 action-signing key in its data directory: created on first start,
// reused afterwards, so the key consoles pin stays the same across restarts.
//
// The 32-byte seed is stored in the clear in gateway-signing.key, like the TLS key: a headless
// service has no passphrase source yet (crypto::writeEncryptedKey needs one). It is protected
// by file permissions only (0600 in a 0700 directory), and a key file other users can read is
// refused, under the same rule as TlsIdentity.
#pragma once

#include "core/Result.h"
#include "core/crypto/Ed25519.h"

#include <QByteArray>
#include <QString>

namespace countersign::gateway {

class SigningKey final
{
public:
    // Error codes: "signing_key.unavailable" (files, or a file that is not a 32-byte seed),
    // "signing_key.permissions", and the crypto.* codes.
    [[nodiscard]] static Result<SigningKey> loadOrCreate(const QString &dataDir);

    [[nodiscard]] const crypto::Ed25519PrivateKey &privateKey() const { return m_key; }
    [[nodiscard]] const crypto::Ed25519PublicKey &publicKey() const { return m_publicKey; }
    // RFC 7638 thumbprint of the public key: the "kid" of every action signature.
    [[nodiscard]] const QByteArray &thumbprint() const { return m_thumbprint; }
    // True if this start created the key.
    [[nodiscard]] bool created() const { return m_created; }

private:
    SigningKey(crypto::Ed25519PrivateKey key, bool created);

    crypto::Ed25519PrivateKey m_key;
    crypto::Ed25519PublicKey m_publicKey;
    QByteArray m_thumbprint;
    bool m_created = false;
};

} // namespace countersign::gateway
