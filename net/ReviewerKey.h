// The reviewer's signing key as the console holds it: an Ed25519 key that rests encrypted on
// disk (core/crypto/EncryptedKeyFile), is unlocked with a passphrase, signs sign-ins and
// decisions while unlocked, and locks itself (wiping the key) after a period without user input.
//
// Two files make up a key:
//   PATH           the encrypted PKCS#8 private key, 0600 (never written unencrypted)
//   PATH.pub.json  public metadata, so a locked key can show who it is and what to enrol:
//                  {"created":"<RFC 3339 UTC>","key":<public JWK>,"keyId":"<RFC 7638 thumbprint>",
//                   "reviewer":"<reviewer id>"}
#pragma once

#include "core/Clock.h"
#include "core/Result.h"
#include "core/auth/SignIn.h"
#include "core/crypto/Ed25519.h"
#include "core/crypto/EncryptedKeyFile.h"
#include "core/crypto/SecureBuffer.h"
#include "core/decision/SignedDecision.h"

#include <chrono>
#include <memory>
#include <optional>

#include <QByteArray>
#include <QDateTime>
#include <QJsonObject>
#include <QObject>
#include <QString>
#include <QTimer>

namespace countersign {

class ReviewerKey final : public QObject
{
    Q_OBJECT

public:
    // Suffix of the public metadata file written beside the key.
    static constexpr char kMetadataSuffix[] = ".pub.json";
    // Shortest passphrase enrol() accepts (in characters, as typed).
    static constexpr int kMinPassphraseChars = 12;

    // Why the key is locked, so the window can say so.
    enum class LockReason { NotYetUnlocked, Requested, Idle };
    Q_ENUM(LockReason)

    // Creates a new key for reviewerId: a fresh Ed25519 key from the CSPRNG, written to keyPath
    // encrypted under passphrase with the given scrypt cost (mode 0600; the directory is created
    // 0700 if missing), and the public metadata beside it. Never overwrites: "key.exists" if
    // either file is already there. The key is returned unlocked.
    // Error codes: "key.exists", "key.invalid_reviewer" (empty, over 128 bytes, or characters
    // other than letters, digits and . _ : @ / + -), "key.weak_passphrase" (fewer than 12
    // characters), "key.write_failed", and those of writeEncryptedKey.
    [[nodiscard]] static Result<std::unique_ptr<ReviewerKey>> enrol(const QString &keyPath, const QString &reviewerId,
        const crypto::SecureBuffer &passphrase, crypto::ScryptCost cost, const Clock &clock = SystemClock::instance());

    // As enrol(), with an existing key (its 32-byte RFC 8032 seed) instead of a fresh one: to
    // move a key to this console, or to use one a test harness enrolled in a policy.
    // Additional error code "key.invalid_seed".
    [[nodiscard]] static Result<std::unique_ptr<ReviewerKey>> importKey(const QString &keyPath,
        const QString &reviewerId, const crypto::SecureBuffer &seed, const crypto::SecureBuffer &passphrase,
        crypto::ScryptCost cost, const Clock &clock = SystemClock::instance());

    // The key at keyPath, locked: reads only the public metadata (the private key is read by
    // unlock()). Error codes: "key.not_found" (no key file), "key.metadata" (the metadata file is
    // missing, unreadable or malformed, or its keyId is not the thumbprint of its key).
    [[nodiscard]] static Result<std::unique_ptr<ReviewerKey>> open(
        const QString &keyPath, const Clock &clock = SystemClock::instance());

    // The metadata path for a key path.
    [[nodiscard]] static QString metadataPath(const QString &keyPath);

    ~ReviewerKey() override;
    Q_DISABLE_COPY_MOVE(ReviewerKey)

    [[nodiscard]] QString keyPath() const { return m_keyPath; }
    [[nodiscard]] QString reviewerId() const { return m_reviewerId; }
    [[nodiscard]] const crypto::Ed25519PublicKey &publicKey() const { return m_publicKey; }
    // RFC 7638 thumbprint of the public key, base64url (43 characters).
    [[nodiscard]] QString keyId() const { return m_keyId; }
    // The thumbprint in groups of four, for reading aloud and comparing by eye.
    [[nodiscard]] QString fingerprint() const;
    [[nodiscard]] QJsonObject publicJwk() const;
    // The JWK with "kid" (the thumbprint), "use":"sig" and "alg":"EdDSA": what to export.
    [[nodiscard]] QJsonObject exportJwk() const;
    [[nodiscard]] QByteArray publicPem() const;
    // Write exportJwk() (pretty-printed JSON) or publicPem() to path, for the gateway
    // administrator. Public material only. Error code "key.write_failed".
    [[nodiscard]] Status writePublicJwk(const QString &path) const;
    [[nodiscard]] Status writePublicPem(const QString &path) const;
    [[nodiscard]] QDateTime created() const { return m_created; }

    [[nodiscard]] bool isUnlocked() const { return m_key.has_value(); }
    [[nodiscard]] LockReason lockReason() const { return m_lockReason; }

    // Decrypts the key file. Refuses a key that is not the one the metadata names
    // ("key.mismatch": the key file was replaced). Error codes: those of readEncryptedKey
    // ("key.wrong_passphrase", "key.permissions", ...), "key.mismatch".
    [[nodiscard]] Status unlock(const crypto::SecureBuffer &passphrase);
    // Wipes the private key. Emits lockedChanged(true) if it was unlocked.
    void lock(LockReason reason = LockReason::Requested);

    // Re-entry of the passphrase for a deliberate approval: decrypts the key file again and
    // checks it is this key. Does not change the lock state. Same error codes as unlock().
    [[nodiscard]] Status checkPassphrase(const crypto::SecureBuffer &passphrase) const;

    // Signs a decision as this reviewer (claims.reviewer is set to reviewerId(), keyId and
    // issuedAt by decision::signDecision). "key.locked" when locked; otherwise the codes of
    // decision::signDecision.
    [[nodiscard]] Result<QByteArray> signDecision(decision::DecisionClaims claims) const;
    // Signs a sign-in statement as this reviewer. "key.locked" when locked; otherwise the codes
    // of auth::signSignIn.
    [[nodiscard]] Result<QByteArray> signSignIn(auth::SignInClaims claims) const;

    // Locks the key after this long without noteActivity() while unlocked; 0 never locks.
    void setIdleTimeout(std::chrono::milliseconds timeout);
    [[nodiscard]] std::chrono::milliseconds idleTimeout() const { return m_idleTimeout; }
    // The user did something: restarts the idle period. Cheap enough for every input event.
    void noteActivity();

Q_SIGNALS:
    void lockedChanged(bool locked);

private:
    ReviewerKey(QString keyPath, QString reviewerId, crypto::Ed25519PublicKey publicKey, QDateTime created,
        const Clock &clock);
    [[nodiscard]] Result<crypto::Ed25519PrivateKey> decrypt(const crypto::SecureBuffer &passphrase) const;
    void armIdleTimer();
    void onIdleTimer();

    const Clock &m_clock;
    QString m_keyPath;
    QString m_reviewerId;
    crypto::Ed25519PublicKey m_publicKey;
    QString m_keyId;
    QDateTime m_created;
    std::optional<crypto::Ed25519PrivateKey> m_key; // only while unlocked
    LockReason m_lockReason = LockReason::NotYetUnlocked;
    std::chrono::milliseconds m_idleTimeout {0};
    qint64 m_lastActivityMs = 0;
    QTimer m_idleTimer;
};

} // namespace countersign
