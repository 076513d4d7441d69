// libFuzzer target for untrusted compact JWS: parseCompact() must never crash or hang, whatever
// it accepts must be the one canonical spelling of its parts, and verification must only ever
// succeed for the key's real signatures.
#include "core/crypto/Base64Url.h"
#include "core/crypto/Ed25519.h"
#include "core/crypto/Jws.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>

namespace {

const countersign::crypto::Ed25519PublicKey &fixedKey()
{
    // RFC 8037 A.2 (= RFC 8032 TEST 1), so the RFC's own JWS in the corpus verifies.
    static const countersign::crypto::Ed25519PublicKey key =
        countersign::crypto::Ed25519PublicKey::fromRaw(
            QByteArray::fromHex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"))
            .value();
    return key;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    using namespace countersign::crypto;

    const QByteArrayView input(reinterpret_cast<const char *>(data), qsizetype(size));

    // Strict base64url is a bijection: anything it decodes must encode back to the same text.
    if (const auto decoded = base64UrlDecode(input); decoded && base64UrlEncode(decoded.value()) != input)
        std::abort();

    const auto parsed = parseCompact(input);
    if (!parsed)
        return 0;
    const ParsedJws &jws = parsed.value();
    if (jws.signature().size() != kEd25519SignatureSize)
        std::abort(); // the parser let a wrong-length signature through
    // With canonical base64url and a verbatim signing input, the parts rebuild the input
    // exactly: there is no second spelling of an accepted token.
    if (QByteArray(jws.signingInput() + '.' + base64UrlEncode(jws.signature())) != input)
        std::abort();
    if (!jws.signingInput().endsWith(base64UrlEncode(jws.payload())))
        std::abort();

    const bool verified = static_cast<bool>(verify(jws, fixedKey()));
    // A signature that verifies must fail once any bit of it changes.
    if (verified) {
        QByteArray signature = jws.signature();
        signature[0] = static_cast<char>(signature[0] ^ 0x01);
        if (fixedKey().verify(jws.signingInput(), signature))
            std::abort();
    }
    return 0;
}
