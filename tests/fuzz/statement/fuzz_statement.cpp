// libFuzzer target for the claims of signed statements. The input is used as the payload of a
// validly signed EdDSA JWS, so the fuzzer reaches what only runs after a signature holds: the
// strict readers of decision and sign-in claims. Neither may crash, and whatever they accept
// must be the one canonical spelling of its claims: signing the claims again, at the same
// time, gives back the same payload (the signature itself is deterministic in Ed25519).
#include "core/Clock.h"
#include "core/auth/SignIn.h"
#include "core/crypto/Ed25519.h"
#include "core/crypto/Jwk.h"
#include "core/crypto/Jws.h"
#include "core/decision/SignedDecision.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include <QJsonObject>

namespace {

const countersign::crypto::Ed25519PrivateKey &fixedKey()
{
    // RFC 8032 TEST 1: fixed, so corpus entries replay identically.
    static const auto key = [] {
        const QByteArray seed = QByteArray::fromHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
        countersign::crypto::SecureBuffer buffer(seed.size());
        std::copy(seed.cbegin(), seed.cend(), buffer.data());
        return countersign::crypto::Ed25519PrivateKey::fromSeed(buffer).value();
    }();
    return key;
}

QByteArray payloadOf(const QByteArray &token)
{
    const auto parsed = countersign::crypto::parseCompact(token, countersign::decision::kMaxDecisionBytes);
    return parsed ? parsed.value().payload() : QByteArray();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    using namespace countersign;
    if (size > 8192)
        return 0;
    const QByteArray payload(reinterpret_cast<const char *>(data), qsizetype(size));
    const crypto::Ed25519PrivateKey &key = fixedKey();
    const QJsonObject header{{QStringLiteral("kid"), QString::fromLatin1(crypto::jwkThumbprint(key.publicKey()))},
                             {QStringLiteral("typ"), QStringLiteral("JOSE")}};
    const QByteArray token = crypto::signCompact(header, payload, key);
    if (token.isEmpty())
        return 0;

    if (const auto claims = decision::verifyDecision(token, key.publicKey())) {
        const ManualClock at(claims.value().issuedAt);
        const auto again = decision::signDecision(claims.value(), key, at);
        if (!again || payloadOf(again.value()) != payload)
            std::abort();
    }
    if (const auto claims = auth::verifySignIn(token, key.publicKey())) {
        const ManualClock at(claims.value().issuedAt);
        const auto again = auth::signSignIn(claims.value(), key, at);
        if (!again || payloadOf(again.value()) != payload)
            std::abort();
    }
    return 0;
}
