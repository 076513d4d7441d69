// Ed25519 (RFC 8032) keys, signatures and the start-up known-answer test, over OpenSSL 3 EVP:
// the signature scheme reviewers use to countersign decisions.
#pragma once

#include "core/Result.h"
#include "core/crypto/SecureBuffer.h"

#include <memory>

#include <QByteArray>
#include <QByteArrayView>

namespace countersign::crypto {

inline constexpr qsizetype kEd25519PublicKeySize = 32;
inline constexpr qsizetype kEd25519SeedSize = 32;
inline constexpr qsizetype kEd25519SignatureSize = 64;

// A verification key. Copies share one immutable OpenSSL key, so passing keys around is cheap
// and verifying from several threads at once is safe.
class Ed25519PublicKey final
{
public:
    // Error code "crypto.invalid_key" unless raw is exactly 32 bytes. Also refused: the points
    // of small order, under which signatures can be forged without the private key, and
    // encodings with y >= 2^255 - 19, so each key has one spelling and one thumbprint. Bytes
    // that are not a curve point at all are accepted here (OpenSSL offers no check) but never
    // verify anything.
    [[nodiscard]] static Result<Ed25519PublicKey> fromRaw(QByteArrayView raw);
    // A PEM SubjectPublicKeyInfo ("-----BEGIN PUBLIC KEY-----") holding an Ed25519 key, under
    // the same rules as fromRaw(); any other key type, a second block or trailing text is
    // refused. Error code "crypto.invalid_key".
    [[nodiscard]] static Result<Ed25519PublicKey> fromPem(QByteArrayView pem);

    // The 32-byte RFC 8032 encoding.
    [[nodiscard]] QByteArray raw() const;
    // PEM SubjectPublicKeyInfo, the form the openssl tool and most libraries read.
    [[nodiscard]] QByteArray toPem() const;

    // True only for a 64-byte signature that is valid for message under this key. OpenSSL
    // refuses non-canonical S (s >= L), so a valid signature cannot be altered into another.
    [[nodiscard]] bool verify(QByteArrayView message, QByteArrayView signature) const;

    friend bool operator==(const Ed25519PublicKey &a, const Ed25519PublicKey &b)
    {
        return a.raw() == b.raw();
    }

private:
    struct Impl;
    explicit Ed25519PublicKey(std::shared_ptr<const Impl> impl);
    std::shared_ptr<const Impl> m_impl; // never null
};

// A signing key. Move-only so the secret exists once; the OpenSSL key holding it is freed (and
// wiped by OpenSSL) when the object is destroyed.
class Ed25519PrivateKey final
{
public:
    // A fresh key from OpenSSL's CSPRNG. Error code "crypto.failed".
    [[nodiscard]] static Result<Ed25519PrivateKey> generate();
    // The key whose RFC 8032 32-byte secret (the seed) is given. Error code "crypto.invalid_key"
    // unless the seed is exactly 32 bytes.
    [[nodiscard]] static Result<Ed25519PrivateKey> fromSeed(const SecureBuffer &seed);

    ~Ed25519PrivateKey();
    Ed25519PrivateKey(Ed25519PrivateKey &&other) noexcept;
    Ed25519PrivateKey &operator=(Ed25519PrivateKey &&other) noexcept;
    Ed25519PrivateKey(const Ed25519PrivateKey &) = delete;
    Ed25519PrivateKey &operator=(const Ed25519PrivateKey &) = delete;

    // The 32-byte seed, for storing the key (encrypted) and nothing else. Empty for a
    // moved-from key.
    [[nodiscard]] SecureBuffer seed() const;
    // Calling this on a moved-from key is a programming error and stops the program.
    [[nodiscard]] Ed25519PublicKey publicKey() const;

    // The 64-byte signature of message. Ed25519 signing is deterministic; with a valid key it
    // fails only if OpenSSL cannot allocate, and then the result is empty, never a wrong length
    // (as it is for a moved-from key).
    [[nodiscard]] QByteArray sign(QByteArrayView message) const;

private:
    struct Impl;
    explicit Ed25519PrivateKey(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl; // null only in a moved-from key
};

// Known-answer test with RFC 8032 section 7.1 TEST 1: key derivation from the seed, the exact
// signature bytes, verification, and refusal of a signature with one bit flipped. The
// application runs it at start-up and refuses to continue if it fails.
// Error code "crypto.self_test_failed".
[[nodiscard]] Status ed25519SelfTest();

} // namespace countersign::crypto
