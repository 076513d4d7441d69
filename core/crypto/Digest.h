// SHA-256 over OpenSSL's EVP interface, and the hex encoding the protocol uses for digests.
#pragma once

#include <QByteArray>
#include <QByteArrayView>

namespace countersign::crypto {

// The 32-byte SHA-256 digest of data.
[[nodiscard]] QByteArray sha256(QByteArrayView data);

// Lowercase hex of the SHA-256 digest: the form digests take in JSON and on screen.
[[nodiscard]] QByteArray sha256Hex(QByteArrayView data);

// Constant-time comparison for secrets and digests of secrets.
[[nodiscard]] bool constantTimeEquals(QByteArrayView a, QByteArrayView b);

// Bytes from the operating system's CSPRNG (OpenSSL RAND_bytes). Aborts if none are available:
// nothing in Countersign may continue with predictable randomness.
[[nodiscard]] QByteArray randomBytes(qsizetype count);

} // namespace countersign::crypto
