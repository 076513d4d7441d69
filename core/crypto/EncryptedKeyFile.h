// The reviewer's Ed25519 signing key at rest: a passphrase-encrypted PKCS#8 PEM file (PBES2,
// scrypt, AES-256-CBC) that is only ever written 0600 and only ever read back into a wiping buffer.
#pragma once

#include "core/Result.h"
#include "core/crypto/SecureBuffer.h"

#include <cstdint>

#include <QByteArray>
#include <QString>

namespace countersign::crypto {

// scrypt cost parameters (RFC 7914). Memory is about 128 * r * N bytes; time grows with N * r * p.
// The default, N = 2^17, r = 8, p = 1 (128 MiB), is the power of two nearest to half a second on
// the reference machine (about 0.7 s for one derivation; 2^16 takes about 0.34 s). It is also the
// floor OWASP recommends for scrypt. Prefer calibrateScrypt() when a key is created.
struct ScryptCost {
    uint64_t n = uint64_t(1) << 17;
    uint32_t r = 8;
    uint32_t p = 1;
};

// Limits every key file obeys, on writing and on reading (a file outside them is refused before
// any key derivation runs, so a crafted file cannot make us allocate gigabytes).
inline constexpr uint64_t kScryptMinN = uint64_t(1) << 14; // openssl pkcs8 -scrypt default
inline constexpr uint64_t kScryptMaxN = uint64_t(1) << 20;
inline constexpr uint64_t kScryptMaxMemoryBytes = uint64_t(1) << 30; // 128*r*(N+p+2) at most
inline constexpr uint64_t kScryptCalibrationMinN = uint64_t(1) << 15;
inline constexpr qint64 kEncryptedKeyMaxFileSize = 16 * 1024;

// Picks N (with r = 8, p = 1) by timing real derivations on this machine: N doubles from 2^15
// until one derivation takes at least targetMs / sqrt(2), which lands on the power of two nearest
// to targetMs. N never goes below 2^15 nor above 2^20, and never past what fits in 1 GiB (so
// 2^19 at r = 8). The run that stops the search is repeated and the faster time counts, so a
// load spike does not weaken the choice. Takes three to four times targetMs (about 2 s for 500).
[[nodiscard]] ScryptCost calibrateScrypt(int targetMs = 500);

// Writes the 32-byte Ed25519 seed to path as "-----BEGIN ENCRYPTED PRIVATE KEY-----": PKCS#8
// EncryptedPrivateKeyInfo, PBES2 with scrypt (16-byte random salt) and AES-256-CBC (random IV).
// The file is replaced atomically (QSaveFile); its mode is narrowed to 0600 before any byte is
// written, including when the target existed with a wider mode.
// Error codes: "key.empty_passphrase", "key.invalid_seed", "key.invalid_cost",
// "key.write_failed", "crypto.failed".
[[nodiscard]] Status writeEncryptedKey(const QString &path, const SecureBuffer &ed25519Seed,
    const SecureBuffer &passphrase, ScryptCost cost = ScryptCost {});

// Reads a file written by writeEncryptedKey (or by `openssl pkcs8 -topk8 -scrypt` for an Ed25519
// key) and returns the 32-byte seed. Checks happen in this order, each before the next costs
// anything: passphrase not empty, file present, owner and mode, size, format, KDF limits,
// decryption, key type.
// Error codes: "key.empty_passphrase", "key.not_found", "key.unreadable", "key.permissions"
// (group or others have any access, or the file belongs to another user: chmod 600 fixes the
// former), "key.too_large" (over 16 KiB, checked before reading), "key.malformed" (not an
// encrypted PKCS#8 PEM, an unencrypted key, not PBES2/scrypt/AES-256-CBC, KDF cost outside the
// limits, or not an Ed25519 key), "key.wrong_passphrase" (decryption fails: wrong passphrase or
// altered ciphertext), "crypto.failed".
[[nodiscard]] Result<SecureBuffer> readEncryptedKey(const QString &path, const SecureBuffer &passphrase);

} // namespace countersign::crypto
